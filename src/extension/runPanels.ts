// Hosts the run panels: the live dashboard of a training run (fed by the run manager's progress and the
// train job's typed events, applied to one state with the same pure updates as the page) and Compare Runs
// (a compareRuns job, exported as CSV/Markdown to a file the user picks, written atomically).
import * as vscode from 'vscode';
import { reportToCsv, reportToMarkdown } from '../core/eval/report';
import { writeFileAtomic } from '../core/util/atomicWrite';
import { applyLiveEvent, emptyLiveState, liveEventFromTrainEvent, normalizeLiveState, stateFromHistory } from '../../webview/runs/live';
import {
  RUNS_VIEW_TYPE,
  type CompareReport,
  type FromWebview,
  type LiveEvent,
  type LiveState,
  type RunsPanelState,
  type ToWebview,
} from '../../webview/runs/protocol';
import type { RunDetails } from '../core/jobs/readRun';
import type { JobEvent, JobProgressParams } from '../worker/protocol';
import { createPanel, OpenPanels, PanelHost, registerPanelSerializer, type WebviewPage } from './panelHost';
import type { RunManager } from './runManager';

export interface RunPanelDeps {
  extensionUri: vscode.Uri;
  runs: RunManager;
}

/** One view type, two pages: the page <title> is a fixed string (no run name may go into markup). */
const PAGES = {
  live: { viewType: RUNS_VIEW_TYPE, script: 'runs', title: 'Run dashboard' },
  compare: { viewType: RUNS_VIEW_TYPE, script: 'runs', title: 'Compare runs' },
} as const satisfies Record<RunsPanelState['mode'], WebviewPage>;

function createRunsPanel(deps: RunPanelDeps, tabTitle: string, mode: RunsPanelState['mode']): vscode.WebviewPanel {
  return createPanel(deps.extensionUri, PAGES[mode], tabTitle, { preserveFocus: true });
}

export class LiveDashboard {
  private static latest: LiveDashboard | undefined;
  private static readonly byRun = new OpenPanels<LiveDashboard>();
  private readonly host: PanelHost<ToWebview, FromWebview>;

  /** `budget`: what the run was given, when known before it starts (a config file's epochs come from its progress). */
  static start(deps: RunPanelDeps, title: string, runDir: string, budget: { epochs?: number; maxMinutes?: number }, cancel: () => void): LiveDashboard {
    const panel = createRunsPanel(deps, `Dashboard: ${title}`, 'live');
    const dashboard = new LiveDashboard(deps, panel, emptyLiveState(title, runDir, budget.epochs, budget.maxMinutes), cancel);
    LiveDashboard.latest = dashboard;
    return dashboard;
  }

  /** The most recent dashboard still open, if any. */
  static revealLatest(): boolean {
    const latest = LiveDashboard.latest;
    if (!latest?.host.isOpen) return false;
    latest.reveal();
    return true;
  }

  /** A run's dashboard when one is open for it (a live run's, or a finished one shown before). */
  static forRun(runDir: string): LiveDashboard | undefined {
    return LiveDashboard.byRun.get(runDir);
  }

  /** A finished (or interrupted) run's history, shown the same way as a live one. */
  static showFinished(deps: RunPanelDeps, state: LiveState): void {
    const open = state.runDir ? LiveDashboard.forRun(state.runDir) : undefined;
    if (open) {
      open.reveal();
      return;
    }
    LiveDashboard.latest = new LiveDashboard(deps, createRunsPanel(deps, `Dashboard: ${state.title}`, 'live'), state, () => undefined);
  }

  /** After a window reload: the run that fed it is gone with the old extension host. */
  static restore(deps: RunPanelDeps, panel: vscode.WebviewPanel, state: LiveState): void {
    const saved = normalizeLiveState(state);
    new LiveDashboard(deps, panel, saved.status === 'running' ? { ...saved, status: 'interrupted' } : saved, () => undefined);
  }

  private constructor(
    deps: RunPanelDeps,
    panel: vscode.WebviewPanel,
    private state: LiveState,
    private readonly cancel: () => void,
  ) {
    if (state.runDir) LiveDashboard.byRun.add(state.runDir, this, panel);
    this.host = new PanelHost(panel, deps.extensionUri, PAGES.live, {
      onMessage: (message) => {
        if (message.type === 'ready') this.host.post({ type: 'live', state: this.state });
        else if (message.type === 'cancelRun' && this.state.status === 'running') this.cancel();
      },
    });
  }

