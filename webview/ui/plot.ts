// Line and bar charts for the webviews, drawn by uPlot. Why uPlot (and not the hand-written SVG charts it
// replaces, nor Chart.js / ECharts / Plotly): it is small (~50 kB), maintained, draws thousands of points
// per frame on a canvas (a live run adds one a second for hours), and it never evaluates code, never parses
// HTML (legend labels go in through textContent) and styles elements only through the CSSOM, so it runs
// under the webviews' strict CSP (no 'unsafe-eval', no 'unsafe-inline'). It brings the axis maths a chart
// needs (nice ticks formatted to their step, log scales, single points drawn, a legend outside the plot)
// and resizes with its container. Canvas colours cannot be CSS classes, so they are read from VS Code's
// theme variables (--vscode-charts-*, --vscode-foreground, …) and the charts are rebuilt when the theme
// changes.
import uPlot from 'uplot';
import { alignSeries, compactNumber, formatTicks, niceSplits, type PlotSeries } from './plotData';

export type { PlotSeries };

export interface PlotConfig {
  /** Accessible name of the chart. */
  label: string;
  x: string;
  y: string;
  height?: number;
  logX?: boolean;
  logY?: boolean;
  /** Bars (a histogram: each point is a bin's left edge and count). */
  bars?: boolean;
  /** How x tick values read (default: numbers formatted to the tick step). */
  formatX?: (value: number) => string;
  /** The x axis counts whole things (epochs): whole-number ticks only. */
  integerX?: boolean;
}

export interface Plot {
  /** The chart's container: give it to the page once; it resizes with its width. */
  element: HTMLElement;
  update(series: PlotSeries[], config?: Partial<PlotConfig>): void;
}

const TONES = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

interface Theme {
  tones: string[];
  text: string;
  grid: string;
  font: string;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function readTheme(): Theme {
  const family = cssVar('--vscode-font-family') || 'sans-serif';
  return {
    tones: TONES.map((name, i) => cssVar(name) || FALLBACK[i]),
    text: cssVar('--vscode-descriptionForeground') || cssVar('--vscode-foreground') || '#888',
    grid: cssVar('--vscode-editorWidget-border') || cssVar('--vscode-widget-border') || 'rgba(128,128,128,0.3)',
    font: `11px ${family}`,
  };
}

export function plot(initial: PlotConfig): Plot {
  const element = document.createElement('div');
  element.className = 'plot';
  element.setAttribute('role', 'img');
  element.setAttribute('aria-label', initial.label);
  const empty = document.createElement('p');
  empty.className = 'note plot-empty';
  empty.textContent = 'Waiting for the first points…';
  const holder = document.createElement('div');
  element.append(empty, holder);

  let config = initial;
  let series: PlotSeries[] = [];
  let chart: uPlot | undefined;
  let shape = '';
  let theme = readTheme();
  let yTicks: string[] = [];

  const width = () => Math.max(200, Math.floor(element.clientWidth || 0));

  const build = () => {
    chart?.destroy();
    chart = undefined;
    if (series.length === 0 || element.clientWidth === 0) return;
    const tone = (s: PlotSeries) => theme.tones[s.tone % theme.tones.length];
    const axis = (label: string, log: boolean, formatter?: (value: number) => string, recordY = false, integer = false): uPlot.Axis => ({
      label,
      stroke: theme.text,
      font: theme.font,
      labelFont: theme.font,
      labelSize: 18,
      grid: { stroke: theme.grid, width: 1 },
      ticks: { stroke: theme.grid, width: 1, size: 4 },
      // Linear axes get round ticks, at least three (uPlot's own choice can leave a short chart one label).
      ...(log ? {} : { splits: (_u: uPlot, _axis: number, min: number, max: number) => niceSplits(min, max, 4, integer) }),
      values: (_u, splits) => {
        const text = formatter ? splits.map((v) => formatter(v)) : formatTicks(splits, log);
        if (recordY) yTicks = text.filter((label) => label !== '');
        return text;
      },
    });
    const options: uPlot.Options = {
      width: width(),
      height: config.height ?? 200,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: false, distr: config.logX ? 3 : 1 }, y: { distr: config.logY ? 3 : 1 } },
      axes: [axis(config.x, !!config.logX, config.formatX, false, !!config.integerX), axis(config.y, !!config.logY, undefined, true)],
      series: [
        { label: config.x, value: (_u, v) => (v == null ? '—' : config.formatX ? config.formatX(v) : formatTicks([v])[0]) },
        ...series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: tone(s),
          width: s.faint ? 1 : config.bars ? 0 : 2,
          alpha: s.faint ? 0.35 : 1,
          fill: config.bars ? tone(s) : undefined,
          spanGaps: true,
          paths: config.bars ? uPlot.paths.bars?.({ size: [0.95, Infinity], align: 1 }) : undefined,
          points: { show: !config.bars && !!s.markers, size: 6, fill: tone(s) },
          value: (_u, v) => (v == null ? '—' : Math.abs(v) >= 10_000 ? compactNumber(v) : Number(v.toPrecision(4)).toString()),
        })),
      ],
      hooks: { draw: [() => (element.dataset.yticks = yTicks.join('|'))] },
    };
    chart = new uPlot(options, alignSeries(series, !!config.logY) as uPlot.AlignedData, holder);
    // Which theme colours the canvas was drawn with (the e2e tests check it follows a theme change).
    element.dataset.textColor = theme.text;
  };

  const update = (next: PlotSeries[], changes?: Partial<PlotConfig>) => {
    if (changes) config = { ...config, ...changes };
    // Series without points have no line: they get no legend entry either.
    series = next.filter((s) => s.points.length > 0);
    empty.hidden = series.length > 0;
    element.dataset.series = series.map((s) => `${s.label}:${s.points.length}`).join('|');
    const nextShape = JSON.stringify([
      series.map((s) => [s.label, s.tone, !!s.markers, !!s.faint]),
      config.x,
      config.y,
      config.logX,
      config.logY,
      config.bars,
      config.height,
      config.integerX,
    ]);
    if (!chart || nextShape !== shape) {
      shape = nextShape;
      build();
    } else chart.setData(alignSeries(series, !!config.logY) as uPlot.AlignedData);
  };

  // The chart follows its container's width (the panel resized, a sidebar opened), and is built once the
  // container is laid out (a chart created in a hidden tab has no width yet).
  new ResizeObserver(() => {
    if (!chart) build();
    else if (Math.abs(chart.width - width()) > 1) chart.setSize({ width: width(), height: config.height ?? 200 });
  }).observe(element);
  // VS Code switches themes by changing the body's class and the root's variables: read the colours again.
  const rethemed = () => {
    theme = readTheme();
    build();
  };
  new MutationObserver(rethemed).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  new MutationObserver(rethemed).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });

  return { element, update };
}
