// The pure part of the charts (webview/ui/plot.ts): tick labels and uPlot's aligned data. No DOM, so the
// unit tests run it from Node.

export interface PlotSeries {
  label: string;
  /** Index into the theme's chart colours (blue, orange, green, purple, red, yellow). */
  tone: number;
  points: ReadonlyArray<readonly [number, number]>;
  /** A marker at every point (sparse series such as validations; a single point is then visible). */
  markers?: boolean;
  /** Drawn thin and translucent (the raw line under a smoothed one). */
  faint?: boolean;
}

/**
 * Tick labels with as many decimals as the step between ticks needs (0.25 → two, 0.02 → two, 5 → none),
 * and more if two labels would still read the same: never "1.4 1.4 1.4" for ticks 1.38, 1.40, 1.42.
 */
export function formatTicks(splits: readonly number[], log = false): string[] {
  // A log axis is split at every 1…9 × 10^k: only the powers of ten are labelled, the rest are grid lines.
  if (log) return splits.map((v) => (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? compactNumber(v) : ''));
  const finite = splits.filter((v) => Number.isFinite(v));
  const gaps = finite
    .slice(1)
    .map((v, i) => Math.abs(v - finite[i]))
    .filter((d) => d > 0);
  const step = gaps.length > 0 ? Math.min(...gaps) : 0;
  let decimals = 0;
  if (step > 0) while (decimals < 8 && Math.abs(step * 10 ** decimals - Math.round(step * 10 ** decimals)) > 1e-6 * 10 ** decimals * step) decimals++;
  else if (finite.length === 1 && !Number.isInteger(finite[0])) decimals = 4;
  const format = (d: number) => splits.map((v) => (Math.abs(v) >= 10_000 ? compactNumber(v) : v.toFixed(d)));
  let labels = format(decimals);
  while (decimals < 8 && new Set(labels).size < labels.length) labels = format(++decimals);
  return labels;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
export function compactNumber(value: number): string {
  return compact.format(value);
}

/** The series as uPlot's aligned columns: one x column (the union of every series' x) and a y column each, null where a series has no point. */
export function alignSeries(series: readonly PlotSeries[], dropNonPositive = false): Array<Array<number | null>> {
  const xs = [...new Set(series.flatMap((s) => s.points.map(([x]) => x)))].filter(Number.isFinite).sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns: Array<Array<number | null>> = [xs];
  for (const s of series) {
    const ys: Array<number | null> = new Array(xs.length).fill(null);
    for (const [x, y] of s.points) {
      const i = index.get(x);
      if (i !== undefined && Number.isFinite(y) && (!dropNonPositive || y > 0)) ys[i] = y;
    }
    columns.push(ys);
  }
  return columns;
}

/**
 * Round tick values covering [min, max]: a step of 1, 2, 2.5 or 5 × 10^k giving about `target` ticks, and
 * never fewer than three while the range allows (a small chart with one tick cannot be read).
 */
export function niceSplits(min: number, max: number, target = 4, integer = false): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (!(max > min)) return [min];
  const rough = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  // Whole-number axes (epochs) take whole steps: 1, 2, 5, 10, …, never 2.5.
  let step = integer
    ? Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 1)
    : ([1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough);
  const ticks = (s: number) => {
    const out: number[] = [];
    for (let v = Math.ceil(min / s - 1e-9) * s; v <= max + s * 1e-9; v += s) out.push(Number(v.toPrecision(12)));
    return out;
  };
  let result = ticks(step);
  for (let tries = 0; result.length < 3 && tries < 3 && !(integer && step <= 1); tries++) {
    // A smaller step of the same kind: 5 → 2 → 1 for whole numbers, halves otherwise.
    step = integer ? Math.max(1, String(step).startsWith('5') ? (step * 2) / 5 : step / 2) : step / 2;
    result = ticks(step);
  }
  return result;
}
