// Compare Runs and Show Run Dashboard from the palette or the runs tree.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ComparePanel, LiveDashboard, stateFromMetrics, type RunPanelDeps } from './runPanels';

interface RunPick extends vscode.QuickPickItem {
  uri: vscode.Uri;
}

/** Finished runs (a metrics.json) under every workspace folder's .grasp/runs, newest first. */
async function finishedRuns(): Promise<RunPick[]> {
  const picks: RunPick[] = [];
  for (const workspace of vscode.workspace.workspaceFolders ?? []) {
    const folder = vscode.Uri.joinPath(workspace.uri, '.grasp', 'runs');
    const entries = await Promise.resolve(vscode.workspace.fs.readDirectory(folder)).catch(() => [] as [string, vscode.FileType][]);
    for (const [name, type] of entries.sort(([a], [b]) => b.localeCompare(a))) {
      if (type !== vscode.FileType.Directory) continue;
      const uri = vscode.Uri.joinPath(folder, name);
      const finished = await Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.joinPath(uri, 'metrics.json'))).then(() => true, () => false);
      if (finished) picks.push({ label: name, description: vscode.workspace.asRelativePath(uri), uri });
    }
  }
  return picks;
}

/** The tree passes its node (a TreeItem with the run folder as resourceUri); the palette passes nothing. */
function runFolderOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const resource = (arg as { resourceUri?: unknown } | null)?.resourceUri;
  return resource instanceof vscode.Uri ? resource : undefined;
}

export async function compareRunsCommand(deps: RunPanelDeps, arg?: unknown, selected?: unknown[]): Promise<void> {
  // A multi-selection in the tree arrives as the second argument.
  const fromTree = (selected ?? []).map(runFolderOf).filter((uri): uri is vscode.Uri => !!uri);
  let runs = fromTree.length > 1 ? fromTree : undefined;
  if (!runs) {
    const preselected = runFolderOf(arg)?.fsPath;
    const picks = await finishedRuns();
    if (picks.length < 2) {
      void vscode.window.showInformationMessage('GRASP: Compare Runs needs at least two finished runs under .grasp/runs.');
      return;
    }
    for (const pick of picks) pick.picked = pick.uri.fsPath === preselected;
    const chosen = await vscode.window.showQuickPick(picks, { title: 'GRASP: Compare which runs? (the first is the baseline)', canPickMany: true, matchOnDescription: true });
    if (!chosen) return;
    if (chosen.length < 2) {
      void vscode.window.showInformationMessage('GRASP: pick at least two runs to compare.');
      return;
    }
    runs = chosen.map((pick) => pick.uri);
  }
  ComparePanel.show(deps, runs.map((uri) => uri.fsPath));
}

export async function showRunDashboard(deps: RunPanelDeps, arg?: unknown): Promise<void> {
  let folder = runFolderOf(arg);
  if (!folder) {
    if (LiveDashboard.reveal()) return;
    const picks = await finishedRuns();
    if (picks.length === 0) {
      void vscode.window.showInformationMessage('GRASP: no run yet. Train Model opens a live dashboard.');
      return;
    }
    folder = (await vscode.window.showQuickPick(picks, { title: 'GRASP: Show the dashboard of which run?' }))?.uri;
    if (!folder) return;
  }
  try {
    const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'metrics.json'))).toString('utf8');
    LiveDashboard.showFinished(deps, stateFromMetrics(folder.fsPath, JSON.parse(text)));
  } catch (error) {
    void vscode.window.showErrorMessage(`GRASP: ${path.basename(folder.fsPath)} has no readable metrics.json (${(error as Error).message})`);
  }
}
