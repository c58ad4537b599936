// Which dataset a command is about: the explorer item it was invoked on, else the active editor's file when
// it looks like a dataset, else the user's choice among the dataset files and folders in the workspace.
import * as path from 'node:path';
import * as vscode from 'vscode';

const DATASET_GLOB = '**/*.{inter,txt,csv,tsv,jsonl,inter.json}';
const EXCLUDE_GLOB = '**/{node_modules,.grasp,.git,dist,out}/**';
const MAX_FILES = 500;
/**
 * `.txt` and `.csv` are also used for notes and manifests, and `grasp.annotations.jsonl` holds people's
 * verdicts on texts (a JSON-lines file like a dataset's): these names are never datasets.
 */
const NOT_DATASET = /^(readme|license|licence|notice|changelog|requirements.*|notes?|todo|cmakelists)\.[a-z]+$|(^|[._-])annotations\.jsonl$/i;

/** Item metadata sits beside interactions (item_text.tsv, Beauty_item2attributes.json): not a dataset by itself. */
const METADATA = /(^|[_.-])items?([_.-]|$)|item_text|item2|meta/i;

export function looksLikeDataset(uri: vscode.Uri): boolean {
  const name = path.basename(uri.fsPath);
  return uri.scheme === 'file' && /\.(inter|txt|csv|tsv|jsonl|inter\.json)$/i.test(name) && !NOT_DATASET.test(name) && !METADATA.test(name);
}

export async function pickDataset(explorerUri?: unknown): Promise<vscode.Uri | undefined> {
  if (explorerUri instanceof vscode.Uri) return explorerUri;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && looksLikeDataset(active)) return active;
  return pickFromWorkspace();
}

export interface DatasetPick extends vscode.QuickPickItem {
  uri?: vscode.Uri;
}

/** Dataset files in the workspace (the tree view and the picker share this search). */
export async function findDatasetFiles(): Promise<vscode.Uri[]> {
  return (await vscode.workspace.findFiles(DATASET_GLOB, EXCLUDE_GLOB, MAX_FILES)).filter(looksLikeDataset);
}

async function pickFromWorkspace(): Promise<vscode.Uri | undefined> {
  const files = await findDatasetFiles();
  const browse: DatasetPick = { label: '$(folder-opened) Browse…', description: 'a dataset file or folder anywhere' };
  const picks: DatasetPick[] = [...folderPicks(files), ...files.map(filePick)];
  if (picks.length > 0) picks.unshift({ label: 'Workspace', kind: vscode.QuickPickItemKind.Separator });
  const picked = await vscode.window.showQuickPick([...picks, { label: '', kind: vscode.QuickPickItemKind.Separator }, browse], {
    title: 'GRASP: Which dataset?',
    placeHolder: files.length ? 'A dataset folder (all its files) or a single interactions file' : 'No dataset files found in the workspace',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  if (picked !== browse) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    title: 'Dataset file or folder',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return chosen?.[0];
}

/** A folder below the workspace root that holds interactions is offered whole, so its item metadata comes along. */
export function folderPicks(files: vscode.Uri[]): DatasetPick[] {
  const byFolder = new Map<string, number>();
  for (const file of files) {
    const folder = path.dirname(file.fsPath);
    byFolder.set(folder, (byFolder.get(folder) ?? 0) + 1);
  }
  return [...byFolder]
    .filter(([folder]) => !(vscode.workspace.workspaceFolders ?? []).some((root) => root.uri.fsPath === folder))
    .map(([folder, count]) => ({
      label: `$(folder) ${path.basename(folder)}`,
      description: vscode.workspace.asRelativePath(folder),
      detail: count === 1 ? 'interactions and item metadata' : `${count} interaction files`,
      uri: vscode.Uri.file(folder),
    }));
}

export function filePick(uri: vscode.Uri): DatasetPick {
  return { label: `$(file) ${path.basename(uri.fsPath)}`, description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), uri };
}
