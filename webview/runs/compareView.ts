// The Compare Runs page: runs side by side (model, variant, seeds), test metrics as mean ± std over seeds
// (best per row marked), the settings that differ, paired t-tests against the first run, and export.
// Run names, paths and config values are untrusted text: textContent only.
import { el, header } from '../ui/dom';
import { button, progressRing } from '../ui/kit';
import type { CompareReport } from './protocol';

export interface CompareActions {
  exportAs(format: 'csv' | 'markdown'): void;
  recompare(): void;
}

/** Same rendering as the Markdown export (src/core/eval/report.ts), which the webview may not import. */
function formatMeanStd(value: CompareReport['metrics'][number]['values'][number]): string {
  if (!value) return '—';
  return value.n > 1 ? `${value.mean.toFixed(4)} ± ${value.std.toFixed(4)}` : value.mean.toFixed(4);
}

function table(columns: string[], rows: Array<Array<string | { text: string; className?: string }>>, className: string): HTMLTableElement {
  const node = el('table', `grid ${className}`);
  const head = node.createTHead().insertRow();
  for (const title of columns) head.append(el('th', undefined, title));
  const body = node.createTBody();
  for (const cells of rows) {
    const row = body.insertRow();
    for (const cell of cells) {
      const td = row.insertCell();
      if (typeof cell === 'string') td.textContent = cell;
      else {
        td.textContent = cell.text;
        if (cell.className) td.className = cell.className;
      }
    }
  }
  return node;
}

export function renderCompare(root: HTMLElement, report: CompareReport, actions: CompareActions, note?: string): void {
  const names = report.runs.map((run) => run.name);
  const exportCsv = button('Export CSV…', () => actions.exportAs('csv'));
  exportCsv.id = 'export-csv';
  const exportMd = button('Export Markdown…', () => actions.exportAs('markdown'), 'primary');
  exportMd.id = 'export-markdown';
  const overview = table(['', ...names], [
    ['model', ...report.runs.map((r) => r.model)],
    ['variant', ...report.runs.map((r) => r.variant)],
    ['dataset', ...report.runs.map((r) => r.dataset)],
    ['seeds', ...report.runs.map((r) => r.seeds.join(', '))],
  ], 'overview');
  const metrics = table(['test metric (full ranking)', ...names], report.metrics.map((row) => {
    const best = Math.max(...row.values.map((v) => v?.mean ?? -Infinity));
    return [row.metric, ...row.values.map((v) => ({ text: formatMeanStd(v), className: v && v.mean === best && row.values.length > 1 ? 'num best' : 'num' }))];
  }), 'metrics');
  const diff = report.configDiff.length
    ? table(['setting', ...names], report.configDiff.map((row) => [row.key, ...row.values]), 'config-diff')
    : el('p', 'note', 'The configs are identical (apart from seeds).');
  const significance = table(['run', `vs ${names[0] ?? ''}`, 'n', 'mean difference', 't', 'p'], report.significance.map((row) => [
    names[row.run] ?? '',
    row.metric,
    row.n !== undefined ? String(row.n) : '—',
    row.meanDifference !== undefined ? row.meanDifference.toFixed(4) : '—',
    row.t !== undefined ? row.t.toFixed(2) : '—',
    row.p !== undefined ? (row.p < 1e-4 ? row.p.toExponential(1) : row.p.toFixed(4)) : (row.unavailable ?? '—'),
  ]), 'significance');
  root.replaceChildren(
    header('Compare runs', `${report.runs.length} runs`, [button('Refresh', actions.recompare), exportCsv, exportMd], note),
    overview,
    el('h2', undefined, 'Test metrics, mean ± std over seeds'),
    metrics,
    el('h2', undefined, 'Config differences'),
    diff,
    el('h2', undefined, 'Significance (paired t-test on per-user test NDCG@10)'),
    significance,
  );
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
