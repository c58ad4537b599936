// Synthesize Descriptions and Build Neighbour Index from the palette: the same core jobs as
// `grasp synthesize` / `grasp embed` + `grasp index`, run in a worker. A paid run is preceded by a dry
// run whose call count and cost estimate the user confirms.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pickDataset } from './datasetPicker';
import type { RunManager } from './runManager';

type Entity = 'item' | 'user';

async function pickEntity(title: string): Promise<Entity | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'Items', description: 'descriptions from item metadata', entity: 'item' as const },
      { label: 'Users', description: 'profiles from the titles of each training prefix', entity: 'user' as const },
    ],
    { title },
  );
  return picked?.entity;
}

export async function synthesizeDescriptions(runs: RunManager): Promise<void> {
  const dataset = await pickDataset();
  if (!dataset) return;
  const entity = await pickEntity('GRASP: Synthesize which texts?');
  if (!entity) return;
  const name = path.basename(dataset.fsPath);
  const estimate = await runs.run({ kind: 'synthesize', params: { dataset: dataset.fsPath, entity, dryRun: true }, title: `Estimate synthesis for ${name}`, quiet: true });
  if (estimate.status !== 'done') return;
  const plan = estimate.result;
  if (plan.worldKnowledge && plan.estimate && plan.estimate.calls > 0) {
    const cost = plan.estimate.usd === null ? 'cost unknown for this model' : `about $${plan.estimate.usd.toFixed(2)} (at most $${plan.estimate.usdMax?.toFixed(2)})`;
    const go = await vscode.window.showWarningMessage(
      `Synthesize ${entity} texts for ${name} with ${plan.provider} ${plan.model}: ${plan.estimate.calls} calls, ${cost}. ${plan.counts.cached} are already cached.`,
      { modal: true },
      'Run',
    );
    if (go !== 'Run') return;
  }
  await runs.run({
    kind: 'synthesize',
    params: { dataset: dataset.fsPath, entity },
    title: `Synthesize ${entity} texts for ${name}`,
    subjectFile: dataset.fsPath,
    summarize: (result) => ({
      text: `${result.counts.done} done, ${result.counts.failed} failed, ${result.counts.cached} cached (${result.provider}${result.worldKnowledge ? '' : ', no world knowledge'})${result.costUsd ? `, $${result.costUsd.toFixed(2)}` : ''}`,
    }),
  });
}

/** Embeds the synthesised (or raw) texts, then builds the HNSW index over them: stages 2 and 3. */
export async function buildNeighbourIndex(runs: RunManager): Promise<void> {
  const dataset = await pickDataset();
  if (!dataset) return;
  const entity = await pickEntity('GRASP: Index which neighbours?');
  if (!entity) return;
  await buildIndexFor(runs, dataset.fsPath, entity);
}

/** The two jobs for one dataset and entity, each with its progress notification; true when the index was written. */
export async function buildIndexFor(runs: RunManager, datasetPath: string, entity: Entity): Promise<boolean> {
  const name = path.basename(datasetPath);
  const embedded = await runs.run({ kind: 'embed', params: { dataset: datasetPath, entity }, title: `Embed ${entity} texts of ${name}`, subjectFile: datasetPath });
  if (embedded.status !== 'done') return false;
  const indexed = await runs.run({
    kind: 'index',
    params: { dataset: datasetPath, entity },
    title: `Build ${entity} neighbour index of ${name}`,
    subjectFile: datasetPath,
    summarize: (result) => ({ text: `index written to ${vscode.workspace.asRelativePath(result.manifestPath)}` }),
  });
  return indexed.status === 'done';
}
