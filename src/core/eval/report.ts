// Side-by-side comparison of finished runs: which config settings differ, each test metric as mean ± std
// over seeds, and paired significance against the first run. Pure functions (the I/O is in
// src/core/jobs/compareRuns.ts), shared by the Compare Runs view and its CSV/Markdown export.
import { meanStd } from './significance';

/** One validation point of a run's training history, for overlaid curves. */
export interface ValidationPoint {
  epoch: number;
  /** Wall seconds of training and validation up to and including this evaluation. */
  seconds: number;
  /** Validation metrics, full ranking. */
  valid: Record<string, number>;
}

export interface RunSummary {
  /** Folder name. */
  name: string;
  /** Short label a person knows the run by: the config's name, else the folder name without its time prefix. */
  label?: string;
  /** Validation history (the first seed's for several seeds), when the run folder kept it. */
  validation?: ValidationPoint[];
  path: string;
  model: string;
  /** plain, grasp, llm-init, llm-esr; "plain" for configs written before variants existed. */
  variant: string;
  dataset: string;
  seeds: number[];
}

export interface ConfigDifference {
  /** Dotted path, e.g. "train.lr". */
  key: string;
  /** One per run, JSON-rendered; "—" when the run's config lacks the key. */
  values: string[];
}

export interface MetricRow {
  metric: string;
  /** One per run; null when the run did not report the metric. */
  values: Array<{ mean: number; std: number; n: number } | null>;
}

export interface SignificanceRow {
  /** Index of the run compared with run 0 (the baseline). */
  run: number;
  metric: string;
  n?: number;
  meanDifference?: number;
  t?: number;
  p?: number;
  /** Why there is no test (different split, multi-seed folder without per-user ranks, …). */
  unavailable?: string;
}

export interface CompareReport {
  runs: RunSummary[];
  configDiff: ConfigDifference[];
  metrics: MetricRow[];
  significance: SignificanceRow[];
}

export const MISSING = '—';

/** Flattens nested plain objects into dotted keys; arrays and scalars are leaves. */
export function flatten(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) out.set(prefix, value);
  return out;
}

/**
 * Settings whose values are not the same in every run, in a stable (sorted) order. A run that lacks a key
 * differs from one that has it. `ignore` drops keys that always differ and say nothing (e.g. seeds shown
 * elsewhere).
 */
export function configDiff(configs: unknown[], ignore: (key: string) => boolean = () => false): ConfigDifference[] {
  const flat = configs.map((config) => flatten(config));
  const keys = [...new Set(flat.flatMap((map) => [...map.keys()]))].filter((key) => !ignore(key)).sort();
  const rows: ConfigDifference[] = [];
  for (const key of keys) {
    const values = flat.map((map) => (map.has(key) ? JSON.stringify(map.get(key)) : MISSING));
    if (new Set(values).size > 1) rows.push({ key, values });
  }
  return rows;
}

/** Mean ± std of each metric over a run's seeds; metrics are listed in first-seen order. */
export function metricRows(perRun: Array<Array<Record<string, number>>>): MetricRow[] {
  const names = [...new Set(perRun.flatMap((seeds) => seeds.flatMap((metrics) => Object.keys(metrics))))];
  return names.map((metric) => ({
    metric,
    values: perRun.map((seeds) => {
      const values = seeds.map((metrics) => metrics[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      return values.length === 0 ? null : meanStd(values);
    }),
  }));
}

// ---- export ------------------------------------------------------------------------------------------

const fixed = (value: number, digits = 4): string => value.toFixed(digits);

function meanCell(value: MetricRow['values'][number]): string {
  if (!value) return MISSING;
  return value.n > 1 ? `${fixed(value.mean)} ± ${fixed(value.std)}` : fixed(value.mean);
}

function pCell(row: SignificanceRow): string {
  if (row.p === undefined) return row.unavailable ?? MISSING;
  return row.p < 1e-4 ? row.p.toExponential(1) : fixed(row.p);
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One table per section, separated by a blank line; the first column names the section. */
export function reportToCsv(report: CompareReport): string {
  const names = report.runs.map((run) => run.name);
  const lines: string[][] = [];
  lines.push(['section', 'key', ...names]);
  lines.push(['run', 'model', ...report.runs.map((run) => run.model)]);
  lines.push(['run', 'variant', ...report.runs.map((run) => run.variant)]);
  lines.push(['run', 'dataset', ...report.runs.map((run) => run.dataset)]);
  lines.push(['run', 'seeds', ...report.runs.map((run) => run.seeds.join(' '))]);
  for (const row of report.configDiff) lines.push(['config', row.key, ...row.values]);
  for (const row of report.metrics) {
    lines.push(['metric mean', row.metric, ...row.values.map((v) => (v ? String(v.mean) : ''))]);
    lines.push(['metric std', row.metric, ...row.values.map((v) => (v ? String(v.std) : ''))]);
  }
  for (const row of report.significance) {
    const cells = names.map((_, i) => (i === row.run ? (row.p !== undefined ? String(row.p) : (row.unavailable ?? '')) : ''));
    lines.push(['p vs first run', row.metric, ...cells]);
  }
  return `${lines.map((cells) => cells.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** Markdown cells cannot hold a raw pipe or a line break. */
export function markdownCell(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function markdownTable(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(header), `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(line)];
}

export function reportToMarkdown(report: CompareReport): string {
  const names = report.runs.map((run) => run.name);
  const out: string[] = ['# Run comparison', ''];
  out.push(
    ...markdownTable(
      ['', ...names],
      [
        ['model', ...report.runs.map((run) => run.model)],
        ['variant', ...report.runs.map((run) => run.variant)],
        ['dataset', ...report.runs.map((run) => run.dataset)],
        ['seeds', ...report.runs.map((run) => run.seeds.join(', '))],
      ],
    ),
  );
  out.push('', '## Test metrics (full ranking; mean ± std over seeds)', '');
  out.push(
    ...markdownTable(
      ['metric', ...names],
      report.metrics.map((row) => [row.metric, ...row.values.map(meanCell)]),
    ),
  );
  out.push('', '## Config differences', '');
  if (report.configDiff.length === 0) out.push('The configs are identical (apart from seeds).');
  else
    out.push(
      ...markdownTable(
        ['setting', ...names],
        report.configDiff.map((row) => [row.key, ...row.values]),
      ),
    );
  if (report.significance.length > 0) {
    out.push('', `## Paired t-test against ${markdownCell(names[0] ?? '')}`, '');
    out.push(
      ...markdownTable(
        ['run', 'metric', 'mean difference', 't', 'p'],
        report.significance.map((row) => [
          names[row.run] ?? '',
          row.metric,
          row.meanDifference !== undefined ? fixed(row.meanDifference) : MISSING,
          row.t !== undefined ? fixed(row.t, 2) : MISSING,
          pCell(row),
        ]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
