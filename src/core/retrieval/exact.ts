/** Unit-length copies of the rows (zero rows stay zero), so cosine similarity is a dot product. */
export function normalizeRows(data: Float32Array, count: number, dim: number): Float32Array {
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    let norm = 0;
    for (let c = 0; c < dim; c++) norm += data[r * dim + c] ** 2;
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let c = 0; c < dim; c++) out[r * dim + c] = data[r * dim + c] * scale;
  }
  return out;
}

export interface SearchResult {
  labels: number[];
  /** Cosine similarities, highest first. */
  similarities: number[];
}

/**
 * Exact cosine search by brute force: for small sets (where it beats building a graph) and as
 * the ground truth that HNSW recall is measured against.
 */
export class ExactIndex {
  readonly normalized: Float32Array;

  constructor(
    data: Float32Array,
    readonly count: number,
    readonly dim: number,
  ) {
    this.normalized = normalizeRows(data, count, dim);
  }

  search(query: Float32Array, k: number): SearchResult {
    const q = normalizeRows(query, 1, this.dim);
    const want = Math.min(k, this.count);
    // A sorted buffer of the best `want` so far: O(n·k) worst case, O(n) typically.
    const labels: number[] = [];
    const similarities: number[] = [];
    const x = this.normalized;
    const dim = this.dim;
    for (let r = 0; r < this.count; r++) {
      let s = 0;
      const base = r * dim;
      for (let c = 0; c < dim; c++) s += x[base + c] * q[c];
      if (labels.length === want && s <= similarities[want - 1]) continue;
      let at = labels.length === want ? want - 1 : labels.length;
      while (at > 0 && similarities[at - 1] < s) {
        if (at < want) {
          similarities[at] = similarities[at - 1];
          labels[at] = labels[at - 1];
        }
        at--;
      }
      similarities[at] = s;
      labels[at] = r;
    }
    return { labels, similarities };
  }
}
