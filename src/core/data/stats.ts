import { leaveOneOut } from './split';
import type { Dataset, DatasetStats, Histogram } from './types';

/** Share of items (by popularity) or users (by length) that counts as "head"; the rest is tail. */
export const HEAD_SHARE = 0.2;
const HISTOGRAM_BINS = 30;
const CURVE_POINTS = 200;
const TOP_ITEMS = 10;
const TITLE_FIELDS = ['title', 'movie_title', 'name', 'item_name'];

export function computeStats(dataset: Dataset): DatasetStats {
  const users = dataset.sequences.length;
  const items = dataset.itemIds.length;
  const lengths = Float64Array.from(dataset.sequences, (sequence) => sequence.length).sort();
  const interactions = lengths.reduce((sum, length) => sum + length, 0);

  const popularity = new Float64Array(items);
  for (const sequence of dataset.sequences) for (const item of sequence) popularity[item]++;
  const ascending = popularity.slice().sort();
  const headItems = Math.ceil(HEAD_SHARE * items);
  let headInteractions = 0;
  for (let rank = 0; rank < headItems; rank++) headInteractions += ascending[items - 1 - rank];

  const headUsers = Math.ceil(HEAD_SHARE * users);
  return {
    name: dataset.name,
    source: dataset.source,
    format: dataset.format,
    users,
    items,
    interactions,
    density: users === 0 || items === 0 ? 0 : interactions / (users * items),
    sequenceLength: {
      min: lengths[0] ?? 0,
      median: median(lengths),
      mean: users === 0 ? 0 : interactions / users,
      p90: percentile(lengths, 0.9),
      max: lengths[users - 1] ?? 0,
      histogram: histogram(lengths),
    },
    popularity: {
      min: ascending[0] ?? 0,
      median: median(ascending),
      mean: items === 0 ? 0 : interactions / items,
      max: ascending[items - 1] ?? 0,
      gini: gini(ascending),
      top20Share: interactions === 0 ? 0 : headInteractions / interactions,
      headItems,
      tailItems: items - headItems,
      curve: popularityCurve(ascending),
    },
    users80_20: { headUsers, tailUsers: users - headUsers, headMinLength: lengths[users - headUsers] ?? 0 },
    coldItems: {
      catalogueOnly: dataset.metadata?.unmatchedItems ?? 0,
      noTrainInteractions: itemsNeverInTraining(dataset.sequences, items),
    },
    metadataCoverage: metadataCoverage(dataset),
    duplicates: { found: dataset.duplicatesFound, removed: dataset.duplicatesRemoved },
    topItems: topItems(dataset, popularity),
  };
}

/** Median of sorted values; the mean of the two middle ones for an even count. */
export function median(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least q of the data at or below it. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** Gini coefficient of non-negative values sorted ascending: 0 = all equal, → 1 = one item has everything. */
export function gini(ascending: ArrayLike<number>): number {
  const n = ascending.length;
  let total = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    total += ascending[i];
    weighted += (2 * (i + 1) - n - 1) * ascending[i];
  }
  return n === 0 || total === 0 ? 0 : weighted / (n * total);
}

/** Equal-width integer bins over [min, max], at most HISTOGRAM_BINS of them. */
export function histogram(sorted: ArrayLike<number>): Histogram {
  if (sorted.length === 0) return { edges: [], counts: [] };
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const width = Math.max(1, Math.ceil((max - min + 1) / HISTOGRAM_BINS));
  const bins = Math.ceil((max - min + 1) / width);
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < sorted.length; i++) counts[Math.floor((sorted[i] - min) / width)]++;
  return { edges, counts };
}

/** (rank, count) points of the popularity curve, most popular first, at log-spaced ranks. */
function popularityCurve(ascending: Float64Array): Array<[number, number]> {
  const n = ascending.length;
  const ranks = new Set<number>();
  for (let k = 0; k < CURVE_POINTS; k++) ranks.add(Math.max(1, Math.round(Math.pow(n, k / (CURVE_POINTS - 1)))));
  return [...ranks]
    .filter((rank) => rank <= n)
    .sort((a, b) => a - b)
    .map((rank) => [rank, ascending[n - rank]]);
}

function itemsNeverInTraining(sequences: Int32Array[], items: number): number {
  const inTraining = new Uint8Array(items);
  for (const prefix of leaveOneOut(sequences).train) for (const item of prefix) inTraining[item] = 1;
  return items - inTraining.reduce((sum, flag) => sum + flag, 0);
}

function metadataCoverage(dataset: Dataset): DatasetStats['metadataCoverage'] {
  const metadata = dataset.metadata;
  if (!metadata) return [];
  const items = dataset.itemIds.length;
  return metadata.fields.map((field) => {
    let covered = 0;
    for (const row of metadata.rows) if (row !== undefined && (row[field] ?? '').trim() !== '') covered++;
    return { field, covered, share: items === 0 ? 0 : covered / items };
  });
}

function topItems(dataset: Dataset, popularity: Float64Array): DatasetStats['topItems'] {
  const order = Array.from(popularity.keys())
    .sort((a, b) => popularity[b] - popularity[a] || a - b)
    .slice(0, TOP_ITEMS);
  const titleField = dataset.metadata?.fields.find((field) => TITLE_FIELDS.includes(field.toLowerCase()));
  return order.map((item) => {
    const title = titleField ? dataset.metadata?.rows[item]?.[titleField] : undefined;
    return { id: dataset.itemIds[item], interactions: popularity[item], ...(title ? { title } : {}) };
  });
}
