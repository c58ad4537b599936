// The live dashboard page: built once, then updated in place as messages arrive (status line, progress
// bar, two line charts, the validation table), never re-rendered from scratch while a run trains.
import { el, header } from '../ui/dom';
import { button } from '../ui/kit';
import { lineChart } from '../ui/lineChart';
import type { LiveState } from './protocol';

export interface LiveActions {
  cancel(): void;
}

const METRICS_PLOTTED = ['NDCG@10', 'HR@10', 'MRR'];

export interface LiveView {
  update(state: LiveState): void;
}

export function renderLive(root: HTMLElement, initial: LiveState, actions: LiveActions): LiveView {
  const cancel = button('Cancel run', actions.cancel);
  cancel.id = 'cancel-run';
  const head = header(initial.title, initial.runDir, [cancel]);
  const status = el('p', 'status live-status');
  const bar = el('progress', 'load-progress');
  bar.max = 1;
  bar.setAttribute('aria-label', 'Training progress');
  const loss = lineChart('Training loss', { x: 'epoch', y: 'loss' });
  loss.element.id = 'loss-chart';
  const valid = lineChart('Validation metrics', { x: 'epoch', y: 'validation (full ranking)' });
  valid.element.id = 'valid-chart';
  const table = el('table', 'grid valid-table');
  const testBox = el('div', 'test-box');
  root.replaceChildren(head, status, bar, el('h2', undefined, 'Training loss'), loss.element, el('h2', undefined, 'Validation'), valid.element, table, testBox);

  const update = (state: LiveState) => {
    const subtitle = head.querySelector('.path');
    if (subtitle && state.runDir) subtitle.textContent = state.runDir;
    const label = { running: 'Training', done: 'Finished', failed: 'Failed', cancelled: 'Cancelled', interrupted: 'Interrupted (the window was reloaded while it ran)' }[state.status];
    status.textContent = [label, state.message].filter(Boolean).join(' · ');
    status.dataset.status = state.status;
    if (state.fraction !== undefined) bar.value = state.fraction;
    bar.hidden = state.status !== 'running';
    cancel.toggleAttribute('disabled', state.status !== 'running');
    loss.update([
      { name: 'loss (running mean in the epoch)', tone: 'series-0', points: state.loss.map((p) => [p.x, p.loss]) },
      { name: 'epoch loss', tone: 'series-1', points: state.epochLoss.map((p) => [p.epoch, p.loss]) },
    ]);
    valid.update(METRICS_PLOTTED.map((metric, i) => ({ name: metric, tone: `series-${i}`, points: state.evals.filter((e) => metric in e.valid).map((e) => [e.epoch, e.valid[metric]]) })));
    renderTable(table, state);
    testBox.replaceChildren();
    if (state.test) {
      testBox.append(el('h2', undefined, `Test at the best validation epoch (${state.bestEpoch ?? '?'})`));
      const t = el('table', 'grid test-table');
      for (const [name, value] of Object.entries(state.test)) {
        const row = t.insertRow();
        row.insertCell().textContent = name;
        const cell = row.insertCell();
        cell.className = 'num';
        cell.textContent = value.toFixed(4);
      }
      testBox.append(t);
    }
  };
  update(initial);
  return { update };
}

function renderTable(table: HTMLTableElement, state: LiveState): void {
  const names = [...new Set(state.evals.flatMap((e) => Object.keys(e.valid)))];
  table.replaceChildren();
  if (state.evals.length === 0) return;
  const head = table.createTHead().insertRow();
  for (const title of ['epoch', ...names, '']) head.append(el('th', undefined, title));
  const body = table.createTBody();
  for (const e of [...state.evals].sort((a, b) => a.epoch - b.epoch)) {
    const row = body.insertRow();
    row.className = 'eval-row';
    row.insertCell().textContent = String(e.epoch);
    for (const name of names) {
      const cell = row.insertCell();
      cell.className = 'num';
      cell.textContent = e.valid[name] !== undefined ? e.valid[name].toFixed(4) : '—';
    }
    row.insertCell().textContent = e.best ? 'best so far' : '';
  }
}
