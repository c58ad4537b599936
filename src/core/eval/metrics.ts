// Ranking metrics from 0-based ranks (rank = how many candidates scored strictly above the target,
// so rank 0 is a hit at every K). One relevant item per user, as in leave-one-out evaluation.
export type Metrics = Record<string, number>;

export const DEFAULT_KS = [5, 10, 20];

export function metricsFromRanks(ranks: ArrayLike<number>, ks: readonly number[] = DEFAULT_KS): Metrics {
  const out: Metrics = {};
  const n = ranks.length;
  for (const k of ks) {
    let hits = 0;
    let ndcg = 0;
    for (let i = 0; i < n; i++) {
      if (ranks[i] < k) {
        hits++;
        ndcg += 1 / Math.log2(ranks[i] + 2);
      }
    }
    out[`HR@${k}`] = n === 0 ? 0 : hits / n;
    out[`NDCG@${k}`] = n === 0 ? 0 : ndcg / n;
  }
  let reciprocal = 0;
  for (let i = 0; i < n; i++) reciprocal += 1 / (ranks[i] + 1);
  out.MRR = n === 0 ? 0 : reciprocal / n;
  return out;
}

/** Per-user NDCG@k, for paired tests between two runs on the same split. */
export function ndcgPerUser(ranks: ArrayLike<number>, k: number): Float64Array {
  const out = new Float64Array(ranks.length);
  for (let i = 0; i < ranks.length; i++) out[i] = ranks[i] < k ? 1 / Math.log2(ranks[i] + 2) : 0;
  return out;
}
