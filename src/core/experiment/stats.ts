// The maths of the results table: mean ± std over seeds, and the two paired tests of a variant
// against its baseline on test NDCG@10 —
//  - over users: each user's NDCG@10 averaged over the seeds both variants finished (seed s of the
//    variant pairs with seed s of the baseline, same split), then a paired t-test over users. Averaging
//    first keeps one observation per user, so the n of the test is the number of users, not users × seeds
//    (pooling would count each user several times and overstate the evidence). Per-seed tests are kept too;
//  - over seeds: each seed's test NDCG@10 (variant − baseline), a paired t-test with n = seeds.
import { ndcgPerUser } from '../eval/metrics';
import { meanStd, pairedTTest, type PairedTest } from '../eval/significance';

export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/** One finished run's per-user test ranks (0-based, full ranking, history masked). */
export interface UserRanks {
  users: ArrayLike<number>;
  ranks: ArrayLike<number>;
}

export interface UserTest extends PairedTest {
  /** mean per-user NDCG of the variant and the baseline over the tested users */
  variantMean: number;
  baselineMean: number;
}

export interface SeedUserTest extends UserTest {
  seed: number;
}

export function summarise(values: readonly number[]): MeanStd {
  return meanStd(values);
}

function sameUsers(a: UserRanks, b: UserRanks): boolean {
  if (a.users.length !== b.users.length) return false;
  for (let i = 0; i < a.users.length; i++) if (a.users[i] !== b.users[i]) return false;
  return true;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length === 0 ? 0 : sum / values.length;
}

/** Per-user NDCG@k averaged over runs (all scored on the same users, in the same order). */
export function seedAveragedNdcg(runs: readonly UserRanks[], k: number): Float64Array {
  if (runs.length === 0) return new Float64Array(0);
  const out = new Float64Array(runs[0].users.length);
  for (const run of runs) {
    if (!sameUsers(run, runs[0])) throw new Error('runs were not evaluated on the same users (same dataset and split?)');
    const ndcg = ndcgPerUser(run.ranks, k);
    for (let i = 0; i < out.length; i++) out[i] += ndcg[i] / runs.length;
  }
  return out;
}

/** Paired over users: seed-averaged per-user NDCG@k of variant vs baseline (runs paired by position). */
export function pairedOverUsers(variant: readonly UserRanks[], baseline: readonly UserRanks[], k = 10): UserTest {
  if (variant.length !== baseline.length) throw new Error(`paired over users needs the same seeds on both sides (${variant.length} vs ${baseline.length})`);
  if (variant.length > 0 && !sameUsers(variant[0], baseline[0])) throw new Error('variant and baseline were not evaluated on the same users');
  const a = seedAveragedNdcg(variant, k);
  const b = seedAveragedNdcg(baseline, k);
  return { ...pairedTTest(a, b), variantMean: mean(a), baselineMean: mean(b) };
}

/** Paired over seeds: one value per seed on each side, in the same seed order. */
export function pairedOverSeeds(variant: readonly number[], baseline: readonly number[]): PairedTest {
  return pairedTTest(variant, baseline);
}
