// Compare Runs and Show Run Dashboard from the palette or the runs tree. Runs are listed by the worker's run
// reader (names from the configs, newest first); a comparison's baseline is chosen explicitly.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunInfo } from '../core/jobs/listRuns';
import { ComparePanel, LiveDashboard, stateFromDetails, type RunPanelDeps } from './runPanels';
import { runDescription, workspaceRunsDirs } from './workspaceTree';

export interface RunPick extends vscode.QuickPickItem {
  run: RunInfo;
}

export async function listRuns(deps: RunPanelDeps): Promise<RunInfo[]> {
  const dirs = workspaceRunsDirs();
  if (dirs.length === 0) return [];
  const outcome = await deps.runs.run({ kind: 'listRuns', params: { runsDirs: dirs }, title: 'List runs', quiet: true, background: true });
  return outcome.status === 'done' ? outcome.result.runs : [];
}

export function runPick(run: RunInfo): RunPick {
  return {
    label: run.name,
    description: runDescription(run),
    detail: `${run.model ?? '?'} · ${run.variant} · ${run.dataPath ? vscode.workspace.asRelativePath(run.dataPath) : '?'}`,
    run,
  };
}

/** The tree passes its node (a TreeItem with the run folder as resourceUri); the palette passes nothing. */
export function runFolderOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const resource = (arg as { resourceUri?: unknown } | null)?.resourceUri;
  return resource instanceof vscode.Uri ? resource : undefined;
}

/**
 * Which of the chosen runs the others are tested against. Asked every time (the order runs were listed or
 * clicked in says nothing about it); a plain run is offered first, being the usual baseline of a GRASP run.
 */
export async function pickBaseline(runs: RunInfo[]): Promise<RunInfo | undefined> {
  const ordered = [...runs].sort((a, b) => Number(a.variant !== 'plain') - Number(b.variant !== 'plain'));
  const picked = await vscode.window.showQuickPick(
    ordered.map((run) => ({ ...runPick(run), description: `${run.variant === 'plain' ? 'plain backbone · ' : `${run.variant} · `}${runDescription(run)}` })),
    { title: 'GRASP: Which run is the baseline?', placeHolder: 'The other runs are compared with it (paired t-test on per-user NDCG@10)' },
  );
  return picked?.run;
}

export async function compareRunsCommand(deps: RunPanelDeps, arg?: unknown, selected?: unknown[]): Promise<void> {
  const all = await listRuns(deps);
  const finished = all.filter((run) => run.status === 'finished');
  // A multi-selection in the tree arrives as the second argument.
  const fromTree = (selected ?? []).map(runFolderOf).filter((uri): uri is vscode.Uri => !!uri);
  let chosen = fromTree.length > 1 ? finished.filter((run) => fromTree.some((uri) => uri.fsPath === run.dir)) : undefined;
  if (!chosen || chosen.length < 2) {
    if (finished.length < 2) {
      void vscode.window.showInformationMessage('GRASP: Compare Runs needs at least two finished runs under .grasp/runs.');
      return;
    }
    const preselected = runFolderOf(arg)?.fsPath;
    const picks = finished.map((run) => ({ ...runPick(run), picked: run.dir === preselected }));
    const picked = await vscode.window.showQuickPick(picks, {
      title: 'GRASP: Compare which runs?',
      placeHolder: 'Pick two or more; the baseline is asked next',
      canPickMany: true,
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    if (picked.length < 2) {
      void vscode.window.showInformationMessage('GRASP: pick at least two runs to compare.');
      return;
    }
    chosen = picked.map((pick) => pick.run);
  }
  const baseline = await pickBaseline(chosen);
  if (!baseline) return;
  ComparePanel.show(deps, [baseline.dir, ...chosen.filter((run) => run !== baseline).map((run) => run.dir)]);
}

export async function showRunDashboard(deps: RunPanelDeps, arg?: unknown): Promise<void> {
  let folder = runFolderOf(arg)?.fsPath;
  if (!folder) {
    if (LiveDashboard.revealLatest()) return;
    const runs = await listRuns(deps);
    if (runs.length === 0) {
      void vscode.window.showInformationMessage('GRASP: no run yet. Train Model opens a live dashboard.');
      return;
    }
    folder = (await vscode.window.showQuickPick(runs.map(runPick), { title: 'GRASP: Show the dashboard of which run?', matchOnDescription: true }))?.run.dir;
    if (!folder) return;
  }
  // A run training in this window already has its live dashboard.
  const open = LiveDashboard.forRun(folder);
  if (open) {
    open.reveal();
    return;
  }
  const outcome = await deps.runs.run({
    kind: 'readRun',
    params: { run: folder },
    title: `Read ${path.basename(folder)}`,
    subjectFile: folder,
    quiet: true,
    background: true,
  });
  if (outcome.status === 'done') LiveDashboard.showFinished(deps, stateFromDetails(outcome.result));
  else if (outcome.status === 'failed') void vscode.window.showErrorMessage(`GRASP: cannot show ${path.basename(folder)}: ${outcome.message}`);
}
