import { fitTfidf, tokenize, transformTfidf } from '../embed/tfidf';

/**
 * The semantic-vs-collaborative signal: an item whose text neighbours barely overlap the items
 * people actually buy next to it is described unlike what it is used like. Text neighbours come
 * from TF-IDF cosine over the texts being judged; co-interaction neighbours from TRAINING prefixes
 * only (validation and test items never count), so the signal leaks nothing into evaluation.
 */

/** Items adjacent (within `window` positions) in training sequences, most frequent first, ties by id. */
export function coInteractionNeighbours(train: readonly Int32Array[], itemCount: number, k: number, window = 1): Int32Array[] {
  const counts: Array<Map<number, number>> = Array.from({ length: itemCount }, () => new Map());
  for (const prefix of train) {
    for (let i = 0; i < prefix.length; i++) {
      for (let j = i + 1; j <= i + window && j < prefix.length; j++) {
        const a = prefix[i];
        const b = prefix[j];
        if (a === b) continue;
        counts[a].set(b, (counts[a].get(b) ?? 0) + 1);
        counts[b].set(a, (counts[b].get(a) ?? 0) + 1);
      }
    }
  }
  return counts.map((row) =>
    Int32Array.from(
      [...row.entries()]
        .sort((x, y) => y[1] - x[1] || x[0] - y[0])
        .slice(0, k)
        .map(([item]) => item),
    ),
  );
}

/**
 * Each text's k most cosine-similar other texts under TF-IDF, by an inverted index (short texts
 * share few terms, so this touches a small part of the n² pairs). Empty texts get no neighbours.
 */
export function textNeighbours(texts: readonly string[], k: number): Int32Array[] {
  const documents = texts.map(tokenize);
  const model = fitTfidf(documents, { minDf: 1 });
  const rows = transformTfidf(model, documents);
  // The transpose, in compressed form: per term, the rows holding it and their weights.
  const terms = model.idf.length;
  const starts = new Int32Array(terms + 1);
  for (const term of rows.indices) starts[term + 1]++;
  for (let t = 0; t < terms; t++) starts[t + 1] += starts[t];
  const fill = starts.slice(0, terms);
  const postRows = new Int32Array(rows.indices.length);
  const postValues = new Float64Array(rows.indices.length);
  for (let r = 0; r < rows.rows; r++) {
    for (let e = rows.offsets[r]; e < rows.offsets[r + 1]; e++) {
      const at = fill[rows.indices[e]]++;
      postRows[at] = r;
      postValues[at] = rows.values[e];
    }
  }
  const scores = new Float64Array(rows.rows);
  const touched = new Int32Array(rows.rows);
  return Array.from({ length: rows.rows }, (_, r) => {
    let n = 0;
    for (let e = rows.offsets[r]; e < rows.offsets[r + 1]; e++) {
      const weight = rows.values[e];
      const term = rows.indices[e];
      for (let p = starts[term]; p < starts[term + 1]; p++) {
        const other = postRows[p];
        if (scores[other] === 0) touched[n++] = other;
        scores[other] += weight * postValues[p];
      }
    }
    scores[r] = 0;
    const best = topK(touched, n, scores, k, r);
    for (let i = 0; i < n; i++) scores[touched[i]] = 0;
    return best;
  });
}

/** The k best-scoring of the first n candidates (ties by row), by insertion into a small sorted buffer. */
function topK(candidates: Int32Array, n: number, scores: Float64Array, k: number, self: number): Int32Array {
  const best: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = candidates[i];
    const score = scores[row];
    if (row === self || score <= 0) continue;
    if (best.length === k) {
      const last = best[k - 1];
      if (score < scores[last] || (score === scores[last] && row > last)) continue;
      best.pop();
    }
    let at = best.length;
    while (at > 0 && (scores[best[at - 1]] < score || (scores[best[at - 1]] === score && best[at - 1] > row))) at--;
    best.splice(at, 0, row);
  }
  return Int32Array.from(best);
}

export interface OverlapResult {
  /** |text ∩ co| / min(k, |co|); null when the item has too few co-interaction neighbours. */
  overlap: number | null;
  shared: number;
  compared: number;
}

export function overlapAtK(text: Int32Array, co: Int32Array, k: number, minCo: number): OverlapResult {
  const compared = Math.min(k, co.length);
  if (co.length < minCo || compared === 0) return { overlap: null, shared: 0, compared };
  const mine = new Set(text.subarray(0, k));
  let shared = 0;
  for (const item of co.subarray(0, k)) if (mine.has(item)) shared++;
  return { overlap: shared / compared, shared, compared };
}
