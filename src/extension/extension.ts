// Extension entry (dist/extension.js). Activation is lazy (a command, or a statistics panel being restored),
// and activate() only wires things up: every job runs in a worker process started by the run manager.
import * as vscode from 'vscode';
import { installAccelerator, withAcceleratorEnv } from './accelerator';
import { ApiKeys } from './apiKeys';
import { pickDataset } from './datasetPicker';
import { generateDemo } from './demo';
import { RunManager } from './runManager';
import { StatsPanel } from './statsPanel';
import { buildNeighbourIndex, synthesizeDescriptions } from './retrieval';
import { evaluateRun, TrainConfigCodeLens, trainModel } from './training';
import { registerWorkspaceTrees } from './workspaceTree';
import { inspectNeighbours, NeighboursPanel } from './neighboursPanel';
import { InspectIdHover, inspectTargetOf } from './inspectTargets';
import { compareRunsCommand, showRunDashboard } from './runCommands';
import { exportForPython } from './exportCommand';
import { registerRunsSerializer } from './runPanels';
import { ReviewPanel, reviewFlags } from './reviewPanel';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('GRASP', { log: true });
  const key = new ApiKeys(context.secrets);
  const runs = new RunManager(context.asAbsolutePath('dist/worker.js'), log, async () => withAcceleratorEnv(await key.workerEnv()));
  const deps = { extensionUri: context.extensionUri, runs };

  context.subscriptions.push(
    log,
    runs,
    StatsPanel.registerSerializer(deps),
    vscode.commands.registerCommand('grasp.showStatistics', async (uri?: unknown) => {
      const dataset = await pickDataset(uri);
      if (dataset) StatsPanel.show(deps, dataset);
    }),
    vscode.commands.registerCommand('grasp.generateDemo', () => generateDemo(deps)),
    vscode.commands.registerCommand('grasp.cancelRun', () => cancelRun(runs)),
    vscode.commands.registerCommand('grasp.setAnthropicKey', () => key.promptAndStore('anthropic')),
    vscode.commands.registerCommand('grasp.checkAnthropicKey', () => key.checkInWorker(runs, 'anthropic')),
    vscode.commands.registerCommand('grasp.setVoyageKey', () => key.promptAndStore('voyage')),
    vscode.commands.registerCommand('grasp.checkVoyageKey', () => key.checkInWorker(runs, 'voyage')),
    vscode.commands.registerCommand('grasp.setOpenAIKey', () => key.promptAndStore('openai')),
    vscode.commands.registerCommand('grasp.checkOpenAIKey', () => key.checkInWorker(runs, 'openai')),
    vscode.commands.registerCommand('grasp.installAccelerator', () => installAccelerator(runs)),
    vscode.commands.registerCommand('grasp.synthesize', () => synthesizeDescriptions(runs)),
    vscode.commands.registerCommand('grasp.buildIndex', () => buildNeighbourIndex(runs)),
    vscode.commands.registerCommand('grasp.trainModel', (uri?: vscode.Uri) => trainModel(runs, uri, deps)),
    vscode.commands.registerCommand('grasp.evaluateRun', (uri?: vscode.Uri) => evaluateRun(runs, uri)),
    vscode.languages.registerCodeLensProvider({ language: 'json', scheme: 'file' }, new TrainConfigCodeLens()),
    ...registerWorkspaceTrees(runs),
    NeighboursPanel.registerSerializer(deps),
    vscode.commands.registerCommand('grasp.inspectNeighbours', (arg?: unknown) => inspectNeighbours(deps, inspectTargetOf(arg))),
    vscode.languages.registerHoverProvider([{ scheme: 'file', pattern: '**/*.{inter,txt}' }], new InspectIdHover()),
    registerRunsSerializer(deps),
    vscode.commands.registerCommand('grasp.compareRuns', (arg?: unknown, selected?: unknown[]) => compareRunsCommand(deps, arg, selected)),
    vscode.commands.registerCommand('grasp.showRunDashboard', (arg?: unknown) => showRunDashboard(deps, arg)),
    vscode.commands.registerCommand('grasp.exportForPython', (arg?: unknown) => exportForPython(deps, arg)),
    ReviewPanel.registerSerializer({ ...deps, key }),
    vscode.commands.registerCommand('grasp.reviewFlags', (arg?: unknown) => reviewFlags({ ...deps, key }, arg)),
  );
}

export function deactivate(): void {
  // Disposing context.subscriptions (the run manager among them) cancels running jobs and stops their workers.
}

async function cancelRun(runs: RunManager): Promise<void> {
  const active = runs.runs;
  if (active.length === 0) {
    void vscode.window.showInformationMessage('GRASP: no run is in progress.');
    return;
  }
  if (active.length === 1) {
    active[0].cancel();
    return;
  }
  const picked = await vscode.window.showQuickPick(
    active.map((run) => ({ label: run.title, run })),
    { title: 'GRASP: Cancel which run?' },
  );
  picked?.run.cancel();
}
