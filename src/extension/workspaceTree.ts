// The "GRASP" side bar: datasets found in the workspace (click: statistics) and the runs under each
// workspace folder's .grasp/runs (name, time, status and test NDCG@10; click: the run's dashboard).
// Runs are read by the worker's run reader (one reader of run folders for every view), and the tree
// follows them live: a file watcher on the runs folders plus the run manager's start/end events.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunInfo } from '../core/jobs/listRuns';
import { filePick, findDatasetFiles, folderPicks } from './datasetPicker';
import type { RunManager } from './runManager';

const RUNS_FOLDER = path.join('.grasp', 'runs');

type Node = vscode.TreeItem & { children?: () => Promise<Node[]> };

/** Each workspace folder's runs folder: where Train Model writes and where runs are listed from. */
export function workspaceRunsDirs(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file').map((folder) => path.join(folder.uri.fsPath, RUNS_FOLDER));
}

class RefreshingTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    globs: string[],
    private readonly roots: () => Promise<Node[]>,
  ) {
    for (const glob of globs) {
      // One watcher per workspace folder (a RelativePattern), so the pattern is anchored at the folder.
      for (const folder of vscode.workspace.workspaceFolders ?? []) {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, glob));
        this.disposables.push(
          watcher,
          watcher.onDidCreate(() => this.refreshSoon()),
          watcher.onDidDelete(() => this.refreshSoon()),
          watcher.onDidChange(() => this.refreshSoon()),
        );
      }
    }
  }

  /** Many files change at once while a run writes (log, checkpoint, metrics): one refresh for the burst. */
  refreshSoon(delayMs = 300): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed.fire(), delayMs);
  }

  refresh(): void {
    clearTimeout(this.timer);
    this.changed.fire();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node;
  }

  getChildren(node?: Node): Promise<Node[]> {
    return node ? (node.children?.() ?? Promise.resolve([])) : this.roots();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const disposable of this.disposables) disposable.dispose();
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

const STATUS_ICON: Record<RunInfo['status'], string> = {
  finished: 'pass',
  training: 'sync~spin',
  interrupted: 'debug-pause',
  incomplete: 'circle-large-outline',
};
const STATUS_TEXT: Record<RunInfo['status'], string> = {
  finished: 'finished',
  training: 'training…',
  interrupted: 'interrupted (resumable)',
  incomplete: 'incomplete',
};

/** "14:05" today, "4 Dec 14:05" on another day: when the run started, in the user's time zone. */
export function runTime(iso: string | undefined, now = new Date()): string {
  if (!iso) return '';
  const date = new Date(iso);
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return date.toDateString() === now.toDateString() ? time : `${date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${time}`;
}

/** What a runs-tree row says after its name: time, then the headline metric or the status. */
export function runDescription(run: RunInfo, now = new Date()): string {
  const ndcg = run.test?.['NDCG@10'];
  const headline = run.status === 'finished' && typeof ndcg === 'number' ? `NDCG@10 ${ndcg.toFixed(4)}` : STATUS_TEXT[run.status];
  return [runTime(run.startedAt, now), headline].filter(Boolean).join(' · ');
}

function runTooltip(run: RunInfo): string {
  const metrics = run.test
    ? Object.entries(run.test)
        .map(([name, value]) => `${name} ${value.toFixed(4)}`)
        .join(', ')
    : undefined;
  return [
    run.name,
    `${run.model ?? '?'} · ${run.variant}${run.seeds && run.seeds.length > 1 ? ` · ${run.seeds.length} seeds` : ''} · ${STATUS_TEXT[run.status]}`,
    run.dataPath ? `dataset: ${run.dataPath}` : undefined,
    metrics ? `test: ${metrics}${run.bestEpoch ? ` (best epoch ${run.bestEpoch})` : ''}` : undefined,
    run.backend ? `engine: ${run.backend}` : undefined,
    run.dir,
  ]
    .filter(Boolean)
    .join('\n');
}

function runNode(run: RunInfo): Node {
  const node: Node = new vscode.TreeItem(run.name, vscode.TreeItemCollapsibleState.None);
  node.id = run.dir;
  node.description = runDescription(run);
  node.iconPath = new vscode.ThemeIcon(STATUS_ICON[run.status]);
  node.resourceUri = vscode.Uri.file(run.dir);
  node.tooltip = runTooltip(run);
  node.command = { command: 'grasp.showRunDashboard', title: 'Show Run Dashboard', arguments: [vscode.Uri.file(run.dir)] };
  node.contextValue = 'graspRun';
  return node;
}

export function registerWorkspaceTrees(runs: RunManager): vscode.Disposable[] {
  const datasets = new RefreshingTree(['**/*.{inter,item,txt,csv,tsv,jsonl,json}'], datasetNodes);
  let listing = false;
  const runNodes = async (): Promise<Node[]> => {
    const dirs = workspaceRunsDirs();
    if (dirs.length === 0) return [];
    const outcome = await runs.run({ kind: 'listRuns', params: { runsDirs: dirs }, title: 'List runs', quiet: true, background: true });
    if (outcome.status !== 'done') return [];
    listing = outcome.result.runs.some((run) => run.status === 'training');
    return outcome.result.runs.map(runNode);
  };
  const runsTree = new RefreshingTree([`${RUNS_FOLDER.replace(/\\/g, '/')}/**`], runNodes);
  // A run started elsewhere (the CLI in a terminal) writes its events to log.jsonl, which the watcher
  // sees; a run of this window also announces its start and end here, so the tree never waits for a poll.
  const poll = setInterval(() => listing && runsTree.refreshSoon(0), 5_000);
  const view = vscode.window.createTreeView('grasp.runs', { treeDataProvider: runsTree, canSelectMany: true });
  return [
    datasets,
    runsTree,
    view,
    { dispose: () => clearInterval(poll) },
    runs.onDidStartRun(() => runsTree.refreshSoon(1_000)),
    runs.onDidEndRun(() => runsTree.refreshSoon(0)),
    vscode.window.registerTreeDataProvider('grasp.datasets', datasets),
    vscode.commands.registerCommand('grasp.refreshTrees', () => {
      datasets.refresh();
      runsTree.refresh();
    }),
  ];
}
