// A train job's run folder (src/core/jobs/train.ts claims it): config.json, log.jsonl, metrics.json,
// ranks.json, checkpoint.json + weights, a resume point while it trains, one sub-folder per seed when
// several are asked for. The folder's rules (one run only, locked, resumed when interrupted) are runFolder.ts's.
import { existsSync, fstatSync, mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Split } from '../data/types';
import type { EngineInfo } from '../engine/backend';
import { evaluate, type EvalResult } from '../eval/evaluator';
import type { Metrics } from '../eval/metrics';
import { meanStd } from '../eval/significance';
import { reportEvent, type JobContext } from '../util/jobContext';
import type { SequentialRecommender } from '../model/types';
import { writeFileAtomic } from '../util/atomicWrite';
import { JsonlAppender } from '../util/jsonl';
import { loadWeights, saveCheckpoint } from './checkpoint';
import type { RunConfig } from './config';
import { train, type TrainEvent } from './trainer';
import { clearAttempt, RUN_FILES } from './runFolder';
import { loadResumePoint, removeResumePoint, saveResumePoint } from './resume';
import { writeRunAnnotations, type TextArtifacts } from './textArtifacts';
import { testPassArtifacts } from './refreshedUsers';
import { buildModel, prepareText } from './variant';

export interface SplitMetrics {
  full: Metrics;
  fullUnmasked?: Metrics;
  sampled100?: { uniform: Metrics; popularity: Metrics; negatives: number };
  groups?: EvalResult['groups'];
  users: number;
}

export interface TrainJobResult {
  event: 'result';
  run: string;
  backend: string;
  engine: EngineInfo;
  model: string;
  dataset: string;
  seed: number;
  best_epoch: number;
  epochs: number;
  metrics: { valid: SplitMetrics; test: SplitMetrics };
  /** peak_rss_mb: the process's peak resident memory so far (the worker or CLI running this job) */
  timing: { train_s: number; ms_per_step: number; eval_s: number; peak_rss_mb: number };
  /** several seeds: mean ± std of each test metric, and each seed's result folder */
  seeds?: { seeds: number[]; test: Record<string, { mean: number; std: number }>; runs: string[] };
}

/** Trains every seed of `config` in a claimed run folder (a finished seed's sub-folder is reused). */
export async function trainInFolder(
  config: RunConfig,
  dataset: Dataset,
  split: Split,
  engine: EngineInfo,
  runDir: string,
  ctx: JobContext,
): Promise<TrainJobResult> {
  const seeds = config.train.seeds ?? [config.train.seed];
  const artifacts = await prepareText(config, dataset, split, ctx);
  if (artifacts?.annotations) await writeFileAtomic(join(runDir, RUN_FILES.annotations), `${JSON.stringify(artifacts.annotations, null, 2)}\n`);
  // the corruption tool's ground truth: which descriptions this run embedded with false claims
  if (artifacts?.corruption) await writeFileAtomic(join(runDir, RUN_FILES.corruption), `${JSON.stringify(artifacts.corruption)}\n`);
  // the simulated reviewer's verdicts, in the run's own annotations file (never the workspace's)
  await writeRunAnnotations(runDir, artifacts);
  // the test pass's text side (grasp.testRetrieval), built once for all seeds, when the first test pass needs it
  let forTest: Promise<TextArtifacts | undefined> | undefined;
  const testArtifacts = () => (forTest ??= testPassArtifacts(dataset, split, config, artifacts, ctx));
  const results: TrainJobResult[] = [];
  for (const seed of seeds) {
    const seedDir = seeds.length > 1 ? join(runDir, `seed-${seed}`) : runDir;
    const seedConfig: RunConfig = { ...config, train: { ...config.train, seed, seeds: undefined } };
    const finished = seeds.length > 1 ? finishedSeed(seedDir) : undefined;
    if (finished) ctx.log(`seed ${seed}: finished earlier in ${seedDir}, reused`);
    results.push(finished ?? (await runOne(seedConfig, dataset, split, engine, seedDir, ctx, artifacts, testArtifacts)));
  }
  if (results.length === 1) return results[0];
  const summary = summarise(results);
  const result: TrainJobResult = { ...results[0], run: runDir, seed: seeds[0], seeds: { seeds, test: summary, runs: results.map((r) => r.run) } };
  await writeFileAtomic(join(runDir, RUN_FILES.metrics), `${JSON.stringify({ seeds, test: summary, runs: results }, null, 2)}\n`);
  return result;
}

/** A seed sub-folder's result when that seed finished before the run was interrupted. */
function finishedSeed(dir: string): TrainJobResult | undefined {
  const file = join(dir, RUN_FILES.metrics);
  if (!existsSync(file) || !existsSync(join(dir, RUN_FILES.ranks))) return undefined;
  const { history: _history, ...result } = JSON.parse(readFileSync(file, 'utf8')) as TrainJobResult & { history?: unknown };
  return result.event === 'result' ? result : undefined;
}

