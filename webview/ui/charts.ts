// Small SVG charts built with DOM calls (createElementNS, setAttribute, textContent): no chart library, no
// HTML parsing, nothing the CSP has to allow. Colours come from CSS classes in the page's stylesheet, which
// map them to VS Code theme variables (--vscode-charts-*), so the charts follow the colour theme.
const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 16, bottom: 40, left: 56 };

type Attrs = Record<string, string | number>;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = {}, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A native tooltip; `text` may be untrusted (it is a text node). */
function withTooltip<T extends SVGElement>(el: T, text: string): T {
  el.append(svg('title', {}, text));
  return el;
}

function frame(label: string, height = HEIGHT): SVGSVGElement {
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'chart', role: 'img', 'aria-label': label });
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US');

/** About five round tick values covering [0, max]. */
function linearTicks(max: number): number[] {
  if (max <= 0) return [0];
  const rough = max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const ticks = [0];
  while (ticks[ticks.length - 1] < max) ticks.push(ticks.length * step); // the last tick is ≥ max: bars stay inside
  return ticks;
}

/** Powers of ten from 1 up to max. */
function logTicks(max: number): number[] {
  const ticks = [1];
  while (ticks[ticks.length - 1] * 10 <= max) ticks.push(ticks[ticks.length - 1] * 10);
  return ticks;
}

function axisLabel(chart: SVGSVGElement, text: string, axis: 'x' | 'y', height = HEIGHT): void {
  const attrs: Attrs =
    axis === 'x'
      ? { x: MARGIN.left + (WIDTH - MARGIN.left - MARGIN.right) / 2, y: height - 4, 'text-anchor': 'middle' }
      : { x: -(MARGIN.top + (height - MARGIN.top - MARGIN.bottom) / 2), y: 14, 'text-anchor': 'middle', transform: 'rotate(-90)' };
  chart.append(svg('text', { ...attrs, class: 'axis-label' }, text));
}

function yAxis(chart: SVGSVGElement, ticks: number[], toY: (v: number) => number): void {
  for (const tick of ticks) {
    const y = toY(tick);
    chart.append(svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y, class: 'grid-line' }));
    chart.append(svg('text', { x: MARGIN.left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, compact.format(tick)));
  }
}

function xTick(chart: SVGSVGElement, x: number, label: string, height = HEIGHT): void {
  const base = height - MARGIN.bottom;
  chart.append(svg('line', { x1: x, x2: x, y1: base, y2: base + 4, class: 'axis' }));
  chart.append(svg('text', { x, y: base + 16, 'text-anchor': 'middle', class: 'tick' }, label));
}

export interface HistogramData {
  /** Bin i covers [edges[i], edges[i+1]). */
  edges: number[];
  counts: number[];
}

export function histogramChart(data: HistogramData, labels: { title: string; x: string; y: string }): SVGSVGElement {
  const chart = frame(labels.title);
  const bins = data.counts.length;
  const max = Math.max(1, ...data.counts);
  const ticks = linearTicks(max);
  const top = ticks[ticks.length - 1];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const toY = (v: number) => MARGIN.top + plotH - (v / top) * plotH;
  yAxis(chart, ticks, toY);
  const barW = plotW / Math.max(1, bins);
  data.counts.forEach((count, i) => {
    const x = MARGIN.left + i * barW;
    const from = data.edges[i];
    const to = data.edges[i + 1] ?? from;
    const bar = svg('rect', { x: x + 0.5, y: toY(count), width: Math.max(0.5, barW - 1), height: Math.max(0, toY(0) - toY(count)), class: 'bar' });
    const range = Number.isInteger(from) && Number.isInteger(to) && to > from ? `${whole.format(from)}–${whole.format(to - 1)}` : `[${from}, ${to})`;
    chart.append(withTooltip(bar, `${range}: ${whole.format(count)}`));
  });
  const every = Math.ceil(bins / 8); // label about eight bin edges, not all of them
  for (let i = 0; i <= bins; i += every) xTick(chart, MARGIN.left + i * barW, compact.format(data.edges[i] ?? 0));
  axisLabel(chart, labels.x, 'x');
  axisLabel(chart, labels.y, 'y');
  return chart;
}

