// Evaluation per DESIGN §3: every evaluated user's held-out item is ranked against ALL items by
// the model's score, with the user's known history (training items; for test also the validation
// item) masked out; the target itself always stays rankable. Also the sampled protocol of the
// LLM-ESR/GRASP papers (target + 100 negatives, uniform and popularity-drawn), labelled as sampled,
// and breakdowns for head/tail users (training length) and head/tail items (training popularity).
import { HEAD_SHARE } from '../data/stats';
import type { Split } from '../data/types';
import { withRankedScores } from '../engine/ranking';
import { tf, type Tensor2D } from '../engine/tf';
import type { JobContext } from '../util/jobContext';
import { throwIfCancelled } from '../util/jobContext';
import { scoringTable } from '../model/embedding';
import type { SequentialRecommender } from '../model/types';
import { Random } from '../util/random';
import { DEFAULT_KS, metricsFromRanks, type Metrics } from './metrics';

export type EvalSplit = 'valid' | 'test';

export interface EvalOptions {
  ks?: number[];
  /** users scored per forward pass */
  batchSize?: number;
  /** negatives per user for the sampled protocol (0 = skip) */
  sampled?: number;
  /** seed of the sampled candidates (fixed, so runs are comparable) */
  sampledSeed?: number;
  /** also report unmasked full ranking (the PyTorch reference's protocol) */
  unmasked?: boolean;
}

export interface EvalResult {
  split: EvalSplit;
  users: number;
  /** full ranking, history masked */
  full: Metrics;
  /** full ranking without masking (comparable with ../shared/bench/sasrec_torch.py) */
  fullUnmasked?: Metrics;
  /** sampled protocol: target + N negatives (NOT full ranking) */
  sampled100?: { uniform: Metrics; popularity: Metrics; negatives: number };
  groups: { headUsers: Metrics; tailUsers: Metrics; headItems: Metrics; tailItems: Metrics };
  /** evaluated user ids and their full-ranking ranks, aligned (for paired tests) */
  userIds: Int32Array;
  ranks: Int32Array;
  seconds: number;
}

/** Users with a held-out item for this split, their input history and what is masked. */
export interface EvalCases {
  users: Int32Array;
  targets: Int32Array;
  /** history[i]: dataset item ids the model sees (training prefix, + validation item for test) */
  history: Int32Array[];
}

export function evalCases(split: Split, which: EvalSplit): EvalCases {
  const users: number[] = [];
  const targets: number[] = [];
  const history: Int32Array[] = [];
  for (let user = 0; user < split.train.length; user++) {
    const target = which === 'valid' ? split.valid[user] : split.test[user];
    if (target < 0) continue;
    users.push(user);
    targets.push(target);
    if (which === 'valid') history.push(split.train[user]);
    else {
      const seen = new Int32Array(split.train[user].length + 1);
      seen.set(split.train[user]);
      seen[seen.length - 1] = split.valid[user];
      history.push(seen);
    }
  }
  return { users: Int32Array.from(users), targets: Int32Array.from(targets), history };
}

export function trainingPopularity(split: Split, numItems: number): Float64Array {
  const counts = new Float64Array(numItems);
  for (const sequence of split.train) for (const item of sequence) counts[item]++;
  return counts;
}

