// Train Model / Evaluate Run from the palette, and the "Train with this config" CodeLens on run-config
// files. Training runs in a worker like every job; its run folder goes to <workspace>/.grasp/runs, where
// the side bar lists it.
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import * as vscode from 'vscode';
import type { ModelVariant } from '../core/train/config';
import { pickDataset } from './datasetPicker';
import { BUDGETS, quickRunConfig, type Backbone, type BudgetChoice, type TrainOverrides } from './quickConfig';
import { LiveDashboard, type RunPanelDeps } from './runPanels';
import type { RunManager } from './runManager';
import { showMissingSetting, textSideSettings } from './settings';
import { graspTextSection, type GraspTextSection } from './textSettings';

interface BackbonePick extends vscode.QuickPickItem {
  model: Backbone;
}

interface VariantPick extends vscode.QuickPickItem {
  variant: ModelVariant;
}

// The variants and backbones are core's lists (MODEL_VARIANTS, MODEL_KINDS), which the host may not
// import at run time (scripts/check-host-bundle.mjs): keyed by their types instead, so a variant or
// backbone added in core fails to compile here until the quick pick offers it.

/** GRASP on or off (and the two LLM baselines it is compared with), DESIGN §2. */
const VARIANT_ITEMS: Record<ModelVariant, vscode.QuickPickItem> = {
  plain: { label: 'GRASP off', description: 'the backbone alone' },
  grasp: { label: 'GRASP on', description: 'holistic attention over retrieved items and users' },
  'llm-init': { label: 'LLM-init', description: 'baseline: item embeddings initialised from the text embeddings' },
  'llm-esr': { label: 'LLM-ESR', description: 'baseline: semantic view + self-distillation to similar users' },
};
const VARIANTS: VariantPick[] = Object.entries(VARIANT_ITEMS).map(([variant, item]) => ({ ...item, variant: variant as ModelVariant }));

const BACKBONE_ITEMS: Record<Backbone, vscode.QuickPickItem> = {
  sasrec: { label: 'SASRec', description: 'self-attention (Kang & McAuley 2018)' },
  gru4rec: { label: 'GRU4Rec', description: 'recurrent' },
  bert4rec: { label: 'BERT4Rec', description: 'bidirectional, masked item prediction' },
};
const BACKBONES: BackbonePick[] = Object.entries(BACKBONE_ITEMS).map(([model, item]) => ({ ...item, model: model as Backbone }));

/** A JSON file is a run config when its top level has both `data` and `model` (the schema's required keys). */
export function isRunConfig(text: string): boolean {
  const value = parseJsonc(text) as unknown;
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'data' in value && 'model' in value;
}

function runsFolder(near?: vscode.Uri): vscode.Uri | undefined {
  const workspace = (near && vscode.workspace.getWorkspaceFolder(near)) ?? vscode.workspace.workspaceFolders?.[0];
  return workspace && vscode.Uri.joinPath(workspace.uri, '.grasp', 'runs');
}

