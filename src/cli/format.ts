import type { DatasetStats } from '../core/data/types';
import { printable } from './terminal';

const integer = new Intl.NumberFormat('en-US');

function number(value: number, digits = 2): string {
  return Number.isInteger(value) ? integer.format(value) : value.toFixed(digits);
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)} %`;
}

/** A readable two-column table of a dataset's statistics for the terminal. */
export function formatStatsTable(stats: DatasetStats): string {
  const length = stats.sequenceLength;
  const popularity = stats.popularity;
  const rows: Array<[string, string] | [string]> = [
    [printable(`${stats.name} (${stats.format}: ${stats.source})`)],
    ['users', number(stats.users)],
    ['items', number(stats.items)],
    ['interactions', number(stats.interactions)],
    ['density', stats.density.toExponential(3)],
    ['sequence length'],
    ['  min / median / mean', `${number(length.min)} / ${number(length.median)} / ${number(length.mean)}`],
    ['  p90 / max', `${number(length.p90)} / ${number(length.max)}`],
    [
      '  head users (top 20 %)',
      `${number(stats.users80_20.headUsers)} (length ≥ ${stats.users80_20.headMinLength}); tail ${number(stats.users80_20.tailUsers)}`,
    ],
    ['item popularity'],
    ['  min / median / mean / max', `${number(popularity.min)} / ${number(popularity.median)} / ${number(popularity.mean)} / ${number(popularity.max)}`],
    ['  Gini', popularity.gini.toFixed(3)],
    ['  top 20 % items share', percent(popularity.top20Share)],
    ['  head / tail items', `${number(popularity.headItems)} / ${number(popularity.tailItems)}`],
    ['cold items'],
    ['  catalogue only', number(stats.coldItems.catalogueOnly)],
    ['  never in training', number(stats.coldItems.noTrainInteractions)],
    ['duplicates found / removed', `${number(stats.duplicates.found)} / ${number(stats.duplicates.removed)}`],
  ];
  if (stats.metadataCoverage.length > 0) {
    rows.push(['metadata coverage']);
    for (const field of stats.metadataCoverage) rows.push([`  ${printable(field.field)}`, `${number(field.covered)} (${percent(field.share)})`]);
  } else {
    rows.push(['metadata', 'none found']);
  }
  const width = Math.max(...rows.filter((row) => row.length === 2).map((row) => row[0].length));
  return rows.map((row) => (row.length === 1 ? row[0] : `${row[0].padEnd(width)}  ${row[1]}`)).join('\n');
}
