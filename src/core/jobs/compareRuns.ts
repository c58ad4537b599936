// Reads finished run folders for the Compare Runs view: their configs, test metrics per seed and, where
// both runs kept per-user ranks on the same users, a paired t-test against the first run.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compareRuns } from '../eval/compare';
import { configDiff, metricRows, type CompareReport, type RunSummary, type SignificanceRow, type ValidationPoint } from '../eval/report';
import { readRunDetails, type RunHistoryEvent } from '../train/runReader';
import { throwIfCancelled, type JobContext } from '../util/jobContext';
import { RUN_FILES } from '../train/runFolder';

export interface CompareRunsJobParams {
  /** Run folders (.grasp/runs/<id>); the first is the baseline of the significance tests (the caller puts the chosen baseline first). */
  runs: string[];
}

export type CompareRunsJobResult = CompareReport;

interface SeedMetrics {
  seed?: number;
  dataset?: string;
  run?: string;
  metrics?: { test?: { full?: Record<string, number> } };
}

/** metrics.json of a single-seed run, or of a multi-seed run (its `runs` hold each seed's result). */
interface MetricsFile extends SeedMetrics {
  model?: string;
  seeds?: number[];
  runs?: SeedMetrics[];
}

async function readJson<T>(file: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    throw new Error(`${file}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is this a finished run folder?`);
  }
}

const SIGNIFICANCE_K = 10;

export async function compareRunsJob(params: CompareRunsJobParams, ctx: JobContext): Promise<CompareRunsJobResult> {
  if (params.runs.length < 2) throw new Error('pick at least two runs to compare');
  const runs: RunSummary[] = [];
  const configs: unknown[] = [];
  const perRun: Array<Array<Record<string, number>>> = [];
  const seedFolders: string[][] = [];
  for (const [i, folder] of params.runs.entries()) {
    throwIfCancelled(ctx);
    ctx.progress({ message: `Reading ${basename(folder)}`, fraction: i / (params.runs.length + 1) });
    const config = await readJson<Record<string, unknown>>(join(folder, RUN_FILES.config), 'config');
    const metrics = await readJson<MetricsFile>(join(folder, RUN_FILES.metrics), 'metrics');
    const seeds = metrics.runs ?? [metrics];
    const model = (config.model as { kind?: string } | undefined)?.kind ?? metrics.model ?? '?';
    const details = await readRunDetails(folder);
    runs.push({
      name: basename(folder),
      label: details?.name ?? basename(folder),
      validation: validationCurve(details?.history ?? []),
      path: folder,
      model,
      variant: typeof config.variant === 'string' ? config.variant : 'plain',
      dataset: metrics.dataset ?? seeds[0]?.dataset ?? '?',
      seeds: metrics.seeds ?? seeds.map((s) => s.seed ?? 0),
    });
    configs.push(config);
    perRun.push(seeds.map((s) => s.metrics?.test?.full ?? {}));
    seedFolders.push(metrics.runs ? seeds.map((s) => s.run ?? '') : [folder]);
  }
  const significance: SignificanceRow[] = [];
  for (let i = 1; i < runs.length; i++) {
    throwIfCancelled(ctx);
    const metric = `NDCG@${SIGNIFICANCE_K} per user (first seed)`;
    try {
      // Seeds of one run are not paired with another run's seeds; the first seeds, on the same users, are.
      const test = await compareRuns(seedFolders[i][0], seedFolders[0][0], SIGNIFICANCE_K);
      significance.push({ run: i, metric, n: test.n, meanDifference: test.meanDifference, t: test.t, p: test.p });
    } catch (error) {
      significance.push({ run: i, metric, unavailable: (error as Error).message });
    }
  }
  ctx.progress({ message: 'Compared', fraction: 1 });
  // Seeds and names always differ between runs and are shown with each run already.
  const ignore = (key: string) => key === 'name' || key === 'train.seed' || key === 'train.seeds' || key === '$schema';
  return { runs, configDiff: configDiff(configs, ignore), metrics: metricRows(perRun), significance };
}

/** Validation points with the wall time spent up to each (training epochs and evaluations, in order). */
export function validationCurve(history: readonly RunHistoryEvent[]): ValidationPoint[] {
  let seconds = 0;
  const points: ValidationPoint[] = [];
  for (const event of history) {
    if (event.event === 'epoch') seconds += Number.isFinite(event.epoch_s) ? event.epoch_s : 0;
    else {
      seconds += Number.isFinite(event.eval_s) ? event.eval_s : 0;
      points.push({ epoch: event.epoch, seconds, valid: event.valid });
    }
  }
  return points;
}
