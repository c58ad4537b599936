// Hosts the dataset statistics webview: one panel per dataset, computed by a stats job through the run
// manager (so it shows progress and can be cancelled), restored after a window reload by the serializer.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { STATS_VIEW_TYPE, type DatasetRef, type FromWebview, type StatsPanelState, type StatsView, type ToWebview } from '../../webview/stats/protocol';
import { createPanel, OpenPanels, PanelHost, registerPanelSerializer, type WebviewPage } from './panelHost';
import type { RunManager } from './runManager';
import { datasetFormat } from './settings';

export interface StatsPanelDeps {
  extensionUri: vscode.Uri;
  runs: RunManager;
}

const PAGE: WebviewPage = { viewType: STATS_VIEW_TYPE, script: 'stats', title: 'Dataset statistics' };

export class StatsPanel {
  private static readonly open = new OpenPanels<StatsPanel>();
  private readonly host: PanelHost<ToWebview, FromWebview>;
  /** The last state message, replayed when the webview (re)loads and says it is ready. */
  private current: ToWebview;
  private loadCancel: vscode.CancellationTokenSource | undefined;
  private loadGeneration = 0;

  /** Opens (or reveals) the panel for a dataset and computes its statistics. */
  static show(deps: StatsPanelDeps, dataset: vscode.Uri): void {
    const existing = StatsPanel.open.get(dataset.fsPath);
    if (existing) {
      existing.host.reveal();
      void existing.load();
      return;
    }
    const ref = datasetRef(dataset.fsPath);
    void new StatsPanel(deps, createPanel(deps.extensionUri, PAGE, panelTitle(ref)), ref).load();
  }

  /** Opens a panel with statistics that were computed already (e.g. by the demo job). */
  static showComputed(deps: StatsPanelDeps, datasetPath: string, stats: StatsView): void {
    StatsPanel.open.get(datasetPath)?.host.panel.dispose();
    const ref = datasetRef(datasetPath);
    new StatsPanel(deps, createPanel(deps.extensionUri, PAGE, panelTitle(ref)), ref, stats);
  }

  /** Restores panels after a window reload from the state the webview saved; recomputes only if it had none. */
  static registerSerializer(deps: StatsPanelDeps): vscode.Disposable {
    return registerPanelSerializer(deps.extensionUri, STATS_VIEW_TYPE, (panel, state) => {
      const saved = state as Partial<StatsPanelState> | undefined;
      if (!saved?.dataset?.path) return false; // saved before it knew its dataset
      const restored = new StatsPanel(deps, panel, datasetRef(saved.dataset.path), saved.stats);
      if (!saved.stats) void restored.load();
      return true;
    });
  }

  private constructor(
    private readonly deps: StatsPanelDeps,
    panel: vscode.WebviewPanel,
    private readonly dataset: DatasetRef,
    stats?: StatsView,
  ) {
    this.current = stats ? { type: 'stats', dataset, stats } : { type: 'loading', dataset };
    StatsPanel.open.add(dataset.path, this, panel);
    this.host = new PanelHost(panel, deps.extensionUri, PAGE, {
      onMessage: (message) => this.onMessage(message),
      onDidClose: () => this.loadCancel?.cancel(), // closing the panel stops its job
    });
  }

  private onMessage(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.host.post(this.current);
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
    this.host.post(message);
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
      summarize: (stats) => (this.host.visible ? undefined : { text: headline(stats), actions: [{ title: 'Open results', run: () => this.host.reveal() }] }),
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
