// Builds the neighbours page. Every id, label and description is untrusted (dataset or LLM text) and goes in
// through textContent only (webview/ui/dom.ts); nothing here parses HTML.
import { el, linkButton } from '../ui/dom';
import { badge, button, progressRing } from '../ui/kit';
import type { Entity, InspectView } from './protocol';

type Neighbour = InspectView['neighbours'][number];
type Described = InspectView['query'];

export interface DetailActions {
  open(id: string): void;
}

const two = (n: number) => n.toFixed(2);
// Cosines round to -0.000 for orthogonal texts; show them as 0.
const three = (n: number) => (Math.abs(n) < 5e-4 ? 0 : n).toFixed(3);
const pct = (n: number) => `${(n * 100).toFixed(1)} %`;

function noun(entity: Entity, plural = false): string {
  return entity === 'item' ? (plural ? 'items' : 'item') : plural ? 'users' : 'user';
}

/** Items are co-interacted by users; users overlap in items. */
function overlapNoun(entity: Entity, count = 2): string {
  const noun = entity === 'item' ? 'user' : 'item';
  return count === 1 ? noun : `${noun}s`;
}

function flagBadge(described: Described): HTMLElement | undefined {
  if (!described.flag || described.flag.score <= 0) return undefined;
  const node = badge(`risk ${two(described.flag.score)}`);
  node.classList.add(described.flag.score >= 0.5 ? 'risk-high' : 'risk-low');
  node.title = described.flag.reasons.join('\n') || 'no reasons given';
  return node;
}

function description(text: string): HTMLElement {
  return el('p', 'desc', text || '(no description)');
}

function meter(value: number, label: string): HTMLElement {
  const bar = el('meter', 'meter');
  bar.min = 0;
  bar.max = 1;
  bar.value = Math.max(0, Math.min(1, value));
  bar.setAttribute('aria-label', label);
  return bar;
}

function queryCard(result: InspectView): HTMLElement {
  const card = el('section', 'query-card');
  const q = result.query;
  const title = el('h2', 'query-label', q.label);
  const facts = el('p', 'facts');
  const source = result.textSource
    ? `${result.textSource.provider}/${result.textSource.model}${result.textSource.worldKnowledge ? '' : ' (no world knowledge)'}`
    : 'raw metadata / titles';
  facts.textContent = `${noun(result.entity)} ${q.id} · ${q.interactions} training ${overlapNoun(result.entity, q.interactions)} · text from ${source}`;
  card.append(title, facts);
  const flag = flagBadge(q);
  if (flag) card.append(flag);
  if (result.attention.available && result.attention.self !== undefined)
    card.append(el('p', 'facts', `Attention kept on itself: ${pct(result.attention.self)}`));
  card.append(description(q.text));
  return card;
}

function statusNotes(result: InspectView): HTMLElement {
  const notes = el('div', 'notes');
  const line = (label: string, text: string) => {
    const p = el('p', 'note');
    p.append(el('strong', undefined, `${label}: `), document.createTextNode(text));
    return p;
  };
  notes.append(line('Index', `${result.index.method}, ${result.index.embedder}, ${result.index.count} ${noun(result.entity, true)}`));
  notes.append(
    line(
      'Flags',
      result.flags.available
        ? 'claims checked against the metadata (a risk badge marks a suspect text; Review Flagged Descriptions scores the whole catalogue)'
        : result.flags.reason,
    ),
  );
  notes.append(line('Attention', result.attention.available ? `GRASP checkpoint ${result.attention.run ?? ''}` : result.attention.reason));
  return notes;
}

