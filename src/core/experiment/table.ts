// From finished runs to the results table (machine-readable): per variant mean ± std over seeds of
// every test full-ranking metric and the head/tail breakdowns; per comparison the paired tests.
import type { PairedTest } from '../eval/significance';
import type { Experiment } from './config';
import type { AttentionDiagnostics } from './diagnostics';
import type { FinishedRun } from './runs';
import { pairedOverSeeds, pairedOverUsers, summarise, type MeanStd, type SeedUserTest, type UserRanks, type UserTest } from './stats';

export const SIGNIFICANCE = 0.05;
/** The comparison metric: test NDCG@10, full ranking, history masked (DESIGN §3). */
export const METRIC = 'NDCG@10';
const K = 10;

export interface VariantResult {
  name: string;
  description?: string;
  model: string;
  seedsDone: number[];
  seedsNotRun: number[];
  runs: string[];
  /** every test full-ranking metric (HR@K, NDCG@K, MRR) */
  test: Record<string, MeanStd>;
  /** test NDCG@10 of the head/tail user and item groups */
  groups: { tailUsers: MeanStd; headUsers: MeanStd; tailItems: MeanStd; headItems: MeanStd };
  validNdcg10: MeanStd;
  bestEpochs: number[];
  epochsRun: number[];
  trainSeconds: number[];
  msPerStep: MeanStd;
  budget: { epochs: number; evalEvery: number; patience: number; batchSize: number; lr: number; loss: string; negatives: number };
  /** GRASP variants, with --diagnostics: attention read from each seed's best checkpoint */
  attention?: Array<{ seed: number } & AttentionDiagnostics>;
}

export interface ComparisonResult {
  variant: string;
  baseline: string;
  metric: string;
  /** seeds both sides finished; the tests pair these */
  seeds: number[];
  variantMean: number;
  baselineMean: number;
  difference: number;
  relative: number;
  /** per-user NDCG@10 averaged over the paired seeds, paired t-test over users */
  overUsers: (UserTest & { pooling: string }) | null;
  /** the same test within each seed */
  perSeed: SeedUserTest[];
  /** per-seed NDCG@10, paired t-test over seeds (null below 2 seeds) */
  overSeeds: PairedTest | null;
  /** variant better, and p < 0.05 over users and over seeds */
  significant: boolean;
  /** validation NDCG@10 at the best epoch (the model-selection criterion, what screens decide on), means over the paired seeds */
  valid: { variantMean: number; baselineMean: number; ratio: number };
  /** the test over users restricted to the tail users and to the users whose target is a tail item (absent: groups unknown) */
  tails?: { users: UserTest | null; items: UserTest | null };
}

/** The test users (dense ids) in each tail group: short training sequences, and targets outside the most popular items. */
export interface TailGroups {
  tailUsers: ReadonlySet<number>;
  tailItems: ReadonlySet<number>;
}

/** The ranks of only the users in `keep`, in the same order (so two runs stay paired). */
function restrictRanks(run: UserRanks, keep: ReadonlySet<number>): UserRanks {
  const users: number[] = [];
  const ranks: number[] = [];
  for (let i = 0; i < run.users.length; i++)
    if (keep.has(run.users[i])) {
      users.push(run.users[i]);
      ranks.push(run.ranks[i]);
    }
  return { users, ranks };
}

/** A declared recovery (experiment "recoveries"): how much of the corruption's drop a review won back. */
export interface RecoveryResult {
  clean: string;
  corrupted: string;
  reviewed: string;
  metric: string;
  /** Seeds all three variants finished: every mean is over these, so the three are paired by seed. */
  seeds: number[];
  /** Mean test NDCG@10 over those seeds (null: none yet). */
  cleanMean: number | null;
  corruptedMean: number | null;
  reviewedMean: number | null;
  /** clean − corrupted */
  drop: number | null;
  /** reviewed − corrupted */
  recovered: number | null;
  /** recovered / drop: 1 = back to clean, 0 = no better than corrupted; null with `note` saying why. */
  share: number | null;
  note?: string;
  /** the drop's paired test over users (clean against corrupted, the same seeds), when the runs' ranks allow one */
  dropP?: number;
}

