// Run panels webview (dist/webview/runs.js): the live dashboard of a training run, or Compare Runs. The mode
// and the last data are kept with setState, so a hidden tab or a reloaded window shows them again.
import { registerKit } from '../ui/kit';
import { vscodeApi } from '../ui/vscodeApi';
import { renderCompare, renderCompareLoading, renderCompareProblem, type CompareActions } from './compareView';
import { addEpochLoss, addEval, addLossPoint } from './live';
import { renderLive, type LiveView } from './liveView';
import type { FromWebview, LiveState, RunsPanelState, ToWebview } from './protocol';

const vscode = vscodeApi<FromWebview, RunsPanelState>();
const root = document.getElementById('app') ?? document.body;
let state = vscode.getState();
let live: { view: LiveView; state: LiveState } | undefined;
let exportNote: string | undefined;

const compareActions: CompareActions = {
  exportAs: (format) => vscode.postMessage({ type: 'export', format }),
  recompare: () => vscode.postMessage({ type: 'recompare' }),
};

function save(next: RunsPanelState): void {
  state = next;
  vscode.setState(next);
}

function setLive(next: LiveState): void {
  if (!live) live = { view: renderLive(root, next, { cancel: () => vscode.postMessage({ type: 'cancelRun' }) }), state: next };
  live.state = next;
  live.view.update(next);
  save({ mode: 'live', live: next });
}

function show(message: ToWebview): void {
  switch (message.type) {
    case 'live':
      live = undefined; // a new run: build the page once, then update it
      setLive(message.state);
      break;
    case 'liveProgress':
      if (!live) return;
      setLive({ ...(message.point ? addLossPoint(live.state, message.point) : live.state), message: message.message ?? live.state.message, fraction: message.fraction ?? live.state.fraction });
      break;
    case 'liveEpoch':
      if (live) setLive(addEpochLoss(live.state, message.epoch, message.loss));
      break;
    case 'liveEval':
      if (live) setLive(addEval(live.state, message.point));
      break;
    case 'liveEnd':
      if (live) setLive({ ...live.state, status: message.status, message: message.message, test: message.test, bestEpoch: message.bestEpoch, runDir: message.runDir ?? live.state.runDir, fraction: message.status === 'done' ? 1 : live.state.fraction });
      break;
    case 'compareLoading':
      exportNote = undefined;
      save({ mode: 'compare', runs: message.runs });
      renderCompareLoading(root, message.runs);
      break;
    case 'compare':
      save({ mode: 'compare', runs: message.report.runs.map((r) => r.path), report: message.report });
      renderCompare(root, message.report, compareActions, exportNote);
      break;
    case 'compareFailed':
      renderCompareProblem(root, message.message, compareActions.recompare);
      break;
    case 'exported':
      exportNote = `Exported to ${message.path}`;
      if (state?.mode === 'compare' && state.report) renderCompare(root, state.report, compareActions, exportNote);
      break;
  }
}

registerKit();
// Shown at once from the saved state; the host's answer to 'ready' brings it up to date.
if (state?.mode === 'live') setLive(state.live);
else if (state?.mode === 'compare' && state.report) renderCompare(root, state.report, compareActions);
window.addEventListener('message', (event: MessageEvent<ToWebview>) => show(event.data));
vscode.postMessage({ type: 'ready' });
