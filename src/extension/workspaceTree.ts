// The "GRASP" side bar: datasets found in the workspace (click: statistics) and the runs under
// .grasp/runs (status and headline metric). Both refresh when files under them change.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { filePick, findDatasetFiles, folderPicks } from './datasetPicker';

const RUNS_FOLDER = path.join('.grasp', 'runs');

type Node = vscode.TreeItem & { children?: () => Promise<Node[]> };

class RefreshingTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(
    glob: string,
    private readonly roots: () => Promise<Node[]>,
  ) {
    this.watcher = vscode.workspace.createFileSystemWatcher(glob);
    const refresh = () => this.changed.fire();
    this.watcher.onDidCreate(refresh);
    this.watcher.onDidDelete(refresh);
    this.watcher.onDidChange(refresh);
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node;
  }

  getChildren(node?: Node): Promise<Node[]> {
    return node ? (node.children?.() ?? Promise.resolve([])) : this.roots();
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}

/** Labels come from file names (untrusted, but a TreeItem label is plain text, never markup). */
async function datasetNodes(): Promise<Node[]> {
  const files = await findDatasetFiles();
  const picks = [...folderPicks(files), ...files.map(filePick)];
  return picks.map((pick) => {
    const node: Node = new vscode.TreeItem(pick.label.replace(/^\$\([a-z-]+\)\s*/, ''), vscode.TreeItemCollapsibleState.None);
    node.description = pick.description;
    node.resourceUri = pick.uri;
    node.iconPath = new vscode.ThemeIcon(pick.detail ? 'folder' : 'file');
    node.tooltip = pick.uri?.fsPath;
    node.command = { command: 'grasp.showStatistics', title: 'Show Dataset Statistics', arguments: [pick.uri] };
    node.contextValue = 'graspDataset';
    return node;
  });
}

interface RunSummary {
  status: 'finished' | 'incomplete';
  headline?: string;
}

/** A run folder is finished once it holds metrics.json; its headline is test NDCG@10 when present. */
async function summarizeRun(folder: vscode.Uri): Promise<RunSummary> {
  try {
    const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, 'metrics.json'))).toString('utf8');
    const metrics = JSON.parse(text) as { test?: { full?: Record<string, number> } };
    const ndcg = metrics.test?.full?.['NDCG@10'];
    return { status: 'finished', headline: typeof ndcg === 'number' ? `test NDCG@10 ${ndcg.toFixed(4)}` : undefined };
  } catch {
    return { status: 'incomplete' };
  }
}

async function runNodes(): Promise<Node[]> {
  const nodes: Node[] = [];
  for (const workspace of vscode.workspace.workspaceFolders ?? []) {
    const runsFolder = vscode.Uri.joinPath(workspace.uri, RUNS_FOLDER);
    let entries: [string, vscode.FileType][] = [];
    try {
      entries = await vscode.workspace.fs.readDirectory(runsFolder);
    } catch {
      continue; // no runs yet
    }
    for (const [name, type] of entries.sort(([a], [b]) => b.localeCompare(a))) {
      if (type !== vscode.FileType.Directory) continue;
      const folder = vscode.Uri.joinPath(runsFolder, name);
      const summary = await summarizeRun(folder);
      const node: Node = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
      node.description = summary.headline ?? summary.status;
      node.iconPath = new vscode.ThemeIcon(summary.status === 'finished' ? 'pass' : 'circle-large-outline');
      node.resourceUri = folder;
      node.tooltip = `${folder.fsPath}\n${summary.status}`;
      node.command = { command: 'revealInExplorer', title: 'Reveal', arguments: [folder] };
      node.contextValue = 'graspRun';
      nodes.push(node);
    }
  }
  return nodes;
}

export function registerWorkspaceTrees(): vscode.Disposable[] {
  const datasets = new RefreshingTree('**/*.{inter,item,txt,csv,tsv,jsonl,json}', datasetNodes);
  const runs = new RefreshingTree(`**/${RUNS_FOLDER.replace(/\\/g, '/')}/**`, runNodes);
  return [
    datasets,
    runs,
    vscode.window.registerTreeDataProvider('grasp.datasets', datasets),
    vscode.window.registerTreeDataProvider('grasp.runs', runs),
    vscode.commands.registerCommand('grasp.refreshTrees', () => {
      datasets.refresh();
      runs.refresh();
    }),
  ];
}