export interface ExperimentTable {
  variants: VariantResult[];
  comparisons: ComparisonResult[];
  recoveries: RecoveryResult[];
  notRun: Array<{ variant: string; seed: number }>;
}

const empty: MeanStd = { mean: 0, std: 0, n: 0 };

function variantResult(variant: Experiment['variants'][number], seeds: number[], runs: FinishedRun[]): VariantResult {
  const mine = seeds
    .map((seed) => runs.find((run) => run.variant === variant.name && run.seed === seed))
    .filter((run): run is FinishedRun => run !== undefined);
  const test: Record<string, MeanStd> = {};
  for (const key of Object.keys(mine[0]?.result.metrics.test.full ?? {})) test[key] = summarise(mine.map((run) => run.result.metrics.test.full[key]));
  const group = (name: 'tailUsers' | 'headUsers' | 'tailItems' | 'headItems'): MeanStd =>
    mine.length === 0 ? empty : summarise(mine.map((run) => run.result.metrics.test.groups?.[name]?.[METRIC] ?? Number.NaN));
  const { train } = variant.config;
  return {
    name: variant.name,
    description: variant.description,
    model: variant.config.model.kind,
    seedsDone: mine.map((run) => run.seed),
    seedsNotRun: seeds.filter((seed) => !mine.some((run) => run.seed === seed)),
    runs: mine.map((run) => run.dir),
    test,
    groups: { tailUsers: group('tailUsers'), headUsers: group('headUsers'), tailItems: group('tailItems'), headItems: group('headItems') },
    validNdcg10: summarise(mine.map((run) => run.result.metrics.valid.full[METRIC])),
    bestEpochs: mine.map((run) => run.result.best_epoch),
    epochsRun: mine.map((run) => run.result.epochs),
    trainSeconds: mine.map((run) => run.result.timing.train_s),
    msPerStep: summarise(mine.map((run) => run.result.timing.ms_per_step)),
    budget: {
      epochs: train.epochs,
      evalEvery: train.evalEvery,
      patience: train.patience,
      batchSize: train.batchSize,
      lr: train.lr,
      loss: train.loss,
      negatives: train.negatives,
    },
  };
}

export function compare(variant: string, baseline: string, seeds: number[], runs: FinishedRun[], groups?: TailGroups): ComparisonResult {
  const find = (name: string, seed: number) => runs.find((run) => run.variant === name && run.seed === seed);
  const paired = seeds.filter((seed) => find(variant, seed) && find(baseline, seed));
  const a = paired.map((seed) => find(variant, seed)!);
  const b = paired.map((seed) => find(baseline, seed)!);
  const aScores = a.map((run) => run.result.metrics.test.full[METRIC]);
  const bScores = b.map((run) => run.result.metrics.test.full[METRIC]);
  const variantMean = summarise(aScores).mean;
  const baselineMean = summarise(bScores).mean;
  const overUsers =
    paired.length === 0
      ? null
      : {
          ...pairedOverUsers(
            a.map((run) => run.ranks),
            b.map((run) => run.ranks),
            K,
          ),
          pooling: `per-user ${METRIC} averaged over the ${paired.length} paired seed(s), then paired over users`,
        };
  const perSeed = paired.map((seed, i) => ({ seed, ...pairedOverUsers([a[i].ranks], [b[i].ranks], K) }));
  const tailTest = (keep: ReadonlySet<number>): UserTest | null =>
    paired.length === 0 || keep.size < 2
      ? null
      : pairedOverUsers(
          a.map((run) => restrictRanks(run.ranks, keep)),
          b.map((run) => restrictRanks(run.ranks, keep)),
          K,
        );
  const overSeeds = paired.length < 2 ? null : pairedOverSeeds(aScores, bScores);
  const difference = variantMean - baselineMean;
  const validMean = (side: FinishedRun[]) => summarise(side.map((run) => run.result.metrics.valid.full[METRIC])).mean;
  const valid = { variantMean: validMean(a), baselineMean: validMean(b), ratio: validMean(a) / validMean(b) };
  return {
    variant,
    baseline,
    metric: `test ${METRIC} (full ranking)`,
    seeds: paired,
    variantMean,
    baselineMean,
    difference,
    relative: baselineMean === 0 ? 0 : difference / baselineMean,
    valid,
    overUsers,
    perSeed,
    overSeeds,
    significant: difference > 0 && overUsers !== null && overUsers.p < SIGNIFICANCE && overSeeds !== null && overSeeds.p < SIGNIFICANCE,
    ...(groups ? { tails: { users: tailTest(groups.tailUsers), items: tailTest(groups.tailItems) } } : {}),
  };
}

