// Statistics webview (dist/webview/stats.js). It renders what the extension sends and keeps the last result
// with vscode.setState, so hiding the tab or reloading the window shows it again without recomputing.
import { registerKit } from '../ui/kit';
import type { FromWebview, StatsPanelState, ToWebview } from './protocol';
import { renderLoading, renderProblem, renderStats, type ViewActions } from './view';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: ViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** The panel state the serializer reads, plus what only the view cares about. */
interface ViewState extends StatsPanelState {
  seconds?: number;
  tab?: string;
}

const vscode = acquireVsCodeApi();
const root = document.getElementById('app') ?? document.body;
let state = vscode.getState() as ViewState | undefined;
let updateProgress: ((message?: string, fraction?: number) => void) | undefined;

const actions: ViewActions = {
  refresh: () => vscode.postMessage({ type: 'refresh' }),
  cancel: () => vscode.postMessage({ type: 'cancel' }),
  tabChanged: (tab) => state && save({ ...state, tab }),
};

function save(next: ViewState): void {
  state = next;
  vscode.setState(next);
}

function show(message: ToWebview): void {
  if (message.type === 'progress') {
    updateProgress?.(message.message, message.fraction);
    return;
  }
  updateProgress = undefined;
  const tab = state?.tab;
  switch (message.type) {
    case 'loading':
      save({ dataset: message.dataset, tab }); // no stale numbers survive a reload in the middle of a load
      updateProgress = renderLoading(root, message.dataset, actions);
      break;
    case 'stats':
      save({ dataset: message.dataset, stats: message.stats, seconds: message.seconds, tab });
      renderStats(root, message.dataset, message.stats, message.seconds, tab, actions);
      break;
    case 'failed':
      save({ dataset: message.dataset, tab });
      renderProblem(root, message.dataset, message.message, true, actions);
      break;
    case 'cancelled':
      save({ dataset: message.dataset, tab });
      renderProblem(root, message.dataset, 'Cancelled. Nothing was computed.', false, actions);
      break;
  }
}

registerKit();
// Shown at once from the saved state (tab hidden and shown again, window reloaded); the host's answer to
// 'ready' then brings it up to date.
if (state?.dataset && state.stats) renderStats(root, state.dataset, state.stats, state.seconds, state.tab, actions);
window.addEventListener('message', (event: MessageEvent<ToWebview>) => show(event.data));
vscode.postMessage({ type: 'ready' });
