// Export for Python: a finished run or a dataset's text side as plain files (.npy, TSV, RecBole atomic
// files, CSV), by the worker's `export` job, the same as `grasp export`.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { pickDataset } from './datasetPicker';
import { listRuns, runFolderOf, runPick, type RunPick } from './runCommands';
import type { RunPanelDeps } from './runPanels';
import { datasetFormat } from './settings';

interface TargetPick extends vscode.QuickPickItem {
  run?: RunPick['run'];
  dataset?: boolean;
}

/** What to export: the run or dataset the command was invoked on (a tree node, an explorer item), else the user's pick. */
async function pickTarget(deps: RunPanelDeps, arg: unknown): Promise<{ path: string; dataset: boolean } | undefined> {
  const given = runFolderOf(arg);
  if (given) {
    // A run node of the Runs view is a folder holding config.json; anything else is taken for a dataset.
    const isRun = (arg as { contextValue?: unknown } | null)?.contextValue === 'graspRun';
    return { path: given.fsPath, dataset: !isRun };
  }
  const finished = (await listRuns(deps)).filter((run) => run.status === 'finished');
  const datasetItem: TargetPick = { label: '$(database) A dataset…', description: 'its cached descriptions, embeddings and neighbours', dataset: true };
  const items: TargetPick[] = [
    ...(finished.length > 0 ? [{ label: 'Finished runs', kind: vscode.QuickPickItemKind.Separator }, ...finished.map(runPick)] : []),
    { label: 'Datasets', kind: vscode.QuickPickItemKind.Separator },
    datasetItem,
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: 'GRASP: Export what for Python?',
    placeHolder: 'A finished run (vectors, neighbours, ranks, metrics) or a dataset',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  if (picked.run) return { path: picked.run.dir, dataset: false };
  const dataset = await pickDataset();
  return dataset && { path: dataset.fsPath, dataset: true };
}

export async function exportForPython(deps: RunPanelDeps, arg?: unknown): Promise<void> {
  const target = await pickTarget(deps, arg);
  if (!target) return;
  await deps.runs.run({
    kind: 'export',
    params: { target: target.path, ...(target.dataset ? { load: { format: datasetFormat() } } : {}) },
    title: `Export ${path.basename(target.path)} for Python`,
    subjectFile: target.path,
    summarize: (result) => {
      const out = vscode.Uri.file(result.out);
      const notes = result.notes.length > 0 ? ` (${result.notes.join('; ')})` : '';
      return {
        text: `${result.files.length} files written to ${vscode.workspace.asRelativePath(out)}${notes}`,
        // The explorer can show a folder of the workspace; one elsewhere is shown by the OS.
        actions: [
          { title: 'Reveal', run: () => vscode.commands.executeCommand(vscode.workspace.getWorkspaceFolder(out) ? 'revealInExplorer' : 'revealFileInOS', out) },
        ],
      };
    },
  });
}
