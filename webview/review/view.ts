// The detail of one flagged text: the text with its flagged spans as <mark> elements (built from text
// nodes by span offsets, never HTML), the reasons, the verdict and the verdict buttons. LLM text is
// untrusted: it only ever reaches the page through textContent / createTextNode.
import { el } from '../ui/dom';
import { badge, button } from '../ui/kit';
import type { FlagRecord, Verdict } from './protocol';
import { splitSegments } from './segments';

export interface DetailActions {
  verdict(verdict: Verdict): void;
  edit(): void;
  regenerate(): void;
}

/** The text with every reason's span marked; a run covered by several reasons names them all. */
export function markedText(record: FlagRecord): HTMLElement {
  const box = el('p', 'desc flagged-text');
  for (const segment of splitSegments(record.text, record.reasons)) {
    if (segment.spans.length === 0) {
      box.append(document.createTextNode(segment.text));
      continue;
    }
    const mark = el('mark', `flag-span signal-${record.reasons[segment.spans[0]].signal}`, segment.text);
    mark.title = segment.spans.map((i) => record.reasons[i].message).join('\n');
    mark.dataset.reasons = segment.spans.join(' ');
    box.append(mark);
  }
  return box;
}

export function verdictBadge(record: FlagRecord): HTMLElement | undefined {
  if (!record.annotation) return undefined;
  const node = badge(record.annotation.stale ? `${record.annotation.verdict} (stale)` : record.annotation.verdict);
  node.classList.add(record.annotation.stale ? 'stale' : `verdict-${record.annotation.verdict}`, 'verdict-badge');
  node.title = record.annotation.stale ? 'This verdict judged an older text; it is not applied to the current one.' : `Recorded ${record.annotation.at}`;
  return node;
}

export function renderRecord(root: HTMLElement, record: FlagRecord, entity: string, actions: DetailActions, busy: string | undefined): void {
  const head = el('div', 'record-head');
  head.append(el('h2', undefined, `${entity} ${record.id}`), badge(`risk ${record.risk.toFixed(2)}`));
  if (record.label) head.append(el('span', 'record-label', record.label));
  const verdict = verdictBadge(record);
  if (verdict) head.append(verdict);
  const reasons = el('ol', 'reasons');
  for (const reason of record.reasons) {
    const item = el('li');
    item.append(
      el('span', `reason-kind signal-${reason.signal}`, `${reason.signal} · ${reason.kind}`),
      document.createTextNode(' '),
      el('span', undefined, reason.message),
    );
    reasons.append(item);
  }
  if (record.reasons.length === 0) reasons.append(el('li', 'note', 'No reasons (low risk).'));
  const signals = el(
    'p',
    'note',
    Object.entries(record.signals)
      .map(([name, s]) => `${name}: ${s.score === null ? `absent (${s.absent ?? 'n/a'})` : s.score.toFixed(2)}`)
      .join(' · '),
  );
  const verdicts = el('div', 'verdicts');
  const ok = button('OK (o)', () => actions.verdict('ok'));
  ok.id = 'verdict-ok';
  // No verdict is the default one: all four look alike, so none is suggested by its styling.
  const bad = button('Hallucinated (h)', () => actions.verdict('hallucinated'));
  bad.id = 'verdict-hallucinated';
  const edit = button('Edit… (e)', actions.edit);
  edit.id = 'verdict-edit';
  const regen = button('Regenerate (r)', actions.regenerate);
  regen.id = 'verdict-regenerate';
  verdicts.append(ok, bad, edit, regen);
  if (busy) {
    for (const b of [ok, bad, edit, regen]) b.setAttribute('disabled', '');
    verdicts.append(el('span', 'note busy', busy));
  }
  root.replaceChildren(
    head,
    markedText(record),
    el('h3', undefined, 'Reasons'),
    reasons,
    signals,
    verdicts,
    el('p', 'note keys', 'Keys: j / k or ↓ / ↑ move · o ok · h hallucinated · e edit · r regenerate'),
  );
}

/** The edit form; Ctrl+Enter saves, Escape cancels. */
export function renderEditor(root: HTMLElement, record: FlagRecord, save: (text: string) => void, cancel: () => void): void {
  const area = el('textarea', 'editor');
  area.value = record.text;
  area.rows = 10;
  area.setAttribute('aria-label', 'Corrected text');
  area.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) save(area.value);
    if (event.key === 'Escape') cancel();
    event.stopPropagation(); // typing here is not a verdict key
  });
  const saveButton = button('Save as edited (Ctrl+Enter)', () => save(area.value), 'primary');
  saveButton.id = 'edit-save';
  const actions = el('div', 'verdicts');
  actions.append(saveButton, button('Cancel (Esc)', cancel));
  root.replaceChildren(el('h2', undefined, `Edit ${record.id}`), area, actions);
  area.focus();
}