/** A sorted popularity curve on log–log axes; ranks up to `headRanks` are shaded as the head. */
export function longTailChart(curve: Array<[number, number]>, headRanks: number, labels: { title: string; x: string; y: string }): SVGSVGElement {
  const chart = frame(labels.title);
  const maxRank = Math.max(1, ...curve.map(([rank]) => rank));
  const maxCount = Math.max(1, ...curve.map(([, count]) => count));
  const xTicks = logTicks(maxRank);
  const yTicks = logTicks(maxCount);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  // Axes end at the data (a little headroom above the top count), not at the next power of ten.
  const xSpan = Math.log10(maxRank) || 1;
  const ySpan = Math.log10(maxCount * 1.15) || 1;
  const toX = (rank: number) => MARGIN.left + (Math.log10(Math.max(1, rank)) / xSpan) * plotW;
  const toY = (count: number) => MARGIN.top + plotH - (Math.log10(Math.max(1, count)) / ySpan) * plotH;
  if (headRanks > 0) {
    const head = svg('rect', { x: MARGIN.left, y: MARGIN.top, width: Math.max(0, toX(headRanks) - MARGIN.left), height: plotH, class: 'head-zone' });
    chart.append(withTooltip(head, `Head: the ${whole.format(headRanks)} most popular items`));
  }
  yAxis(chart, yTicks, toY);
  for (const tick of xTicks) xTick(chart, toX(tick), compact.format(tick));
  const points = curve.map(([rank, count]) => `${toX(rank).toFixed(1)},${toY(count).toFixed(1)}`).join(' ');
  chart.append(svg('polyline', { points, class: 'curve' }));
  axisLabel(chart, labels.x, 'x');
  axisLabel(chart, labels.y, 'y');
  return chart;
}

export interface StackedRow {
  label: string;
  parts: Array<{ label: string; value: number; tone: 'primary' | 'secondary' }>;
}

/** 100 % stacked horizontal bars: each row splits one whole (items, interactions, users) into parts. */
export function stackedBarsChart(rows: StackedRow[], title: string): SVGSVGElement {
  const rowH = 34;
  const height = MARGIN.top + rows.length * rowH + 8;
  const chart = frame(title, height);
  const left = 120;
  const plotW = WIDTH - left - MARGIN.right;
  rows.forEach((row, r) => {
    const y = MARGIN.top + r * rowH;
    const total = row.parts.reduce((sum, part) => sum + part.value, 0) || 1;
    chart.append(svg('text', { x: left - 8, y: y + 17, 'text-anchor': 'end', class: 'row-label' }, row.label));
    let x = left;
    for (const part of row.parts) {
      const width = (part.value / total) * plotW;
      const share = `${((part.value / total) * 100).toFixed(1)} %`;
      chart.append(withTooltip(svg('rect', { x, y, width, height: 24, class: part.tone === 'primary' ? 'bar' : 'bar-secondary' }), `${part.label}: ${share}`));
      if (width > 90) chart.append(svg('text', { x: x + 6, y: y + 16, class: 'bar-text' }, `${part.label} ${share}`));
      x += width;
    }
  });
  return chart;
}

/** Horizontal bars of shares in [0, 1], one per row; long (untrusted) labels are shortened, full text in the tooltip. */
export function shareBarsChart(rows: Array<{ label: string; share: number; detail: string }>, title: string): SVGSVGElement {
  const rowH = 24;
  const height = MARGIN.top + Math.max(1, rows.length) * rowH + 24;
  const chart = frame(title, height);
  const left = 170;
  const plotW = WIDTH - left - MARGIN.right - 48;
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const x = left + tick * plotW;
    chart.append(svg('line', { x1: x, x2: x, y1: MARGIN.top, y2: height - 20, class: 'grid-line' }));
    chart.append(svg('text', { x, y: height - 6, 'text-anchor': 'middle', class: 'tick' }, `${tick * 100} %`));
  }
  rows.forEach((row, r) => {
    const y = MARGIN.top + r * rowH;
    const label = row.label.length > 24 ? `${row.label.slice(0, 23)}…` : row.label;
    chart.append(withTooltip(svg('text', { x: left - 8, y: y + 14, 'text-anchor': 'end', class: 'row-label' }, label), row.label));
    chart.append(withTooltip(svg('rect', { x: left, y: y + 3, width: Math.max(0, row.share) * plotW, height: 16, class: 'bar' }), `${row.label}: ${row.detail}`));
    chart.append(svg('text', { x: left + Math.max(0, row.share) * plotW + 6, y: y + 15, class: 'tick' }, `${(row.share * 100).toFixed(1)} %`));
  });
  return chart;
}