export async function evaluate(
  model: SequentialRecommender,
  split: Split,
  which: EvalSplit,
  options: EvalOptions = {},
  ctx?: Pick<JobContext, 'isCancelled' | 'progress'>,
): Promise<EvalResult> {
  const started = performance.now();
  const ks = options.ks ?? DEFAULT_KS;
  const batchSize = options.batchSize ?? 512;
  const cases = evalCases(split, which);
  const n = cases.users.length;
  const numItems = model.numItems;
  const popularity = trainingPopularity(split, numItems);
  const sampledCount = Math.min(options.sampled ?? 100, Math.max(0, numItems - 1));
  const candidates = sampledCount > 0 ? sampleCandidates(split, cases, popularity, sampledCount, options.sampledSeed ?? 12345) : undefined;

  const ranks = new Int32Array(n);
  const unmasked = new Int32Array(n);
  const uniformRanks = new Int32Array(n);
  const popularRanks = new Int32Array(n);
  const maxLen = model.config.maxLen;
  const items = tf.tidy(() => tf.slice(scoringTable(model), [1, 0], [numItems, -1]));
  try {
    for (let start = 0; start < n; start += batchSize) {
      if (ctx) throwIfCancelled(ctx);
      const end = Math.min(n, start + batchSize);
      const rows = end - start;
      const input = new Int32Array(rows * maxLen);
      for (let i = 0; i < rows; i++) model.inferenceRow(cases.history[start + i], input, i * maxLen);
      const scoresTensor = tf.tidy(() => {
        const ids = tf.tensor2d(input, [rows, maxLen], 'int32');
        const users = cases.users.subarray(start, end);
        const last = model.encodeLast
          ? model.encodeLast(ids, users)
          : (tf.reshape(tf.slice(model.encode(ids, false, users), [0, maxLen - 1, 0], [rows, 1, -1]), [rows, -1]) as Tensor2D);
        return tf.matMul(last, items, false, true) as Tensor2D;
      });
      try {
        await withRankedScores(scoresTensor, cases.targets.subarray(start, end), (scores, above) => {
          for (let i = 0; i < rows; i++) {
            const u = start + i;
            const row = scores.subarray(i * numItems, (i + 1) * numItems);
            const target = cases.targets[u];
            const score = row[target];
            const ranked = rankTarget(row, target, cases.history[u], above[i]);
            unmasked[u] = ranked.unmasked;
            ranks[u] = ranked.masked;
            if (candidates) {
              uniformRanks[u] = countAbove(row, score, candidates.uniform, u * sampledCount, sampledCount);
              popularRanks[u] = countAbove(row, score, candidates.popularity, u * sampledCount, sampledCount);
            }
          }
        });
      } finally {
        scoresTensor.dispose();
      }
      ctx?.progress({ message: `Evaluating ${which} (${end} of ${n} users)`, fraction: end / n });
    }
  } finally {
    items.dispose();
  }

  const groups = groupMetrics(split, cases, ranks, popularity, ks);
  return {
    split: which,
    users: n,
    full: metricsFromRanks(ranks, ks),
    fullUnmasked: options.unmasked ? metricsFromRanks(unmasked, ks) : undefined,
    sampled100: candidates
      ? { uniform: metricsFromRanks(uniformRanks, ks), popularity: metricsFromRanks(popularRanks, ks), negatives: sampledCount }
      : undefined,
    groups,
    userIds: cases.users,
    ranks,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The target's 0-based rank among all items by score: `unmasked` counts every item scoring strictly
 * higher (`counted`, when the caller has it already); `masked` leaves out the user's history (never the target).
 */
export function rankTarget(row: ArrayLike<number>, target: number, history: ArrayLike<number>, counted?: number): { masked: number; unmasked: number } {
  const score = row[target];
  let above = counted ?? 0;
  if (counted === undefined) for (let j = 0; j < row.length; j++) if (row[j] > score) above++;
  let masked = above;
  const seen = new Set<number>();
  for (let h = 0; h < history.length; h++) {
    const item = history[h];
    if (item !== target && row[item] > score && !seen.has(item)) {
      seen.add(item);
      masked--;
    }
  }
  return { masked, unmasked: above };
}

function countAbove(row: Float32Array, score: number, candidates: Int32Array, offset: number, count: number): number {
  let above = 0;
  for (let j = 0; j < count; j++) if (row[candidates[offset + j]] > score) above++;
  return above;
}

/**
 * Fixed negatives per user: distinct items the user never interacted with (whole sequence, as in
 * the papers' protocol), drawn uniformly and by TRAINING popularity.
 */
export function sampleCandidates(
  split: Split,
  cases: EvalCases,
  popularity: Float64Array,
  count: number,
  seed: number,
): { uniform: Int32Array; popularity: Int32Array } {
  const random = new Random(seed);
  const numItems = popularity.length;
  const cumulative = new Float64Array(numItems);
  let total = 0;
  for (let i = 0; i < numItems; i++) cumulative[i] = total += popularity[i];
  const drawPopular = (): number => {
    if (total === 0) return random.int(numItems);
    const x = random.next() * total;
    let lo = 0;
    let hi = numItems - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const uniform = new Int32Array(cases.users.length * count);
  const popular = new Int32Array(cases.users.length * count);
  for (let u = 0; u < cases.users.length; u++) {
    const user = cases.users[u];
    const excluded = new Set<number>(split.train[user]);
    excluded.add(split.valid[user]);
    excluded.add(split.test[user]);
    const available = numItems - excluded.size;
    const take = Math.min(count, available);
    for (const [target, draw] of [
      [uniform, () => random.int(numItems)],
      [popular, drawPopular],
    ] as Array<[Int32Array, () => number]>) {
      const chosen = new Set<number>();
      let attempts = 0;
      while (chosen.size < take) {
        const item = attempts++ < 50 * count ? draw() : random.int(numItems);
        if (!excluded.has(item)) chosen.add(item);
      }
      target.set([...chosen].concat(Array(count - take).fill(cases.targets[u])), u * count);
    }
  }
  return { uniform, popularity: popular };
}

/**
 * Which evaluation cases are head or tail. Head users: the HEAD_SHARE longest training sequences;
 * head items: targets among the HEAD_SHARE most popular items in training. Per case, in case order.
 */
export function caseGroups(split: Split, cases: EvalCases, popularity: Float64Array): { headUser: boolean[]; headItem: boolean[] } {
  const lengths = split.train.map((sequence) => sequence.length).sort((a, b) => b - a);
  const headUserMin = lengths[Math.max(0, Math.ceil(HEAD_SHARE * lengths.length) - 1)] ?? 0;
  const byPopularity = Array.from(popularity).sort((a, b) => b - a);
  const headItemMin = byPopularity[Math.max(0, Math.ceil(HEAD_SHARE * byPopularity.length) - 1)] ?? 0;
  return {
    headUser: Array.from(cases.users, (user) => split.train[user].length >= headUserMin),
    headItem: Array.from(cases.targets, (target) => popularity[target] >= headItemMin),
  };
}

function groupMetrics(split: Split, cases: EvalCases, ranks: Int32Array, popularity: Float64Array, ks: readonly number[]): EvalResult['groups'] {
  const { headUser, headItem } = caseGroups(split, cases, popularity);
  const group = (keep: (i: number) => boolean) =>
    metricsFromRanks(
      Array.from(ranks).filter((_, i) => keep(i)),
      ks,
    );
  return {
    headUsers: group((i) => headUser[i]),
    tailUsers: group((i) => !headUser[i]),
    headItems: group((i) => headItem[i]),
    tailItems: group((i) => !headItem[i]),
  };
}
