// Hosts the dataset statistics webview: one panel per dataset, computed by a stats job through the run
// manager (so it shows progress and can be cancelled), restored after a window reload by the serializer.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { STATS_VIEW_TYPE, type DatasetRef, type FromWebview, type StatsPanelState, type StatsView, type ToWebview } from '../../webview/stats/protocol';
import type { RunManager } from './runManager';
import { datasetFormat } from './settings';
import { webviewHtml, webviewOptions } from './webviewHtml';

export interface StatsPanelDeps {
  extensionUri: vscode.Uri;
  runs: RunManager;
}

export class StatsPanel {
  private static readonly byPath = new Map<string, StatsPanel>();
  /** The last state message, replayed when the webview (re)loads and says it is ready. */
  private current: ToWebview;
  private loadCancel: vscode.CancellationTokenSource | undefined;
  private loadGeneration = 0;
  private disposed = false;

  /** Opens (or reveals) the panel for a dataset and computes its statistics. */
  static show(deps: StatsPanelDeps, dataset: vscode.Uri): void {
    const existing = StatsPanel.byPath.get(dataset.fsPath);
    if (existing) {
      existing.panel.reveal(vscode.ViewColumn.Beside);
      void existing.load();
      return;
    }
    const ref = datasetRef(dataset.fsPath);
    const panel = vscode.window.createWebviewPanel(STATS_VIEW_TYPE, panelTitle(ref), vscode.ViewColumn.Beside, webviewOptions(deps.extensionUri));
    void new StatsPanel(deps, panel, ref).load();
  }

  /** Opens a panel with statistics that were computed already (e.g. by the demo job). */
  static showComputed(deps: StatsPanelDeps, datasetPath: string, stats: StatsView): void {
    StatsPanel.byPath.get(datasetPath)?.panel.dispose();
    const ref = datasetRef(datasetPath);
    const panel = vscode.window.createWebviewPanel(STATS_VIEW_TYPE, panelTitle(ref), vscode.ViewColumn.Beside, webviewOptions(deps.extensionUri));
    new StatsPanel(deps, panel, ref, stats);
  }

  /** Restores panels after a window reload from the state the webview saved; recomputes only if it had none. */
  static registerSerializer(deps: StatsPanelDeps): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(STATS_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const saved = state as Partial<StatsPanelState> | undefined;
        if (!saved?.dataset?.path) {
          panel.dispose(); // nothing to show: the panel was saved before it knew its dataset
          return;
        }
        panel.webview.options = webviewOptions(deps.extensionUri);
        const restored = new StatsPanel(deps, panel, datasetRef(saved.dataset.path), saved.stats);
        if (!saved.stats) void restored.load();
      },
    });
  }

  private constructor(
    private readonly deps: StatsPanelDeps,
    private readonly panel: vscode.WebviewPanel,
    private readonly dataset: DatasetRef,
    stats?: StatsView,
  ) {
    this.current = stats ? { type: 'stats', dataset, stats } : { type: 'loading', dataset };
    StatsPanel.byPath.set(dataset.path, this);
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, 'stats', 'Dataset statistics');
    panel.webview.onDidReceiveMessage((message: FromWebview) => this.onMessage(message));
    panel.onDidDispose(() => {
      this.disposed = true;
      this.loadCancel?.cancel(); // closing the panel stops its job
      if (StatsPanel.byPath.get(dataset.path) === this) StatsPanel.byPath.delete(dataset.path);
    });
  }

  private onMessage(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        void this.panel.webview.postMessage(this.current);
        break;
      case 'refresh':
        void this.load();
        break;
      case 'cancel':
        this.loadCancel?.cancel();
        break;
    }
  }

  private post(message: ToWebview): void {
    if (message.type !== 'progress') this.current = message;
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private async load(): Promise<void> {
    this.loadCancel?.cancel();
    const cancel = (this.loadCancel = new vscode.CancellationTokenSource());
    const generation = ++this.loadGeneration;
    const { dataset } = this;
    this.post({ type: 'loading', dataset });
    const outcome = await this.deps.runs.run({
      kind: 'stats',
      params: { path: dataset.path, options: { format: datasetFormat() } },
      title: `Statistics of ${dataset.name}`,
      subjectFile: dataset.path,
      cancellation: cancel.token,
      onProgress: (update) => generation === this.loadGeneration && this.post({ type: 'progress', ...update }),
      // The panel is the result; a notification helps only when the user looked elsewhere meanwhile.
      summarize: (stats) =>
        this.panel.visible
          ? undefined
          : { text: headline(stats), actions: [{ title: 'Open results', run: () => this.panel.reveal(vscode.ViewColumn.Beside) }] },
    });
    cancel.dispose();
    if (generation !== this.loadGeneration) return; // a newer load replaced this one
    this.loadCancel = undefined;
    if (outcome.status === 'done') this.post({ type: 'stats', dataset, stats: outcome.result, seconds: outcome.seconds });
    else if (outcome.status === 'cancelled') this.post({ type: 'cancelled', dataset });
    else this.post({ type: 'failed', dataset, message: outcome.message });
  }
}

export function headline(stats: Pick<StatsView, 'users' | 'items' | 'interactions'>): string {
  const n = (value: number) => value.toLocaleString('en-US');
  return `${n(stats.users)} users, ${n(stats.items)} items, ${n(stats.interactions)} interactions`;
}

function datasetRef(datasetPath: string): DatasetRef {
  return { name: path.basename(datasetPath), path: datasetPath };
}

function panelTitle(dataset: DatasetRef): string {
  return `Stats: ${dataset.name}`;
}
