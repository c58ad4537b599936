// Run panels webview (dist/webview/runs.js): the live dashboard of a training run, or Compare Runs. The mode,
// the last data and the curve settings are kept with setState, so a hidden tab or a reloaded window shows
// them again.
import { registerKit } from '../ui/kit';
import { vscodeApi } from '../ui/vscodeApi';
import { renderCompare, renderCompareLoading, renderCompareProblem, type CompareActions } from './compareView';
import { applyLiveEvent, normalizeLiveState } from './live';
import { renderLive, type LiveView } from './liveView';
import type { CurveSettings, FromWebview, LiveState, RunsPanelState, ToWebview } from './protocol';

const vscode = vscodeApi<FromWebview, RunsPanelState>();
const root = document.getElementById('app') ?? document.body;
let state = vscode.getState();
let curves: CurveSettings = state?.curves ?? { x: 'epoch', smoothing: 0 };
let live: { view: LiveView; state: LiveState } | undefined;
let exportNote: string | undefined;

const compareActions: CompareActions = {
  exportAs: (format) => vscode.postMessage({ type: 'export', format }),
  recompare: () => vscode.postMessage({ type: 'recompare' }),
  setBaseline: (run) => vscode.postMessage({ type: 'setBaseline', run }),
  curvesChanged: (next) => {
    curves = next;
    if (state) save(state);
  },
};

function save(next: RunsPanelState): void {
  state = { ...next, curves };
  vscode.setState(state);
}

function setLive(next: LiveState): void {
  if (!live) {
    const view = renderLive(root, next, curves, {
      cancel: () => vscode.postMessage({ type: 'cancelRun' }),
      curvesChanged: (settings) => {
        curves = settings;
        if (live) save({ mode: 'live', live: live.state });
      },
    });
    live = { view, state: next };
  }
  live.state = next;
  live.view.update(next);
  save({ mode: 'live', live: next });
}

function show(message: ToWebview): void {
  switch (message.type) {
    case 'live':
      live = undefined; // a new run: build the page once, then update it
      setLive(normalizeLiveState(message.state));
      break;
    case 'liveEvent':
      if (live) setLive(applyLiveEvent(live.state, message.event));
      break;
    case 'compareLoading':
      exportNote = undefined;
      save({ mode: 'compare', runs: message.runs });
      renderCompareLoading(root, message.runs);
      break;
    case 'compare':
      save({ mode: 'compare', runs: message.report.runs.map((r) => r.path), report: message.report });
      renderCompare(root, message.report, curves, compareActions, exportNote);
      break;
    case 'compareFailed':
      renderCompareProblem(root, message.message, compareActions.recompare);
      break;
    case 'exported':
      exportNote = `Exported to ${message.path}`;
      if (state?.mode === 'compare' && state.report) renderCompare(root, state.report, curves, compareActions, exportNote);
      break;
  }
}

registerKit();
// Shown at once from the saved state; the host's answer to 'ready' brings it up to date.
if (state?.mode === 'live') setLive(normalizeLiveState(state.live));
else if (state?.mode === 'compare' && state.report) renderCompare(root, state.report, curves, compareActions);
window.addEventListener('message', (event: MessageEvent<ToWebview>) => show(event.data));
vscode.postMessage({ type: 'ready' });
