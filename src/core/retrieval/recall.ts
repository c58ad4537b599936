import type { SearchResult } from './exact';

/**
 * Recall@k of an approximate result against the exact one, tie-aware: a returned neighbour counts
 * when it is as similar as the exact k-th (duplicate texts give many equally similar rows, and
 * which of them an index returns is arbitrary, not a miss).
 */
export function recallAtK(approximate: SearchResult, exact: SearchResult, k: number, tolerance = 1e-5): number {
  const want = Math.min(k, exact.labels.length);
  if (want === 0) return 1;
  const threshold = exact.similarities[want - 1] - tolerance;
  let hits = 0;
  for (let i = 0; i < Math.min(want, approximate.similarities.length); i++) if (approximate.similarities[i] >= threshold) hits++;
  return hits / want;
}

/** Evenly spread sample of row numbers: deterministic, and covers the whole range. */
export function sampleRows(count: number, size: number): number[] {
  if (count <= size) return Array.from({ length: count }, (_, i) => i);
  return Array.from({ length: size }, (_, i) => Math.floor(((i + 0.5) * count) / size));
}
