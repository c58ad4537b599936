// Hosts the run panels: the live dashboard of a training run (fed by the run manager's progress and log
// events, applied to one state with the same pure updates as the page) and Compare Runs (a compareRuns job,
// exported as CSV/Markdown to a file the user picks, written atomically).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { reportToCsv, reportToMarkdown } from '../core/eval/report';
import { writeFileAtomic } from '../core/util/atomicWrite';
import { addEpochLoss, addEval, addLossPoint } from '../../webview/runs/live';
import { RUNS_VIEW_TYPE, type CompareReport, type FromWebview, type LiveState, type RunsPanelState, type ToWebview } from '../../webview/runs/protocol';
import type { JobProgressParams } from '../worker/protocol';
import type { RunManager } from './runManager';
import { webviewHtml, webviewOptions } from './webviewHtml';

export interface RunPanelDeps {
  extensionUri: vscode.Uri;
  runs: RunManager;
}

/** The page <title> is a fixed string: webviewHtml puts it into markup, so no run name may go there. */
const PAGE_TITLE = { live: 'Run dashboard', compare: 'Compare runs' } as const;

function createPanel(deps: RunPanelDeps, tabTitle: string, mode: keyof typeof PAGE_TITLE): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(RUNS_VIEW_TYPE, tabTitle, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(deps.extensionUri));
  panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, 'runs', PAGE_TITLE[mode]);
  return panel;
}

/** A training event as the train job logs it (one JSON object per line); other lines are ignored. */
type TrainLogEvent =
  | { event: 'epoch'; epoch: number; loss: number }
  | { event: 'eval'; epoch: number; valid: Record<string, number>; best: boolean }
  | { event: string };

function parseEvent(line: string): TrainLogEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as { event?: unknown };
    return typeof value.event === 'string' ? (value as TrainLogEvent) : undefined;
  } catch {
    return undefined;
  }
}

export class LiveDashboard {
  private static latest: LiveDashboard | undefined;
  private disposed = false;

  static start(deps: RunPanelDeps, title: string, runDir: string, cancel: () => void): LiveDashboard {
    const panel = createPanel(deps, `Dashboard: ${title}`, 'live');
    const dashboard = new LiveDashboard(panel, { title, runDir, status: 'running', loss: [], epochLoss: [], evals: [] }, cancel);
    LiveDashboard.latest = dashboard;
    return dashboard;
  }

  /** The most recent dashboard still open, if any. */
  static reveal(): boolean {
    const latest = LiveDashboard.latest;
    if (!latest || latest.disposed) return false;
    latest.panel.reveal(vscode.ViewColumn.Beside);
    return true;
  }

  /** A finished run's history (metrics.json), shown the same way as a live one. */
  static showFinished(deps: RunPanelDeps, state: LiveState): void {
    LiveDashboard.latest = new LiveDashboard(createPanel(deps, `Dashboard: ${state.title}`, 'live'), state, () => undefined);
  }

  /** After a window reload: the run that fed it is gone with the old extension host. */
  static restore(panel: vscode.WebviewPanel, state: LiveState): void {
    new LiveDashboard(panel, state.status === 'running' ? { ...state, status: 'interrupted' } : state, () => undefined);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private state: LiveState,
    private readonly cancel: () => void,
  ) {
    panel.webview.onDidReceiveMessage((message: FromWebview) => {
      if (message.type === 'ready') this.post({ type: 'live', state: this.state });
      else if (message.type === 'cancelRun' && this.state.status === 'running') this.cancel();
    });
    panel.onDidDispose(() => (this.disposed = true));
  }

