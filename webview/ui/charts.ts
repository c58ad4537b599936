// Horizontal share bars built with DOM calls (createElementNS, setAttribute, textContent): bars of 0–100 %
// with a label each, which need no axis maths (charts with axes are uPlot's, webview/ui/plot.ts). Colours
// come from CSS classes mapped to VS Code theme variables (--vscode-charts-*), so they follow the theme.
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
    chart.append(
      withTooltip(svg('rect', { x: left, y: y + 3, width: Math.max(0, row.share) * plotW, height: 16, class: 'bar' }), `${row.label}: ${row.detail}`),
    );
    chart.append(svg('text', { x: left + Math.max(0, row.share) * plotW + 6, y: y + 15, class: 'tick' }, `${(row.share * 100).toFixed(1)} %`));
  });
  return chart;
}
