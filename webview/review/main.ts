// Review Flagged Descriptions webview (dist/webview/review.js): riskiest first, filters, keyboard verdicts.
// Records arrive by message; verdicts go to the host, which writes them through the core annotations API.
import { el, header, numberInput } from '../ui/dom';
import { button, registerKit } from '../ui/kit';
import { virtualList } from '../ui/virtualList';
import { vscodeApi } from '../ui/vscodeApi';
import { filterRecords, progress, progressText, reasonKinds, reviewed, signalNames, type ReviewFilter } from './filters';
import type { DatasetRef, FlagRecord, FromWebview, ReviewPanelState, ReviewSummary, ToWebview, Verdict } from './protocol';
import { renderEditor, renderRecord, verdictBadge } from './view';

const vscode = vscodeApi<FromWebview, ReviewPanelState>();
const root = document.getElementById('app') ?? document.body;
const ROW_HEIGHT = 26;
let saved = vscode.getState();
let dataset: DatasetRef | undefined = saved?.dataset;
let summary: ReviewSummary | undefined;
let records: FlagRecord[] = [];
let visible: number[] = [];
let selected = -1; // index into `visible`
const filter: ReviewFilter = { reason: '', minRisk: 0, unreviewedOnly: false };
const busy = new Map<string, string>();
let editing = false;

// ---- skeleton -------------------------------------------------------------------------------------------
const titleBox = el('div');
const status = el('p', 'status review-progress');
const info = el('p', 'note');
const reasonSelect = el('select');
reasonSelect.setAttribute('aria-label', 'Reason');
const minRisk = numberInput('number', { min: 0, max: 1, step: 0.05 }, 0, 'Minimum risk');
const unreviewed = el('input');
unreviewed.type = 'checkbox';
const unreviewedLabel = el('label', 'check');
unreviewedLabel.append(unreviewed, document.createTextNode(' unreviewed only'));
const filters = el('div', 'filters');
filters.append(el('span', 'note', 'Reason'), reasonSelect, el('span', 'note', 'Risk ≥'), minRisk, unreviewedLabel);
const list = virtualList(ROW_HEIGHT, renderRow, 'Flagged texts');
const detail = el('section', 'detail');
const layout = el('div', 'layout');
const pane = el('aside', 'list-pane');
pane.append(list.element);
layout.append(pane, detail);

function renderSkeleton(): void {
  titleBox.replaceChildren(
    header('Review flagged descriptions', dataset ? `${dataset.name} · ${dataset.path}` : undefined, [
      button('Refresh', () => vscode.postMessage({ type: 'refresh' })),
    ]),
  );
  root.replaceChildren(titleBox, status, info, filters, layout);
}

function renderRow(position: number): HTMLElement {
  const record = records[visible[position]];
  const row = el('div', 'row');
  row.setAttribute('role', 'option');
  if (position === selected) row.classList.add('selected');
  // The title says which text it is; the first reason, in the tooltip and the detail, says why it is listed.
  row.append(
    el('span', 'row-risk', record.risk.toFixed(2)),
    el('span', 'row-id', record.id),
    el('span', 'row-label', record.label ?? record.reasons[0]?.message ?? ''),
  );
  row.title = [record.label, record.reasons[0]?.message].filter(Boolean).join('\n');
  const verdict = verdictBadge(record);
  if (verdict) row.append(verdict);
  row.addEventListener('click', () => select(position));
  return row;
}

function updateStatus(): void {
  status.textContent = progressText(progress(records), visible.length);
  if (summary) {
    const absent = Object.entries(summary.absent).map(([name, why]) => `${name} absent (${why})`);
    info.textContent = [
      `${summary.flagged} of ${summary.total} ${summary.entity} texts flagged at risk ≥ ${summary.threshold}`,
      `texts: ${summary.source}`,
      `verdicts → ${summary.annotationsFile}`,
      summary.stale ? `${summary.stale} stale verdicts` : '',
      ...absent,
    ]
      .filter(Boolean)
      .join(' · ');
  }
}

function applyFilter(keepId?: string): void {
  visible = filterRecords(records, filter);
  const keep = keepId === undefined ? -1 : visible.findIndex((i) => records[i].id === keepId);
  selected = keep >= 0 ? keep : visible.length > 0 ? 0 : -1;
  list.setCount(visible.length);
  if (selected >= 0) list.scrollToRow(selected);
  updateStatus();
  showSelected();
}

function current(): FlagRecord | undefined {
  return selected >= 0 ? records[visible[selected]] : undefined;
}