  private post(message: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  progress(update: Omit<JobProgressParams, 'jobId'>): void {
    const s = update.series;
    const point = s && [s.epoch, s.step, s.steps, s.loss].every(Number.isFinite) ? { x: s.epoch - 1 + s.step / Math.max(1, s.steps), loss: s.loss } : undefined;
    if (point) this.state = addLossPoint(this.state, point);
    this.state = { ...this.state, message: update.message ?? this.state.message, fraction: update.fraction ?? this.state.fraction };
    this.post({ type: 'liveProgress', message: update.message, fraction: update.fraction, point });
  }

  log(line: string): void {
    const event = parseEvent(line);
    if (event?.event === 'epoch' && 'loss' in event) {
      this.state = addEpochLoss(this.state, event.epoch, event.loss);
      this.post({ type: 'liveEpoch', epoch: event.epoch, loss: event.loss });
    } else if (event?.event === 'eval' && 'valid' in event) {
      const point = { epoch: event.epoch, valid: event.valid, best: event.best };
      this.state = addEval(this.state, point);
      this.post({ type: 'liveEval', point });
    }
  }

  end(end: { status: LiveState['status']; message?: string; test?: Record<string, number>; bestEpoch?: number; runDir?: string }): void {
    this.state = { ...this.state, ...end, runDir: end.runDir ?? this.state.runDir };
    this.post({ type: 'liveEnd', ...end });
  }
}

/** A finished run folder's metrics.json as dashboard state (epoch losses and validations from its history). */
export function stateFromMetrics(runDir: string, metrics: unknown): LiveState {
  const m = metrics as { history?: TrainLogEvent[]; metrics?: { test?: { full?: Record<string, number> } }; best_epoch?: number; runs?: unknown[] };
  let state: LiveState = { title: path.basename(runDir), runDir, status: 'done', loss: [], epochLoss: [], evals: [], fraction: 1 };
  for (const event of m.history ?? []) {
    if (event.event === 'epoch' && 'loss' in event) state = addEpochLoss(state, event.epoch, event.loss);
    if (event.event === 'eval' && 'valid' in event) state = addEval(state, { epoch: event.epoch, valid: event.valid, best: event.best });
  }
  const note = m.runs ? 'several seeds: open one seed folder for its curves' : undefined;
  return { ...state, test: m.metrics?.test?.full, bestEpoch: m.best_epoch, message: note };
}

export class ComparePanel {
  private report: CompareReport | undefined;
  private disposed = false;

  static show(deps: RunPanelDeps, runs: string[]): void {
    void new ComparePanel(deps, createPanel(deps, 'Compare runs', 'compare'), runs).load();
  }

  static restore(deps: RunPanelDeps, panel: vscode.WebviewPanel, state: Extract<RunsPanelState, { mode: 'compare' }>): void {
    const restored = new ComparePanel(deps, panel, state.runs, state.report);
    if (!state.report) void restored.load();
  }

  private constructor(
    private readonly deps: RunPanelDeps,
    private readonly panel: vscode.WebviewPanel,
    private readonly runs: string[],
    report?: CompareReport,
  ) {
    this.report = report;
    panel.webview.onDidReceiveMessage((message: FromWebview) => this.onMessage(message));
    panel.onDidDispose(() => (this.disposed = true));
  }

  private post(message: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private onMessage(message: FromWebview): void {
    if (message.type === 'ready') this.post(this.report ? { type: 'compare', report: this.report } : { type: 'compareLoading', runs: this.runs });
    else if (message.type === 'recompare') void this.load();
    else if (message.type === 'export') void this.export(message.format);
  }

  private async load(): Promise<void> {
    this.post({ type: 'compareLoading', runs: this.runs });
    const outcome = await this.deps.runs.run({ kind: 'compareRuns', params: { runs: this.runs }, title: `Compare ${this.runs.length} runs`, quiet: true });
    if (outcome.status === 'done') {
      this.report = outcome.result;
      this.post({ type: 'compare', report: outcome.result });
    } else this.post({ type: 'compareFailed', message: outcome.status === 'failed' ? outcome.message : 'Cancelled.' });
  }

  private async export(format: 'csv' | 'markdown'): Promise<void> {
    if (!this.report) return;
    const extension = format === 'csv' ? 'csv' : 'md';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: `Export the comparison as ${format === 'csv' ? 'CSV' : 'Markdown'}`,
      defaultUri: folder && vscode.Uri.joinPath(folder, `run-comparison.${extension}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { Markdown: ['md'] },
    });
    if (!target) return;
    // Atomic: a reader (or a crash mid-write) never sees half a table.
    await writeFileAtomic(target.fsPath, format === 'csv' ? reportToCsv(this.report) : reportToMarkdown(this.report));
    this.post({ type: 'exported', path: target.fsPath });
  }
}

export function registerRunsSerializer(deps: RunPanelDeps): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(RUNS_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      const saved = state as RunsPanelState | undefined;
      panel.webview.options = webviewOptions(deps.extensionUri);
      if (saved?.mode === 'live' && saved.live) {
        panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, 'runs', PAGE_TITLE.live);
        LiveDashboard.restore(panel, saved.live);
      } else if (saved?.mode === 'compare' && Array.isArray(saved.runs) && saved.runs.length > 1) {
        panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, 'runs', PAGE_TITLE.compare);
        ComparePanel.restore(deps, panel, saved);
      } else panel.dispose(); // saved before it had anything to show
    },
  });
}