  get visible(): boolean {
    return this.host.visible;
  }

  reveal(): void {
    this.host.reveal();
  }

  /** Applies an event here and on the page (the same pure update on both sides). */
  private apply(event: LiveEvent): void {
    this.state = applyLiveEvent(this.state, event);
    this.host.post({ type: 'liveEvent', event });
  }

  progress(update: Omit<JobProgressParams, 'jobId'>): void {
    const s = update.series;
    const step =
      s && ['epoch', 'step', 'steps', 'loss'].every((key) => Number.isFinite(s[key]))
        ? { epoch: s.epoch, step: s.step, steps: s.steps, loss: s.loss }
        : undefined;
    // Text preparation names each stage and numbers it in `series` (src/core/train/textArtifacts.ts).
    const stage =
      s && Number.isFinite(s.stage) && Number.isFinite(s.stages) && update.message
        ? { stage: s.stage, stages: s.stages, name: update.message, fraction: Number.isFinite(s.stageFraction) ? s.stageFraction : undefined }
        : undefined;
    this.apply({ kind: 'progress', at: Date.now(), message: update.message, fraction: update.fraction, step, stage });
  }

  /** The train job's events (engine, epochs, validations, stops), as the worker sent them. */
  event(event: JobEvent): void {
    const live = liveEventFromTrainEvent(event);
    if (live) this.apply(live);
  }

  end(end: { status: LiveState['status']; message?: string; test?: Record<string, number>; bestEpoch?: number; runDir?: string }): void {
    this.apply({ kind: 'end', ...end });
  }
}

/** A run folder's details (read by the worker's run reader) as dashboard state. */
export function stateFromDetails(details: RunDetails): LiveState {
  const status: LiveState['status'] = details.status === 'finished' ? 'done' : details.status === 'training' ? 'running' : 'interrupted';
  const initial: LiveState = {
    ...emptyLiveState(details.name, details.dir, details.epochs, details.maxMinutes),
    status,
    fraction: status === 'done' ? 1 : undefined,
    backend: details.backend,
  };
  let state = stateFromHistory(initial, details.history);
  // The history holds epochs and evaluations; the reader gives the trainer's stop event beside it.
  if (details.stop) state = applyLiveEvent(state, { kind: 'stop', ...details.stop });
  const note =
    [details.note, details.status === 'training' ? 'training in another process: reopen to see new epochs' : undefined].filter(Boolean).join(' · ') ||
    undefined;
  return { ...state, test: details.test, bestEpoch: details.bestEpoch, note };
}

export class ComparePanel {
  private readonly host: PanelHost<ToWebview, FromWebview>;
  private report: CompareReport | undefined;

  static show(deps: RunPanelDeps, runs: string[]): void {
    void new ComparePanel(deps, createRunsPanel(deps, 'Compare runs', 'compare'), runs).load();
  }

  static restore(deps: RunPanelDeps, panel: vscode.WebviewPanel, state: Extract<RunsPanelState, { mode: 'compare' }>): void {
    const restored = new ComparePanel(deps, panel, state.runs, state.report);
    if (!state.report) void restored.load();
  }

  private constructor(
    private readonly deps: RunPanelDeps,
    panel: vscode.WebviewPanel,
    private runs: string[],
    report?: CompareReport,
  ) {
    this.report = report;
    this.host = new PanelHost(panel, deps.extensionUri, PAGES.compare, { onMessage: (message) => this.onMessage(message) });
  }

  private post(message: ToWebview): void {
    this.host.post(message);
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
    const outcome = await this.deps.runs.run({
      kind: 'compareRuns',
      params: { runs: this.runs },
      title: `Compare ${this.runs.length} runs`,
      quiet: true,
      background: true,
    });
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
  return registerPanelSerializer(deps.extensionUri, RUNS_VIEW_TYPE, (panel, state) => {
    const saved = state as RunsPanelState | undefined;
    if (saved?.mode === 'live' && saved.live) LiveDashboard.restore(deps, panel, saved.live);
    else if (saved?.mode === 'compare' && Array.isArray(saved.runs) && saved.runs.length > 1) ComparePanel.restore(deps, panel, saved);
    else return false; // saved before it had anything to show
    return true;
  });
}
