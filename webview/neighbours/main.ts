// Inspect Neighbours webview (dist/webview/neighbours.js). It keeps the back/forward history and the panel
// state (vscode.setState, read back by the serializer after a reload); data comes by message from the host.
import { el } from '../ui/dom';
import { button, registerKit } from '../ui/kit';
import { virtualList } from '../ui/virtualList';
import { vscodeApi } from '../ui/vscodeApi';
import { back, canGoBack, canGoForward, current, forward, visit, type History } from './history';
import type { DatasetRef, Entity, FromWebview, NeighboursPanelState, ToWebview } from './protocol';
import { searchEntities } from './search';
import { renderDetail, renderDetailLoading, renderDetailProblem } from './view';

const vscode = vscodeApi<FromWebview, NeighboursPanelState>();
const root = document.getElementById('app') ?? document.body;
const ROW_HEIGHT = 24;

let saved = vscode.getState();
let dataset: DatasetRef | undefined = saved?.dataset;
let entity: Entity = saved?.entity ?? 'item';
let history: History = saved ? { entries: saved.history, position: saved.position } : { entries: [], position: 0 };
let ids: string[] = [];
let labels: string[] = [];
let matches: number[] = [];

// ---- page skeleton: header (title, back/forward), search pane, detail ----------------------------------
const title = el('h1');
const subtitle = el('p', 'path');
const backButton = button('← Back', () => go(back(history)));
const forwardButton = button('Forward →', () => go(forward(history)));
const pickButton = button('Pick…', () => vscode.postMessage({ type: 'quickPick' }));
backButton.id = 'back';
forwardButton.id = 'forward';
const head = el('header', 'page-header');
const titles = el('div', 'titles');
titles.append(title, subtitle);
const actions = el('div', 'actions');
actions.append(backButton, forwardButton, pickButton);
head.append(titles, actions);

const search = el('input', 'search');
search.type = 'search';
search.placeholder = 'Search ids and titles';
search.setAttribute('aria-label', 'Search');
const searchCount = el('p', 'note', 'Loading the list…');
const list = virtualList(ROW_HEIGHT, renderRow, 'Search results');
const pane = el('aside', 'search-pane');
pane.append(search, searchCount, list.element);
const detail = el('section', 'detail');
const layout = el('div', 'layout');
layout.append(pane, detail);
root.replaceChildren(head, layout);

function renderRow(index: number): HTMLElement {
  const row = matches[index];
  const node = el('div', 'row');
  node.setAttribute('role', 'option');
  if (ids[row] === current(history)) node.classList.add('selected');
  node.append(el('span', 'row-id', ids[row]), el('span', 'row-label', labels[row] ?? ''));
  node.title = labels[row] ?? '';
  node.addEventListener('click', () => open(ids[row]));
  return node;
}

function applySearch(): void {
  matches = searchEntities(ids, labels, search.value);
  searchCount.textContent = `${matches.length.toLocaleString('en-US')} of ${ids.length.toLocaleString('en-US')} ${entity}s`;
  list.setCount(matches.length);
}
search.addEventListener('input', applySearch);
search.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && matches.length > 0) open(ids[matches[0]]);
});

function save(): void {
  if (!dataset) return;
  saved = { dataset, entity, history: history.entries, position: history.position };
  vscode.setState(saved);
}

function updateChrome(): void {
  const id = current(history);
  title.textContent = id !== undefined ? `${entity === 'item' ? 'Item' : 'User'} ${id}` : 'Inspect neighbours';
  subtitle.textContent = dataset ? `${dataset.name} · ${dataset.path}` : '';
  backButton.toggleAttribute('disabled', !canGoBack(history));
  forwardButton.toggleAttribute('disabled', !canGoForward(history));
  list.refresh();
}

/** Shows the history's current entry: the host answers with a result (cached there) or runs the job. */
function go(next: History): void {
  history = next;
  save();
  updateChrome();
  const id = current(history);
  if (id === undefined) return;
  renderDetailLoading(detail, id);
  vscode.postMessage({ type: 'open', id });
}

function open(id: string): void {
  go(visit(history, id));
}

function show(message: ToWebview): void {
  switch (message.type) {
    case 'init': {
      const same = dataset?.path === message.dataset.path && entity === message.entity;
      dataset = message.dataset;
      entity = message.entity;
      if (!same) history = { entries: [], position: 0 };
      if (message.id !== undefined) open(message.id);
      else if (current(history) !== undefined)
        go(history); // restored: ask for what was shown
      else updateChrome();
      break;
    }
    case 'list':
      ids = message.ids;
      labels = message.labels;
      applySearch();
      break;
    case 'listFailed':
      searchCount.textContent = message.message;
      break;
    case 'navigate':
      open(message.id);
      break;
    case 'loading':
      if (message.id === current(history)) renderDetailLoading(detail, message.id, message.message);
      break;
    case 'result':
      if (message.id === current(history)) renderDetail(detail, message.result, { open });
      break;
    case 'failed': {
      if (message.id !== current(history)) break;
      const id = message.id;
      const fix =
        message.fix === 'buildIndex'
          ? { label: `Build the ${entity} index`, run: () => vscode.postMessage({ type: 'buildIndex', id }), detail: message.detail }
          : undefined;
      renderDetailProblem(detail, message.message, () => go(history), fix);
      break;
    }
  }
}

registerKit();
updateChrome();
window.addEventListener('message', (event: MessageEvent<ToWebview>) => show(event.data));
// Alt+← / Alt+→ like a browser.
window.addEventListener('keydown', (event) => {
  if (event.altKey && event.key === 'ArrowLeft') go(back(history));
  if (event.altKey && event.key === 'ArrowRight') go(forward(history));
});
vscode.postMessage({ type: 'ready' });