async function runOne(
  config: RunConfig,
  dataset: Dataset,
  split: Split,
  engine: EngineInfo,
  dir: string,
  ctx: JobContext,
  artifacts: TextArtifacts | undefined,
  testArtifacts: () => Promise<TextArtifacts | undefined>,
): Promise<TrainJobResult> {
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, RUN_FILES.log);
  const numItems = dataset.itemIds.length;
  const { model } = buildModel(config, numItems, split, artifacts);
  let logger: JsonlAppender | undefined;
  try {
    const resumed = await loadResumePoint(dir, model);
    if (resumed) {
      // the log goes back to the resume point: the epochs after it are trained again and logged once
      if (existsSync(logFile)) truncateSync(logFile, resumed.logBytes);
    } else clearAttempt(dir);
    logger = new JsonlAppender(logFile);
    const log = (record: object): void => logger!.append(record);
    const logBytes = (): number => fstatSync(logger!.fd).size;
    if (resumed) {
      log({ event: 'resume', epoch: resumed.snapshot.epoch, best_epoch: resumed.snapshot.best.epoch });
      ctx.log(`resuming after epoch ${resumed.snapshot.epoch} (best so far: epoch ${resumed.snapshot.best.epoch})`);
    } else
      log({
        event: 'start',
        seed: config.train.seed,
        backend: engine.backend,
        engine,
        users: dataset.userIds.length,
        items: numItems,
        params: model.namedVariables().reduce((n, [, v]) => n + v.size, 0),
      });
    const outcome = await train({
      config,
      split,
      model,
      ctx,
      onEvent: (event: TrainEvent) => {
        if (event.event === 'step') return;
        log(event);
        reportEvent(ctx, event);
      },
      onBest: (epoch, valid) => saveCheckpoint(dir, model, { epoch, config, itemIds: dataset.itemIds, valid: valid.full, backend: engine.backend }),
      onSnapshot: (snapshot) => saveResumePoint(dir, model, snapshot, logBytes()),
      resume: resumed?.snapshot,
    });
    if (outcome.bestEpoch === 0) throw new Error('training ended before any validation (epochs < evalEvery?)');
    await loadWeights(dir, model);
    // a resumed run whose best epoch came before the interruption validates that checkpoint again (same numbers)
    const valid = outcome.bestValid ?? (await evaluate(model, split, 'valid', { ...config.eval, sampled: 0 }, ctx));
    ctx.progress({ message: 'Evaluating the best checkpoint on test' });
    const test = await evaluateTest(model, config, split, dir, ctx, artifacts, await testArtifacts());
    const result: TrainJobResult = {
      event: 'result',
      run: dir,
      backend: engine.backend,
      engine,
      model: config.model.kind,
      dataset: dataset.name,
      seed: config.train.seed,
      best_epoch: outcome.bestEpoch,
      epochs: outcome.epochs,
      metrics: { valid: splitMetrics(valid), test: splitMetrics(test) },
      timing: {
        train_s: outcome.trainSeconds,
        ms_per_step: outcome.msPerStep,
        eval_s: test.seconds,
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      },
    };
    log(result);
    // ranks before metrics: metrics.json is what marks the run finished
    await writeFileAtomic(
      join(dir, RUN_FILES.ranks),
      `${JSON.stringify({ split: 'test', users: Array.from(test.userIds), ranks: Array.from(test.ranks), validUsers: Array.from(valid.userIds), validRanks: Array.from(valid.ranks) })}\n`,
    );
    await writeFileAtomic(join(dir, RUN_FILES.metrics), `${JSON.stringify({ ...result, history: outcome.history }, null, 2)}\n`);
    await removeResumePoint(dir);
    return result;
  } finally {
    logger?.close();
    model.dispose();
  }
}

/**
 * Test metrics of the best checkpoint (loaded in `model`, built from `artifacts`). When the test pass has
 * its own text side (`forTest`, from testPassArtifacts), a copy of the model is built with it and loaded.
 */
export async function evaluateTest(
  model: SequentialRecommender,
  config: RunConfig,
  split: Split,
  dir: string,
  ctx: JobContext,
  artifacts: TextArtifacts | undefined,
  forTest: TextArtifacts | undefined,
): Promise<EvalResult> {
  if (forTest === artifacts) return evaluate(model, split, 'test', config.eval, ctx);
  const { model: testModel } = buildModel(config, model.numItems, split, forTest);
  try {
    await loadWeights(dir, testModel);
    return await evaluate(testModel, split, 'test', config.eval, ctx);
  } finally {
    testModel.dispose();
  }
}

export function splitMetrics(result: EvalResult): SplitMetrics {
  return { full: result.full, fullUnmasked: result.fullUnmasked, sampled100: result.sampled100, groups: result.groups, users: result.users };
}

function summarise(results: TrainJobResult[]): Record<string, { mean: number; std: number }> {
  const out: Record<string, { mean: number; std: number }> = {};
  for (const key of Object.keys(results[0].metrics.test.full)) {
    const { mean, std } = meanStd(results.map((r) => r.metrics.test.full[key]));
    out[`full.${key}`] = { mean, std };
  }
  return out;
}