function neighbourCard(result: InspectView, n: Neighbour, rank: number, actions: DetailActions): HTMLElement {
  const card = el('article', 'neighbour');
  card.dataset.id = n.id;
  const head = el('div', 'nb-head');
  const open = linkButton(n.id, () => actions.open(n.id), 'link nb-open');
  open.title = `Inspect ${noun(result.entity)} ${n.id}`;
  head.append(el('span', 'rank', `${rank}`), open, el('span', 'nb-label', n.label));
  const metrics = el('div', 'nb-metrics');
  const sim = el('span', 'metric');
  sim.append(el('span', 'metric-name', 'similarity '), el('span', 'metric-value nb-similarity', three(n.similarity)), meter(n.similarity, 'similarity'));
  const co = el('span', 'metric', `${n.overlap.shared} shared ${overlapNoun(result.entity, n.overlap.shared)} (Jaccard ${three(n.overlap.jaccard)})`);
  co.title = `Training ${overlapNoun(result.entity)} both have; Jaccard = shared / union`;
  metrics.append(sim, co);
  if (n.attention !== undefined) {
    const att = el('span', 'metric attention');
    att.append(el('span', 'metric-name', 'attention '), el('span', 'metric-value', pct(n.attention)), meter(n.attention, 'attention weight'));
    metrics.append(att);
  }
  const flag = flagBadge(n);
  if (flag) metrics.append(flag);
  const details = el('details', 'nb-desc');
  details.append(el('summary', undefined, 'Description'), description(n.text));
  card.append(head, metrics, details);
  return card;
}

/** The GRASP model's own candidates (its retrieval may differ from the index shown) with their weights. */
function attentionSection(result: InspectView, actions: DetailActions): HTMLElement | undefined {
  const candidates = result.attention.available ? result.attention.candidates : undefined;
  if (!candidates || candidates.length === 0) return undefined;
  const section = el('section', 'attention-list');
  section.append(el('h3', undefined, 'What the GRASP model attended to'));
  if (result.attention.self !== undefined) section.append(el('p', 'facts', `itself: ${pct(result.attention.self)}`));
  const table = el('table', 'grid');
  for (const c of [...candidates].sort((a, b) => b.weight - a.weight)) {
    const row = table.insertRow();
    row.insertCell().append(linkButton(c.id, () => actions.open(c.id), 'link nb-open'));
    const weight = row.insertCell();
    weight.className = 'num';
    weight.append(document.createTextNode(pct(c.weight)), meter(c.weight, 'attention weight'));
    row.insertCell().textContent = c.label;
  }
  section.append(table);
  return section;
}

export function renderDetail(root: HTMLElement, result: InspectView, actions: DetailActions): void {
  const list = el('section', 'neighbours');
  list.append(el('h3', undefined, `${result.neighbours.length} nearest ${noun(result.entity, true)}`));
  result.neighbours.forEach((n, i) => list.append(neighbourCard(result, n, i + 1, actions)));
  const attention = attentionSection(result, actions);
  root.replaceChildren(queryCard(result), statusNotes(result), list, ...(attention ? [attention] : []));
}

export function renderDetailLoading(root: HTMLElement, id: string, message?: string): void {
  const box = el('section', 'loading');
  box.append(progressRing(`Loading ${id}`), el('p', 'status', message ?? `Loading ${id}…`));
  root.replaceChildren(box);
}

/** A problem, with what can be done about it here: a fix (e.g. build the missing index) and/or a retry. */
export function renderDetailProblem(root: HTMLElement, text: string, retry?: () => void, fix?: { label: string; run: () => void; detail?: string }): void {
  const box = el('section', fix ? 'problem' : 'problem error');
  box.append(el('p', undefined, text));
  const actions = el('div', 'actions');
  if (fix) {
    const fixButton = button(fix.label, fix.run, 'primary');
    fixButton.id = 'fix';
    actions.append(fixButton);
  }
  if (retry) actions.append(button('Retry', retry, fix ? 'secondary' : 'primary'));
  box.append(actions);
  if (fix?.detail) {
    const details = el('details', 'note');
    details.append(el('summary', undefined, 'Details'), el('p', undefined, fix.detail));
    box.append(details);
  }
  root.replaceChildren(box);
}