function runName(label: string): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${label.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 48)}`;
}

export async function trainModel(runs: RunManager, configUri?: vscode.Uri, panels?: RunPanelDeps): Promise<void> {
  const request = configUri instanceof vscode.Uri ? await configRequest(configUri) : await askForRun();
  if (!request) return;
  const folder = runsFolder(configUri);
  if (!folder) {
    void vscode.window.showErrorMessage('GRASP: open a folder first; runs are written to its .grasp/runs.');
    return;
  }
  const outDir = vscode.Uri.joinPath(folder, runName(request.label)).fsPath;
  // The dashboard follows the run live and has its own Cancel button and progress: no progress toast over
  // it (the status bar still shows the run, and a click there cancels it too).
  const cancel = new vscode.CancellationTokenSource();
  const dashboard =
    panels && LiveDashboard.start(panels, request.label, outDir, { epochs: request.epochs, maxMinutes: request.maxMinutes }, () => cancel.cancel());
  const outcome = await runs.run({
    kind: 'train',
    params: { configPath: request.configPath, config: request.config, outDir },
    title: `Train ${request.label}`,
    subjectFile: request.configPath,
    quiet: !!dashboard,
    cancellation: cancel.token,
    onProgress: (update) => dashboard?.progress(update),
    onEvent: (event) => dashboard?.event(event),
    summarize: (result) => {
      // The dashboard in view already shows the result: a notification would only cover it.
      if (dashboard?.visible) return undefined;
      const test = result.metrics.test.full;
      return {
        text: `test NDCG@10 ${test['NDCG@10']?.toFixed(4)}, HR@10 ${test['HR@10']?.toFixed(4)} (best epoch ${result.best_epoch}, ${result.backend})`,
        actions: [{ title: 'Open results', run: () => vscode.window.showTextDocument(vscode.Uri.file(path.join(result.run, 'metrics.json'))) }],
      };
    },
  });
  cancel.dispose();
  if (outcome.status === 'done')
    dashboard?.end({
      status: 'done',
      test: outcome.result.metrics.test.full,
      bestEpoch: outcome.result.best_epoch,
      runDir: outcome.result.run,
      message: `best epoch ${outcome.result.best_epoch}, ${outcome.result.backend}`,
    });
  else dashboard?.end({ status: outcome.status, message: outcome.status === 'failed' ? outcome.message : undefined });
}

interface RunRequest {
  label: string;
  configPath?: string;
  config?: unknown;
  /** The epoch budget when the quick path set it (a config file's is read from the run's progress). */
  epochs?: number;
  /** The wall-time budget in minutes (quick path, or a config file's train.maxMinutes). */
  maxMinutes?: number;
}

/** A run from a config file: named by the config's `name` (as the runs list will), else by the file. */
async function configRequest(uri: vscode.Uri): Promise<RunRequest> {
  let parsed: { name?: unknown; train?: { maxMinutes?: unknown } } | undefined;
  try {
    parsed = parseJsonc(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8')) as typeof parsed;
  } catch {
    // unreadable here: the train job reports it with the file and the reason
  }
  const name = parsed?.name;
  const label = typeof name === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(name) ? name : path.basename(uri.fsPath, '.json');
  // The epoch budget shows in the trainer's progress line; a time budget does not, so it is read here.
  const maxMinutes = parsed?.train?.maxMinutes;
  return { configPath: uri.fsPath, label, maxMinutes: typeof maxMinutes === 'number' && maxMinutes > 0 ? maxMinutes : undefined };
}

type BudgetPick = BudgetChoice & vscode.QuickPickItem;

async function pickBudget(): Promise<TrainOverrides | undefined> {
  const items: BudgetPick[] = [];
  for (const budget of BUDGETS) {
    if (items[items.length - 1]?.group !== budget.group)
      items.push({ label: budget.group === 'time' ? 'Wall time' : 'Epochs', kind: vscode.QuickPickItemKind.Separator, group: budget.group });
    items.push({ ...budget });
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'GRASP: Training budget',
    placeHolder: 'Epochs or minutes to train at most (the dashboard shows the time per epoch and the time left)',
  });
  if (!picked) return undefined;
  if (!picked.custom) return picked.train;
  const answer = await vscode.window.showInputBox({
    title: 'GRASP: Epochs to train at most',
    value: '30',
    validateInput: (text) => (/^\d+$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 100_000 ? undefined : 'A whole number of epochs, 1 or more'),
  });
  return answer === undefined ? undefined : { epochs: Number(answer.trim()) };
}

/** Quick picks: a config file from the workspace, or a dataset and a backbone with default settings. */
async function askForRun(): Promise<RunRequest | undefined> {
  const configs = await findRunConfigs();
  const quick = { label: '$(rocket) Choose a dataset and a backbone…', description: 'default settings' };
  const items: Array<vscode.QuickPickItem & { uri?: vscode.Uri }> = [
    quick,
    ...configs.map((uri) => ({ label: `$(json) ${path.basename(uri.fsPath)}`, description: vscode.workspace.asRelativePath(uri), uri })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'GRASP: Train Model', placeHolder: 'A run config file, or a quick setup' });
  if (!picked) return undefined;
  if (picked.uri) return configRequest(picked.uri);
  const dataset = await pickDataset();
  if (!dataset) return undefined;
  const backbone = await vscode.window.showQuickPick(BACKBONES, { title: 'GRASP: Which backbone?' });
  if (!backbone) return undefined;
  const variant = await vscode.window.showQuickPick(VARIANTS, { title: 'GRASP: GRASP on or off?' });
  if (!variant) return undefined;
  // The text side comes from the grasp.embedder.* and grasp.synthesis.* settings; checked before the budget
  // is asked, so a missing server URL is said at once.
  let text: GraspTextSection | undefined;
  if (variant.variant !== 'plain') {
    const built = graspTextSection(textSideSettings());
    if (!built.ok) {
      showMissingSetting(built.missing);
      return undefined;
    }
    text = built.value;
  }
  const train = await pickBudget();
  if (!train) return undefined;
  const datasetName = path.basename(dataset.fsPath).replace(/\.[^.]+$/, '');
  return quickRunConfig({ dataset: dataset.fsPath, datasetName, model: backbone.model, variant: variant.variant, train, text });
}

async function findRunConfigs(): Promise<vscode.Uri[]> {
  const candidates = await vscode.workspace.findFiles('**/*.json', '**/{node_modules,.grasp,.git,dist}/**', 300);
  const configs: vscode.Uri[] = [];
  for (const uri of candidates) {
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.byteLength < 64 * 1024 && isRunConfig(Buffer.from(bytes).toString('utf8'))) configs.push(uri);
  }
  return configs;
}

export async function evaluateRun(runs: RunManager, runFolder?: vscode.Uri): Promise<void> {
  const folder = runFolder instanceof vscode.Uri ? runFolder : await pickRunFolder();
  if (!folder) return;
  await runs.run({
    kind: 'evaluate',
    params: { run: folder.fsPath },
    title: `Evaluate ${path.basename(folder.fsPath)}`,
    subjectFile: folder.fsPath,
    summarize: (result) => ({ text: `re-evaluated on ${result.backend}` }),
  });
}

async function pickRunFolder(): Promise<vscode.Uri | undefined> {
  const folder = runsFolder();
  if (!folder) return undefined;
  let entries: [string, vscode.FileType][] = [];
  try {
    entries = await vscode.workspace.fs.readDirectory(folder);
  } catch {
    void vscode.window.showInformationMessage('GRASP: no runs yet (.grasp/runs is empty). Train a model first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    entries
      .filter(([, type]) => type === vscode.FileType.Directory)
      .map(([name]) => ({ label: name, uri: vscode.Uri.joinPath(folder, name) }))
      .reverse(),
    { title: 'GRASP: Evaluate which run?' },
  );
  return picked?.uri;
}

/** "Train with this config" above every run-config JSON file. */
export class TrainConfigCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (document.getText().length > 64 * 1024 || !isRunConfig(document.getText())) return [];
    return [
      new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), { title: '$(play) Train with this config', command: 'grasp.trainModel', arguments: [document.uri] }),
    ];
  }
}
