// The Compare Runs page: the baseline (chosen, and changeable here), the runs' validation curves overlaid,
// test metrics as mean ± std over seeds (best per row marked), the settings that differ, paired t-tests
// against the baseline, and export. Runs are named by their short labels (the config's name), the folder
// in a tooltip. Run names, paths and config values are untrusted text: textContent only.
import { el, header } from '../ui/dom';
import { button, progressRing } from '../ui/kit';
import { plot } from '../ui/plot';
import { axisSelect, clock } from './liveView';
import type { CompareReport, CurveSettings } from './protocol';

export interface CompareActions {
  exportAs(format: 'csv' | 'markdown'): void;
  recompare(): void;
  setBaseline(run: string): void;
  curvesChanged(settings: CurveSettings): void;
}

/** Same rendering as the Markdown export (src/core/eval/report.ts), which the webview may not import. */
function formatMeanStd(value: CompareReport['metrics'][number]['values'][number]): string {
  if (!value) return '—';
  return value.n > 1 ? `${value.mean.toFixed(4)} ± ${value.std.toFixed(4)}` : value.mean.toFixed(4);
}

const MAX_LABEL = 24;

/** A column header a narrow panel can hold: the run's label, cut with an ellipsis (the tooltip has it all). */
export function shortLabel(run: CompareReport['runs'][number]): string {
  const label = run.label ?? run.name;
  return label.length > MAX_LABEL ? `${label.slice(0, MAX_LABEL - 1)}…` : label;
}

type Cell = string | { text: string; className?: string; title?: string };

function table(columns: Cell[], rows: Cell[][], className: string): HTMLTableElement {
  const node = el('table', `grid ${className}`);
  const fill = (target: HTMLElement, cell: Cell) => {
    if (typeof cell === 'string') target.textContent = cell;
    else {
      target.textContent = cell.text;
      if (cell.className) target.className = cell.className;
      if (cell.title) target.title = cell.title;
    }
  };
  const head = node.createTHead().insertRow();
  for (const title of columns) {
    const th = el('th');
    fill(th, title);
    head.append(th);
  }
  const body = node.createTBody();
  for (const cells of rows) {
    const row = body.insertRow();
    for (const cell of cells) fill(row.insertCell(), cell);
  }
  return node;
}

const METRICS = ['NDCG@10', 'HR@10', 'MRR', 'NDCG@20', 'HR@20'];

