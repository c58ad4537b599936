// Builds the statistics page from a StatsView. Every piece of dataset text (name, path, field names) goes in
// with textContent or setAttribute, through the kit and chart helpers; nothing here parses HTML.
import { shareBarsChart, stackedBarsChart } from '../ui/charts';
import { plot } from '../ui/plot';
import { badge, button, dataGrid, divider, progressRing, tabs } from '../ui/kit';
import { dec, density, int, pct, skewed } from './format';
import type { DatasetRef, StatsView } from './protocol';

export interface ViewActions {
  refresh(): void;
  cancel(): void;
  tabChanged(id: string): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function header(dataset: DatasetRef, actions: Node[], note?: string): HTMLElement {
  const head = el('header', 'page-header');
  const titles = el('div', 'titles');
  titles.append(el('h1', undefined, dataset.name), el('p', 'path', dataset.path));
  if (note) titles.append(el('p', 'note', note));
  const buttons = el('div', 'actions');
  buttons.append(...actions);
  head.append(titles, buttons);
  return head;
}

/** The loading page; returns a function that updates its progress line. */
export function renderLoading(root: HTMLElement, dataset: DatasetRef, actions: ViewActions): (message?: string, fraction?: number) => void {
  const bar = el('progress', 'load-progress');
  bar.setAttribute('aria-label', 'Progress');
  const status = el('p', 'status', 'Starting the worker…');
  const body = el('section', 'loading');
  body.append(progressRing('Computing statistics'), status, bar);
  root.replaceChildren(header(dataset, [button('Cancel', actions.cancel)]), body);
  return (message, fraction) => {
    if (fraction !== undefined) {
      bar.max = 1;
      bar.value = fraction;
    }
    status.textContent = [message, fraction !== undefined ? pct(fraction, 0) : undefined].filter(Boolean).join(' · ') || 'Working…';
  };
}

export function renderProblem(root: HTMLElement, dataset: DatasetRef, text: string, isError: boolean, actions: ViewActions): void {
  const body = el('section', isError ? 'problem error' : 'problem');
  body.append(el('p', undefined, text));
  root.replaceChildren(header(dataset, [button('Retry', actions.refresh, 'primary')]), body);
}

export function renderStats(
  root: HTMLElement,
  dataset: DatasetRef,
  stats: StatsView,
  seconds: number | undefined,
  activeTab: string | undefined,
  actions: ViewActions,
): void {
  const note = `${stats.format} format${seconds !== undefined ? ` · computed in ${dec(seconds, 1)} s` : ''}`;
  root.replaceChildren(
    header(dataset, [button('Refresh', actions.refresh)], note),
    tiles(stats),
    divider(),
    tabs(
      [
        { id: 'sequences', title: 'Sequences', content: sequencesTab(stats) },
        { id: 'popularity', title: 'Popularity', content: popularityTab(stats) },
        { id: 'headtail', title: 'Head / tail', content: headTailTab(stats) },
        { id: 'metadata', title: 'Metadata', content: metadataTab(stats) },
        { id: 'quality', title: 'Cold items & duplicates', content: qualityTab(stats) },
      ],
      activeTab,
      actions.tabChanged,
    ),
  );
}

function tiles(stats: StatsView): HTMLElement {
  const grid = el('section', 'tiles');
  const tile = (label: string, value: string, hint: string) => {
    const box = el('div', 'tile');
    box.title = hint;
    box.append(el('div', 'tile-value', value), el('div', 'tile-label', label));
    return box;
  };
  grid.append(
    tile('users', int(stats.users), 'Distinct users with at least one interaction'),
    tile('items', int(stats.items), 'Distinct items with at least one interaction'),
    tile('interactions', int(stats.interactions), 'After the duplicate policy'),
    tile('density', density(stats.density), 'interactions / (users × items)'),
    tile('Gini (popularity)', dec(stats.popularity.gini, 3), '0 = every item equally popular, 1 = one item takes all'),
    tile('top-20 % items share', pct(stats.popularity.top20Share), 'Share of interactions that go to the 20 % most popular items'),
  );
  return grid;
}

function section(...children: Node[]): HTMLElement {
  const box = el('div', 'tab-body');
  box.append(...children);
  return box;
}

function summaryGrid(caption: string, rows: Array<[string, string]>): HTMLElement {
  return dataGrid(caption, ['Statistic', 'Value'], rows, ['2fr', '1fr']);
}

function histogram(h: StatsView['sequenceLength']['histogram']): HTMLElement {
  const chart = plot({ label: 'Histogram of sequence lengths', x: 'interactions per user (bin start)', y: 'users', bars: true, height: 220 });
  chart.element.id = 'length-histogram';
  const points = h.counts.map((count, i): [number, number] => [h.edges[i], count]);
  const log = el('input');
  log.type = 'checkbox';
  log.id = 'histogram-log';
  log.checked = skewed(h.counts);
  const label = el('label', 'control');
  label.append(log, document.createTextNode(' log scale (users)'));
  const draw = () => chart.update([{ label: 'users', tone: 0, points }], { logY: log.checked, y: log.checked ? 'users (log)' : 'users' });
  log.addEventListener('change', draw);
  draw();
  const box = el('div');
  box.append(label, chart.element);
  return box;
}

function sequencesTab(stats: StatsView): HTMLElement {
  const s = stats.sequenceLength;
  return section(
    histogram(s.histogram),
    summaryGrid('Sequence length', [
      ['Minimum', int(s.min)],
      ['Median', dec(s.median, 1)],
      ['Mean', dec(s.mean, 1)],
      ['90th percentile', dec(s.p90, 1)],
      ['Maximum', int(s.max)],
    ]),
  );
}

function popularityTab(stats: StatsView): HTMLElement {
  const p = stats.popularity;
  return section(
    longTail(p.curve, p.headItems),
    el(
      'p',
      'caption',
      `Ranks 1 to ${int(p.headItems)} are the head (the 20 % most popular items). A straight fall on these log axes is a power-law long tail.`,
    ),
    summaryGrid('Item popularity', [
      ['Interactions per item, minimum', int(p.min)],
      ['Median', dec(p.median, 1)],
      ['Mean', dec(p.mean, 1)],
      ['Maximum', int(p.max)],
      ['Gini coefficient', dec(p.gini, 3)],
      ['Share of the top 20 % items', pct(p.top20Share)],
    ]),
    ...topItems(stats),
  );
}

function longTail(curve: Array<[number, number]>, headItems: number): HTMLElement {
  const chart = plot({ label: 'Item popularity by rank, log–log', x: 'item rank (log)', y: 'interactions (log)', logX: true, logY: true, height: 220 });
  chart.element.id = 'long-tail';
  chart.update([
    { label: 'head items', tone: 1, points: curve.filter(([rank]) => rank <= headItems) },
    { label: 'tail items', tone: 0, points: curve.filter(([rank]) => rank >= headItems) },
  ]);
  return chart.element;
}

function topItems(stats: StatsView): HTMLElement[] {
  const items = stats.topItems ?? [];
  if (items.length === 0) return [];
  const rows = items.map((item, i) => [String(i + 1), item.id, item.title ?? '', int(item.interactions)]);
  return [
    el('h2', undefined, 'Most popular items'),
    dataGrid('Most popular items', ['#', 'Item', 'Title', 'Interactions'], rows, ['56px', '1fr', '3fr', '1fr']),
  ];
}

function headTailTab(stats: StatsView): HTMLElement {
  const p = stats.popularity;
  const u = stats.users80_20;
  return section(
    // Head items and head users are 20 % by definition, so only the interactions' split is drawn: it is
    // what tells one dataset from another.
    stackedBarsChart(
      [
        {
          label: 'interactions',
          parts: [
            { label: 'on head items', value: p.top20Share, tone: 'primary' },
            { label: 'on tail items', value: 1 - p.top20Share, tone: 'secondary' },
          ],
        },
      ],
      'Share of interactions on head and tail items',
    ),
    el(
      'p',
      'caption',
      'Head items: the 20 % most popular; head users: the 20 % with the longest sequences (the evaluation breakdowns use the same split). Both are 20 % by definition; the share of interactions the head items take is the dataset’s.',
    ),
    summaryGrid('Head and tail', [
      ['Head items', int(p.headItems)],
      ['Tail items', int(p.tailItems)],
      ['Interactions on head items', pct(p.top20Share)],
      ['Head users', int(u.headUsers)],
      ['Tail users', int(u.tailUsers)],
      ['Shortest head-user sequence', int(u.headMinLength)],
    ]),
  );
}

function metadataTab(stats: StatsView): HTMLElement {
  const coverage = stats.metadataCoverage;
  if (coverage.length === 0) return section(el('p', 'caption', 'No item metadata was found for this dataset.'));
  return section(
    shareBarsChart(
      coverage.map((c) => ({ label: c.field, share: c.share, detail: `${int(c.covered)} of ${int(stats.items)} items` })),
      'Share of items with each metadata field',
    ),
    dataGrid(
      'Metadata coverage',
      ['Field', 'Items with a value', 'Share'],
      coverage.map((c) => [c.field, int(c.covered), pct(c.share)]),
      ['2fr', '1fr', '1fr'],
    ),
  );
}

function qualityTab(stats: StatsView): HTMLElement {
  const flags = el('div', 'badges');
  if (stats.duplicates.found > 0) flags.append(badge(`${int(stats.duplicates.found)} repeated interactions`));
  if (stats.coldItems.noTrainInteractions > 0) flags.append(badge(`${int(stats.coldItems.noTrainInteractions)} items unseen in training`));
  return section(
    flags,
    summaryGrid('Cold items and duplicates', [
      ['Catalogue-only items (metadata, no interaction)', int(stats.coldItems.catalogueOnly)],
      ['Items only ever a validation/test target', int(stats.coldItems.noTrainInteractions)],
      ['Repeated (user, item) interactions found', int(stats.duplicates.found)],
      ['Removed by the duplicate policy', int(stats.duplicates.removed)],
    ]),
  );
}