/**
 * The share of the drop recovered, (reviewed − corrupted) / (clean − corrupted). Undefined (null, with
 * the reason) when the corruption caused no drop: clean − corrupted ≤ 0 leaves nothing to recover, and
 * dividing by it would give a share with no meaning (or an infinite one).
 */
export function recoveryShare(
  clean: number,
  corrupted: number,
  reviewed: number,
  dropP?: number,
): { drop: number; recovered: number; share: number | null; note?: string } {
  const drop = clean - corrupted;
  const recovered = reviewed - corrupted;
  if (!Number.isFinite(drop) || !Number.isFinite(recovered)) return { drop, recovered, share: null, note: 'a mean is not a number' };
  if (drop <= 0)
    return {
      drop,
      recovered,
      share: null,
      note: `n/a: the corruption caused no drop (clean − corrupted = ${drop.toFixed(4)} ≤ 0), so there is nothing to recover`,
    };
  // a drop within the noise makes any share of it noise too (a tiny drop gave shares of 100 and more)
  if (dropP !== undefined && !(dropP < SIGNIFICANCE))
    return {
      drop,
      recovered,
      share: null,
      note: `n/a: the corruption's drop (${drop.toFixed(4)}) is not significant (p = ${dropP.toPrecision(2)} over users), so a share of it would be noise`,
    };
  return { drop, recovered, share: recovered / drop };
}

export function recover(clean: string, corrupted: string, reviewed: string, seeds: number[], runs: FinishedRun[]): RecoveryResult {
  const find = (name: string, seed: number) => runs.find((run) => run.variant === name && run.seed === seed);
  const common = seeds.filter((seed) => find(clean, seed) && find(corrupted, seed) && find(reviewed, seed));
  const base = { clean, corrupted, reviewed, metric: `test ${METRIC} (full ranking)`, seeds: common };
  if (common.length === 0)
    return {
      ...base,
      cleanMean: null,
      corruptedMean: null,
      reviewedMean: null,
      drop: null,
      recovered: null,
      share: null,
      note: 'not run: no seed that all three variants finished',
    };
  const mean = (name: string) => summarise(common.map((seed) => find(name, seed)!.result.metrics.test.full[METRIC])).mean;
  const [cleanMean, corruptedMean, reviewedMean] = [mean(clean), mean(corrupted), mean(reviewed)];
  const ranks = (name: string) => common.map((seed) => find(name, seed)!.ranks);
  const scored = ranks(clean).every((r) => r.ranks.length > 1) && ranks(corrupted).every((r) => r.ranks.length > 1);
  const dropTest = scored ? pairedOverUsers(ranks(clean), ranks(corrupted), K) : undefined;
  const dropP = dropTest && Number.isFinite(dropTest.p) ? dropTest.p : undefined;
  return {
    ...base,
    cleanMean,
    corruptedMean,
    reviewedMean,
    ...recoveryShare(cleanMean, corruptedMean, reviewedMean, dropP),
    ...(dropP !== undefined ? { dropP } : {}),
  };
}

export function buildTable(experiment: Experiment, runs: FinishedRun[], groups?: TailGroups): ExperimentTable {
  const variants = experiment.variants.map((variant) => variantResult(variant, experiment.seeds, runs));
  const comparisons = experiment.comparisons.map(({ variant, baseline }) => compare(variant, baseline, experiment.seeds, runs, groups));
  const recoveries = (experiment.recoveries ?? []).map(({ clean, corrupted, reviewed }) => recover(clean, corrupted, reviewed, experiment.seeds, runs));
  const notRun = variants.flatMap((variant) => variant.seedsNotRun.map((seed) => ({ variant: variant.name, seed })));
  return { variants, comparisons, recoveries, notRun };
}
