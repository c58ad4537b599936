// Hosts the run panels: the live dashboard of a training run (fed by the run manager's progress and log
// events, applied to one state with the same pure updates as the page) and Compare Runs (a compareRuns job,
// exported as CSV/Markdown to a file the user picks, written atomically).
import * as vscode from 'vscode';
import { reportToCsv, reportToMarkdown } from '../core/eval/report';
import { writeFileAtomic } from '../core/util/atomicWrite';
import { applyLiveEvent, emptyLiveState, eventFromLogLine, normalizeLiveState, stateFromHistory } from '../../webview/runs/live';
import { RUNS_VIEW_TYPE, type CompareReport, type FromWebview, type LiveEvent, type LiveState, type RunsPanelState, type ToWebview } from '../../webview/runs/protocol';
import type { RunDetails } from '../core/jobs/runs';
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

export class LiveDashboard {
  private static latest: LiveDashboard | undefined;
  private static readonly byRun = new Map<string, LiveDashboard>();
  private disposed = false;

  /** `budget`: what the run was given, when known before it starts (a config file's epochs come from its progress). */
  static start(deps: RunPanelDeps, title: string, runDir: string, budget: { epochs?: number; maxMinutes?: number }, cancel: () => void): LiveDashboard {
    const panel = createPanel(deps, `Dashboard: ${title}`, 'live');
    const dashboard = new LiveDashboard(panel, emptyLiveState(title, runDir, budget.epochs, budget.maxMinutes), cancel);
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

  /** A run's dashboard when one is open for it (a live run's, or a finished one shown before). */
  static forRun(runDir: string): LiveDashboard | undefined {
    const found = LiveDashboard.byRun.get(runDir);
    return found && !found.disposed ? found : undefined;
  }

  /** A finished (or interrupted) run's history, shown the same way as a live one. */
  static showFinished(deps: RunPanelDeps, state: LiveState): void {
    const open = state.runDir ? LiveDashboard.forRun(state.runDir) : undefined;
    if (open) {
      open.panel.reveal(vscode.ViewColumn.Beside);
      return;
    }
    LiveDashboard.latest = new LiveDashboard(createPanel(deps, `Dashboard: ${state.title}`, 'live'), state, () => undefined);
  }

  /** After a window reload: the run that fed it is gone with the old extension host. */
  static restore(panel: vscode.WebviewPanel, state: LiveState): void {
    const saved = normalizeLiveState(state);
    new LiveDashboard(panel, saved.status === 'running' ? { ...saved, status: 'interrupted' } : saved, () => undefined);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private state: LiveState,
    private readonly cancel: () => void,
  ) {
    if (state.runDir) LiveDashboard.byRun.set(state.runDir, this);
    panel.webview.onDidReceiveMessage((message: FromWebview) => {
      if (message.type === 'ready') this.post({ type: 'live', state: this.state });
      else if (message.type === 'cancelRun' && this.state.status === 'running') this.cancel();
    });
    panel.onDidDispose(() => {
      this.disposed = true;
      if (this.state.runDir && LiveDashboard.byRun.get(this.state.runDir) === this) LiveDashboard.byRun.delete(this.state.runDir);
    });
  }

  get visible(): boolean {
    return !this.disposed && this.panel.visible;
  }

  private post(message: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  /** Applies an event here and on the page (the same pure update on both sides). */
  private apply(event: LiveEvent): void {
    this.state = applyLiveEvent(this.state, event);
    this.post({ type: 'liveEvent', event });
  }

  progress(update: Omit<JobProgressParams, 'jobId'>): void {
    const s = update.series;
    const step = s && ['epoch', 'step', 'steps', 'loss'].every((key) => Number.isFinite(s[key])) ? { epoch: s.epoch, step: s.step, steps: s.steps, loss: s.loss } : undefined;
    // Text preparation names each stage and numbers it in `series` (src/core/train/textArtifacts.ts).
    const stage = s && Number.isFinite(s.stage) && Number.isFinite(s.stages) && update.message ? { stage: s.stage, stages: s.stages, name: update.message, fraction: Number.isFinite(s.stageFraction) ? s.stageFraction : undefined } : undefined;
    this.apply({ kind: 'progress', at: Date.now(), message: update.message, fraction: update.fraction, step, stage });
  }

  log(line: string): void {
    const event = eventFromLogLine(line);
    if (event) this.apply(event);
  }

  end(end: { status: LiveState['status']; message?: string; test?: Record<string, number>; bestEpoch?: number; runDir?: string }): void {
    this.apply({ kind: 'end', ...end });
  }
}

/** A run folder's details (read by the worker's run reader) as dashboard state. */
export function stateFromDetails(details: RunDetails): LiveState {
  const status: LiveState['status'] = details.status === 'finished' ? 'done' : details.status === 'training' ? 'running' : 'interrupted';
  const initial: LiveState = { ...emptyLiveState(details.name, details.dir, details.epochs, details.maxMinutes), status, fraction: status === 'done' ? 1 : undefined, backend: details.backend };
  let state = stateFromHistory(initial, details.history as unknown as Array<Record<string, unknown>>);
  // The history holds epochs and evaluations; the reader gives the trainer's stop event beside it.
  if (details.stop) state = applyLiveEvent(state, { kind: 'stop', ...details.stop });
  const note = [details.note, details.status === 'training' ? 'training in another process: reopen to see new epochs' : undefined].filter(Boolean).join(' · ') || undefined;
  return { ...state, test: details.test, bestEpoch: details.bestEpoch, note };
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
    private runs: string[],
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
    else if (message.type === 'setBaseline' && this.runs.includes(message.run) && this.runs[0] !== message.run) {
      // The compare job tests every run against the first: the chosen baseline goes first, the rest keep their order.
      this.runs = [message.run, ...this.runs.filter((run) => run !== message.run)];
      void this.load();
    }
  }

  private async load(): Promise<void> {
    this.post({ type: 'compareLoading', runs: this.runs });
    const outcome = await this.deps.runs.run({ kind: 'compareRuns', params: { runs: this.runs }, title: `Compare ${this.runs.length} runs`, quiet: true, background: true });
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
