// Synthesize Descriptions and Build Neighbour Index from the palette: the same core jobs as
// `grasp synthesize` / `grasp embed` + `grasp index`, run in a worker, with the provider, server and
// model of the grasp.synthesis.* / grasp.embedder.* settings. A run that calls an LLM is preceded by a
// dry run whose call count and cost estimate the user confirms.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pickDataset } from './datasetPicker';
import type { RunManager } from './runManager';
import { showMissingSetting, textSideSettings } from './settings';
import { costText, embedParams, synthesisParams, type EmbedJobSettings } from './textSettings';

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
  // Settings first: a missing server URL is said before any picking.
  const provider = synthesisParams(textSideSettings());
  if (!provider.ok) {
    showMissingSetting(provider.missing);
    return;
  }
  const dataset = await pickDataset();
  if (!dataset) return;
  const entity = await pickEntity('GRASP: Synthesize which texts?');
  if (!entity) return;
  const name = path.basename(dataset.fsPath);
  const params = { dataset: dataset.fsPath, entity, ...provider.value };
  const estimate = await runs.run({ kind: 'synthesize', params: { ...params, dryRun: true }, title: `Estimate synthesis for ${name}`, quiet: true });
  if (estimate.status !== 'done') return;
  const plan = estimate.result;
  if (plan.worldKnowledge && plan.estimate && plan.estimate.calls > 0) {
    const go = await vscode.window.showWarningMessage(
      `Synthesize ${entity} texts for ${name} with ${plan.provider} ${plan.model}: ${plan.estimate.calls} calls, ${costText(plan.estimate)}. ${plan.counts.cached} are already cached.`,
      { modal: true },
      'Run',
    );
    if (go !== 'Run') return;
  }
  await runs.run({
    kind: 'synthesize',
    params,
    title: `Synthesize ${entity} texts for ${name}`,
    subjectFile: dataset.fsPath,
    summarize: (result) => {
      // A server that refused JSON-schema mode was asked by prompt: worth knowing when replies fail.
      const server = result.server
        ? result.server.structuredOutput
          ? ', JSON-schema mode'
          : ', the server has no JSON-schema mode: replies checked against the schema by hand'
        : '';
      return {
        text: `${result.counts.done} done, ${result.counts.failed} failed, ${result.counts.cached} cached (${result.provider}${result.worldKnowledge ? '' : ', no world knowledge'}${server})${result.costUsd ? `, $${result.costUsd.toFixed(2)}` : ''}`,
      };
    },
  });
}

/** Embeds the synthesised (or raw) texts, then builds the HNSW index over them: stages 2 and 3. */
export async function buildNeighbourIndex(runs: RunManager): Promise<void> {
  if (!embedSettings()) return;
  const dataset = await pickDataset();
  if (!dataset) return;
  const entity = await pickEntity('GRASP: Index which neighbours?');
  if (!entity) return;
  await buildIndexFor(runs, dataset.fsPath, entity);
}

/** The embedder from the settings, or undefined after saying which setting is missing. */
function embedSettings(): EmbedJobSettings | undefined {
  const built = embedParams(textSideSettings());
  if (built.ok) return built.value;
  showMissingSetting(built.missing);
  return undefined;
}

/** The two jobs for one dataset and entity, each with its progress notification; true when the index was written. */
export async function buildIndexFor(runs: RunManager, datasetPath: string, entity: Entity): Promise<boolean> {
  const embedder = embedSettings();
  if (!embedder) return false;
  const name = path.basename(datasetPath);
  const embedded = await runs.run({
    kind: 'embed',
    params: { dataset: datasetPath, entity, ...embedder },
    title: `Embed ${entity} texts of ${name}`,
    subjectFile: datasetPath,
  });
  if (embedded.status !== 'done') return false;
  const indexed = await runs.run({
    kind: 'index',
    // The index job finds the embedding by its embedder (embeddings/<entity>s.<embedder>.json).
    params: { dataset: datasetPath, entity, embedder: embedder.embedder },
    title: `Build ${entity} neighbour index of ${name}`,
    subjectFile: datasetPath,
    summarize: (result) => ({ text: `index written to ${vscode.workspace.asRelativePath(result.manifestPath)}` }),
  });
  return indexed.status === 'done';
}
