import type { LinearOperator } from './linalg';

/** A few English function words: they carry no topic and would dominate the first components. */
const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with your you our their not no but all can'.split(' '),
);

/** Lower-cased words and numbers (Unicode-aware), stopwords and 1-character tokens dropped. */
export function tokenize(text: string): string[] {
  const tokens =
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+(?:['.][\p{L}\p{N}]+)*/gu) ?? [];
  return tokens.filter((token) => token.length > 1 && !STOPWORDS.has(token));
}

/** Rows of a sparse matrix in compressed-row form. */
export interface SparseRows {
  rows: number;
  cols: number;
  /** Row r's entries are indices/values[offsets[r] .. offsets[r+1]). */
  offsets: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

export interface TfidfModel {
  vocabulary: Map<string, number>;
  idf: Float64Array;
}

/**
 * Vocabulary and IDF from the fitting documents only: terms in at least `minDf` of them and in at
 * most `maxDfShare` of them, the `maxTerms` most frequent kept.
 */
export function fitTfidf(documents: string[][], options: { minDf?: number; maxDfShare?: number; maxTerms?: number } = {}): TfidfModel {
  const df = new Map<string, number>();
  for (const tokens of documents) for (const term of new Set(tokens)) df.set(term, (df.get(term) ?? 0) + 1);
  const n = documents.length;
  const minDf = options.minDf ?? (n >= 50 ? 2 : 1);
  const maxDf = Math.max(minDf, Math.floor((options.maxDfShare ?? 0.5) * n));
  const kept = [...df.entries()]
    .filter(([, count]) => count >= minDf && (count <= maxDf || n < 10))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxTerms ?? 50_000)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const vocabulary = new Map(kept.map(([term], index) => [term, index]));
  const idf = Float64Array.from(kept, ([, count]) => Math.log((1 + n) / (1 + count)) + 1);
  return { vocabulary, idf };
}

/** Sublinear TF × IDF, each row L2-normalised (a row with no known term stays empty). */
export function transformTfidf(model: TfidfModel, documents: string[][]): SparseRows {
  const offsets = new Int32Array(documents.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  documents.forEach((tokens, row) => {
    const counts = new Map<number, number>();
    for (const token of tokens) {
      const term = model.vocabulary.get(token);
      if (term !== undefined) counts.set(term, (counts.get(term) ?? 0) + 1);
    }
    const entries = [...counts.entries()].sort((a, b) => a[0] - b[0]);
    let norm = 0;
    const weights = entries.map(([term, count]) => {
      const weight = (1 + Math.log(count)) * model.idf[term];
      norm += weight * weight;
      return weight;
    });
    norm = Math.sqrt(norm) || 1;
    entries.forEach(([term], i) => {
      indices.push(term);
      values.push(weights[i] / norm);
    });
    offsets[row + 1] = indices.length;
  });
  return { rows: documents.length, cols: model.idf.length, offsets, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}

export function sparseOperator(m: SparseRows): LinearOperator {
  return {
    rows: m.rows,
    cols: m.cols,
    multiply: (x, k) => sparseProduct(m, x, k, false),
    multiplyTransposed: (y, k) => sparseProduct(m, y, k, true),
  };
}

/** M · x (x is cols × k), or Mᵀ · x (x is rows × k) when `transposed`, entry by stored entry. */
function sparseProduct(m: SparseRows, x: Float64Array, k: number, transposed: boolean): Float64Array {
  const out = new Float64Array((transposed ? m.cols : m.rows) * k);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.offsets[r]; p < m.offsets[r + 1]; p++) {
      const value = m.values[p];
      const to = transposed ? m.indices[p] * k : r * k;
      const from = transposed ? r * k : m.indices[p] * k;
      for (let j = 0; j < k; j++) out[to + j] += value * x[from + j];
    }
  }
  return out;
}

/** Keeps only the given rows (the fitting set). */
export function selectRows(m: SparseRows, rows: ArrayLike<number>): SparseRows {
  const offsets = new Int32Array(rows.length + 1);
  let size = 0;
  for (let i = 0; i < rows.length; i++) size += m.offsets[rows[i] + 1] - m.offsets[rows[i]];
  const indices = new Int32Array(size);
  const values = new Float64Array(size);
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const start = m.offsets[rows[i]];
    const end = m.offsets[rows[i] + 1];
    indices.set(m.indices.subarray(start, end), at);
    values.set(m.values.subarray(start, end), at);
    at += end - start;
    offsets[i + 1] = at;
  }
  return { rows: rows.length, cols: m.cols, offsets, indices, values };
}