function showSelected(): void {
  editing = false;
  const record = current();
  if (!record) {
    detail.replaceChildren(el('p', 'note', records.length ? 'Nothing matches the filters.' : 'No texts to review.'));
    return;
  }
  if (dataset) {
    saved = { dataset, entity: summary?.entity ?? saved?.entity ?? 'item', selected: record.id };
    vscode.setState(saved);
  }
  renderRecord(
    detail,
    record,
    summary?.entity ?? 'item',
    {
      verdict: (verdict) => sendVerdict(record, verdict),
      edit: () => startEdit(record),
      regenerate: () => regenerate(record),
    },
    busy.get(record.id),
  );
}

function select(position: number): void {
  if (position < 0 || position >= visible.length) return;
  selected = position;
  list.scrollToRow(position);
  showSelected();
}

function sendVerdict(record: FlagRecord, verdict: Verdict, editedText?: string): void {
  if (busy.has(record.id)) return;
  busy.set(record.id, 'Saving…');
  vscode.postMessage({ type: 'verdict', id: record.id, verdict, editedText });
  showSelected();
}

function startEdit(record: FlagRecord): void {
  editing = true;
  renderEditor(detail, record, (text) => sendVerdict(record, 'edited', text), showSelected);
}

function regenerate(record: FlagRecord): void {
  if (busy.has(record.id)) return;
  busy.set(record.id, 'Regenerating…');
  vscode.postMessage({ type: 'regenerate', id: record.id });
  showSelected();
}

/** After a verdict, the next record still without one. */
function nextUnreviewed(): void {
  for (let step = 1; step <= visible.length; step++) {
    const position = (selected + step) % visible.length;
    if (!reviewed(records[visible[position]])) return select(position);
  }
  showSelected();
}

function fillReasons(): void {
  const options = [['', 'any'], ...signalNames(records).map((s) => [s, `signal: ${s}`]), ...reasonKinds(records).map((k) => [k, k])];
  reasonSelect.replaceChildren(
    ...options.map(([value, label]) => {
      const option = el('option', undefined, label);
      option.value = value;
      return option;
    }),
  );
  reasonSelect.value = filter.reason;
}

reasonSelect.addEventListener('change', () => {
  filter.reason = reasonSelect.value;
  applyFilter(current()?.id);
});
minRisk.addEventListener('input', () => {
  const value = Number(minRisk.value);
  filter.minRisk = Number.isFinite(value) ? value : 0;
  applyFilter(current()?.id);
});
unreviewed.addEventListener('change', () => {
  filter.unreviewedOnly = unreviewed.checked;
  applyFilter(current()?.id);
});

window.addEventListener('keydown', (event) => {
  if (editing || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target as HTMLElement | null;
  if (target && ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
  const record = current();
  const keys: Record<string, () => void> = {
    j: () => select(selected + 1),
    ArrowDown: () => select(selected + 1),
    k: () => select(selected - 1),
    ArrowUp: () => select(selected - 1),
    o: () => record && sendVerdict(record, 'ok'),
    h: () => record && sendVerdict(record, 'hallucinated'),
    e: () => record && startEdit(record),
    r: () => record && regenerate(record),
  };
  const action = keys[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});

function show(message: ToWebview): void {
  switch (message.type) {
    case 'loading':
      dataset = message.dataset;
      renderSkeleton();
      status.textContent = [message.message ?? 'Scoring texts…', message.fraction !== undefined ? `${Math.round(message.fraction * 100)} %` : '']
        .filter(Boolean)
        .join(' · ');
      detail.replaceChildren();
      break;
    case 'records':
      dataset = message.dataset;
      summary = message.summary;
      records = message.records;
      renderSkeleton();
      fillReasons();
      applyFilter(saved?.selected);
      break;
    case 'failed':
      dataset = message.dataset;
      renderSkeleton();
      status.textContent = message.message;
      status.classList.add('error');
      break;
    case 'annotated': {
      busy.delete(message.id);
      const record = records.find((r) => r.id === message.id);
      if (record) {
        record.annotation = message.annotation;
      }
      updateStatus();
      list.refresh();
      if (current()?.id === message.id) nextUnreviewed();
      break;
    }
    case 'annotateFailed':
      busy.delete(message.id);
      if (current()?.id === message.id) showSelected();
      break;
  }
}

registerKit();
renderSkeleton();
window.addEventListener('message', (event: MessageEvent<ToWebview>) => show(event.data));
vscode.postMessage({ type: 'ready' });
