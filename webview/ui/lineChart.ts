// A line chart that is updated in place: the SVG and its series elements are created once, and update()
// moves points and ticks (setAttribute), so a live run redraws without replacing the page or flickering.
// DOM calls only (createElementNS, textContent); colours come from CSS classes mapped to theme variables.
const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 220;
const M = { top: 12, right: 16, bottom: 36, left: 56 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export interface Series {
  name: string;
  /** CSS class of the line (e.g. 'series-0'); the stylesheet maps it to a theme colour. */
  tone: string;
  points: Array<[number, number]>;
}

export interface LineChart {
  element: SVGSVGElement;
  update(series: Series[]): void;
}

function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const rough = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const tickText = (value: number) => (Math.abs(value) >= 1000 ? value.toExponential(1) : String(Number(value.toPrecision(3))));

export function lineChart(title: string, labels: { x: string; y: string }): LineChart {
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart line-chart', role: 'img', 'aria-label': title });
  const grid = svg('g', { class: 'grid' });
  const lines = svg('g', { class: 'lines' });
  const legend = svg('g', { class: 'legend' });
  chart.append(
    grid,
    lines,
    legend,
    svg('text', { x: M.left + (WIDTH - M.left - M.right) / 2, y: HEIGHT - 4, 'text-anchor': 'middle', class: 'axis-label' }, labels.x),
    svg('text', { x: -(M.top + (HEIGHT - M.top - M.bottom) / 2), y: 14, 'text-anchor': 'middle', transform: 'rotate(-90)', class: 'axis-label' }, labels.y),
  );
  const polylines = new Map<string, SVGPolylineElement>();
  const empty = svg('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle', class: 'tick' }, 'Waiting for the first points…');
  chart.append(empty);

  const update = (series: Series[]) => {
    const all = series.flatMap((s) => s.points);
    empty.style.display = all.length === 0 ? '' : 'none';
    const xs = all.map(([x]) => x);
    const ys = all.map(([, y]) => y);
    const xMin = Math.min(0, ...xs);
    const xMax = Math.max(xMin + 1, ...xs);
    const yLow = ys.length ? Math.min(...ys) : 0;
    const yHigh = ys.length ? Math.max(...ys) : 1;
    const pad = (yHigh - yLow) * 0.08 || Math.abs(yHigh) * 0.1 || 1;
    const yMin = yLow - pad;
    const yMax = yHigh + pad;
    const toX = (x: number) => M.left + ((x - xMin) / (xMax - xMin)) * (WIDTH - M.left - M.right);
    const toY = (y: number) => M.top + (1 - (y - yMin) / (yMax - yMin)) * (HEIGHT - M.top - M.bottom);
    // Ticks change with the range: they are few, so they are rebuilt; the lines are updated in place.
    const ticks: SVGElement[] = [];
    for (const t of niceTicks(yMin, yMax)) {
      ticks.push(svg('line', { x1: M.left, x2: WIDTH - M.right, y1: toY(t), y2: toY(t), class: 'grid-line' }));
      ticks.push(svg('text', { x: M.left - 6, y: toY(t) + 4, 'text-anchor': 'end', class: 'tick' }, tickText(t)));
    }
    for (const t of niceTicks(xMin, xMax)) ticks.push(svg('text', { x: toX(t), y: HEIGHT - M.bottom + 16, 'text-anchor': 'middle', class: 'tick' }, tickText(t)));
    grid.replaceChildren(...ticks);
    const legendItems: SVGElement[] = [];
    series.forEach((s, i) => {
      let line = polylines.get(s.name);
      if (!line) {
        line = svg('polyline', { class: `series ${s.tone}` });
        line.append(svg('title', {}, s.name));
        polylines.set(s.name, line);
        lines.append(line);
      }
      line.setAttribute('points', s.points.map(([x, y]) => `${toX(x).toFixed(1)},${toY(y).toFixed(1)}`).join(' '));
      line.dataset.count = String(s.points.length);
      legendItems.push(svg('text', { x: WIDTH - M.right - 4, y: M.top + 12 + i * 14, 'text-anchor': 'end', class: `legend-text ${s.tone}` }, s.name));
    });
    legend.replaceChildren(...legendItems);
  };
  update([]);
  return { element: chart, update };
}