export function renderCompare(root: HTMLElement, report: CompareReport, curves: CurveSettings, actions: CompareActions, note?: string): void {
  const names: Cell[] = report.runs.map((run, i) => ({
    text: `${shortLabel(run)}${i === 0 ? ' (baseline)' : ''}`,
    title: `${run.label ?? run.name}\n${run.path}`,
  }));
  const exportCsv = button('Export CSV…', () => actions.exportAs('csv'));
  exportCsv.id = 'export-csv';
  const exportMd = button('Export Markdown…', () => actions.exportAs('markdown'));
  exportMd.id = 'export-markdown';

  // The baseline: the significance tests compare every other run with it.
  const baseline = el('select');
  baseline.id = 'baseline';
  baseline.setAttribute('aria-label', 'Baseline run');
  report.runs.forEach((run) => {
    const option = el('option', undefined, run.label ?? run.name);
    option.value = run.path;
    baseline.append(option);
  });
  baseline.value = report.runs[0]?.path ?? '';
  baseline.addEventListener('change', () => actions.setBaseline(baseline.value));
  const baselineRow = el('label', 'control baseline-pick');
  baselineRow.append(el('span', 'note', 'Baseline '), baseline);

  // Validation curves of every run on one chart.
  const withCurves = report.runs.filter((run) => (run.validation?.length ?? 0) > 0);
  const available = METRICS.filter((metric) => withCurves.some((run) => run.validation!.some((p) => metric in p.valid)));
  const metric = el('select');
  metric.id = 'curve-metric';
  metric.setAttribute('aria-label', 'Validation metric');
  for (const name of available) {
    const option = el('option', undefined, name);
    option.value = name;
    metric.append(option);
  }
  const axis = axisSelect(curves.x);
  const chart = plot({ label: 'Validation curves of the compared runs', x: 'epoch', y: 'validation NDCG@10', height: 200 });
  chart.element.id = 'compare-chart';
  const drawCurves = () => {
    const time = axis.value === 'time';
    const name = metric.value || 'NDCG@10';
    chart.update(
      report.runs.map((run, i) => ({
        label: shortLabel(run),
        tone: i,
        markers: true,
        points: (run.validation ?? []).filter((p) => name in p.valid).map((p): [number, number] => [time ? p.seconds : p.epoch, p.valid[name]]),
      })),
      { x: time ? 'wall time (training and validation)' : 'epoch', y: `validation ${name}`, formatX: time ? clock : undefined, integerX: !time },
    );
  };
  metric.addEventListener('change', drawCurves);
  axis.addEventListener('change', () => {
    actions.curvesChanged({ ...curves, x: axis.value === 'time' ? 'time' : 'epoch' });
    drawCurves();
  });
  const curveControls = el('div', 'curve-controls');
  const metricLabel = el('label', 'control');
  metricLabel.append(el('span', 'note', 'metric '), metric);
  const axisLabel = el('label', 'control');
  axisLabel.append(el('span', 'note', 'x axis '), axis);
  curveControls.append(metricLabel, axisLabel);

  const overview = table(
    ['', ...names],
    [
      ['model', ...report.runs.map((r) => r.model)],
      ['variant', ...report.runs.map((r) => r.variant)],
      ['dataset', ...report.runs.map((r) => r.dataset)],
      ['seeds', ...report.runs.map((r) => r.seeds.join(', '))],
    ],
    'overview',
  );
  const metrics = table(
    ['test metric', ...names],
    report.metrics.map((row) => {
      const best = Math.max(...row.values.map((v) => v?.mean ?? -Infinity));
      return [
        row.metric,
        ...row.values.map((v) => ({ text: formatMeanStd(v), className: v && v.mean === best && row.values.length > 1 ? 'num best' : 'num' })),
      ];
    }),
    'metrics',
  );
  const diff = report.configDiff.length
    ? table(
        ['setting', ...names],
        report.configDiff.map((row) => [row.key, ...row.values]),
        'config-diff',
      )
    : el('p', 'note', 'The configs are identical (apart from seeds).');
  const base = report.runs[0] ? shortLabel(report.runs[0]) : '';
  const significance = table(
    ['run', 'metric', 'n', 'mean difference', 't', 'p'],
    report.significance.map((row) => [
      report.runs[row.run] ? { text: shortLabel(report.runs[row.run]), title: report.runs[row.run].path } : '',
      row.metric,
      row.n !== undefined ? String(row.n) : '—',
      row.meanDifference !== undefined ? row.meanDifference.toFixed(4) : '—',
      row.t !== undefined ? row.t.toFixed(2) : '—',
      row.p !== undefined ? (row.p < 1e-4 ? row.p.toExponential(1) : row.p.toFixed(4)) : (row.unavailable ?? '—'),
    ]),
    'significance',
  );
  root.replaceChildren(
    header('Compare runs', `${report.runs.length} runs, against the baseline ${base}`, [button('Refresh', actions.recompare), exportCsv, exportMd], note),
    baselineRow,
    el('h2', undefined, 'Validation curves'),
    ...(withCurves.length > 0 ? [curveControls, chart.element] : [el('p', 'note', 'None of these runs kept its validation history.')]),
    el('h2', undefined, 'Test metrics, mean ± std over seeds'),
    metrics,
    overview,
    el('h2', undefined, 'Config differences'),
    diff,
    el('h2', undefined, `Significance against ${base} (paired t-test on per-user test NDCG@10)`),
    significance,
  );
  drawCurves();
}

export function renderCompareLoading(root: HTMLElement, runs: string[]): void {
  const box = el('section', 'loading');
  box.append(progressRing('Comparing runs'), el('p', 'status', `Reading ${runs.length} runs…`));
  root.replaceChildren(header('Compare runs', undefined, []), box);
}

export function renderCompareProblem(root: HTMLElement, message: string, retry: () => void): void {
  const box = el('section', 'problem error');
  box.append(el('p', undefined, message));
  root.replaceChildren(header('Compare runs', undefined, [button('Retry', retry, 'primary')]), box);
}
