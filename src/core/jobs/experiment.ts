// `grasp experiment --config <file>`: every variant × seed through the ordinary train job, one run
// folder each (finished ones reused, so an interrupted experiment resumes where it stopped), then the
// results table as <name>.results.json + .md in the output folder (and optionally a report section).
// Runs go seed by seed (all variants of the first seed, then the next), so the paired comparisons
// have something to pair as early as possible.
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { throwIfCancelled, type JobContext } from '../util/jobContext';
import { writeFileAtomic } from '../util/atomicWrite';
import { acquireLock } from '../util/lock';
import { loadExperiment, type Experiment } from '../experiment/config';
import { attentionDiagnostics } from '../experiment/diagnostics';
import { renderMarkdown, writeReport, type ExperimentResults } from '../experiment/report';
import { inspectRun, runDir, seededConfig, type FinishedRun } from '../experiment/runs';
import { buildTable, type TailGroups } from '../experiment/table';
import { leaveOneOut } from '../data/split';
import { caseGroups, evalCases, trainingPopularity } from '../eval/evaluator';
import { loadRunDataset } from '../train/runDataset';
import { trainJob } from './train';

export interface ExperimentJobParams {
  /** the experiment file (JSON) */
  configPath: string;
  /** train only these variants (the table still shows every variant's finished runs) */
  variants?: string[];
  /** train only these of the experiment's seeds */
  seeds?: number[];
  /** train nothing: tabulate the finished runs, list the rest as not run */
  tabulateOnly?: boolean;
  /** also write the experiment's section into this Markdown report (and its key into the JSON beside it) */
  report?: string;
  /** the command line, recorded with the results */
  command?: string;
  /** read attention diagnostics (self vs neighbour weight, gate) from each finished GRASP run */
  diagnostics?: boolean;
}

export type { ExperimentResults };

export interface ExperimentJobResult {
  event: 'result';
  experiment: string;
  output: string;
  resultsJson: string;
  resultsMarkdown: string;
  report?: { markdown: string; json: string };
  trained: number;
  reused: number;
  notRun: number;
  results: ExperimentResults;
}

function planned(experiment: Experiment, params: ExperimentJobParams): Array<{ variant: Experiment['variants'][number]; seed: number }> {
  const unknownVariant = params.variants?.find((name) => !experiment.variants.some((v) => v.name === name));
  if (unknownVariant) throw new Error(`${experiment.file}: no variant "${unknownVariant}" (variants: ${experiment.variants.map((v) => v.name).join(', ')})`);
  const unknownSeed = params.seeds?.find((seed) => !experiment.seeds.includes(seed));
  if (unknownSeed !== undefined)
    throw new Error(`${experiment.file}: seed ${unknownSeed} is not one of the experiment's seeds (${experiment.seeds.join(', ')})`);
  const seeds = experiment.seeds.filter((seed) => !params.seeds || params.seeds.includes(seed));
  const variants = experiment.variants.filter((v) => !params.variants || params.variants.includes(v.name));
  return seeds.flatMap((seed) => variants.map((variant) => ({ variant, seed })));
}

export async function experimentJob(params: ExperimentJobParams, ctx: JobContext): Promise<ExperimentJobResult> {
  const experiment = await loadExperiment(params.configPath);
  // One training experiment per output folder: two would train the same run folders at once. Tabulating
  // only reads finished runs (and writes its files atomically), so it may run beside one.
  const release = params.tabulateOnly ? () => {} : acquireLock(join(experiment.output, '.lock'), `experiment output ${experiment.output}`);
  try {
    const plan = params.tabulateOnly ? [] : planned(experiment, params);
    let trained = 0;
    let reused = 0;
    for (const [index, { variant, seed }] of plan.entries()) {
      throwIfCancelled(ctx);
      const dir = runDir(experiment.output, variant.name, seed);
      const config = seededConfig(variant.config, seed);
      const state = await inspectRun(dir, variant.name, config);
      const label = `${variant.name} seed ${seed} (${index + 1}/${plan.length})`;
      if (state.state === 'finished') {
        reused++;
        ctx.log(`experiment: ${label}: finished earlier, reused (${dir})`);
        continue;
      }
      if (state.state === 'incomplete') ctx.log(`experiment: ${label}: ${dir} has no result (interrupted); resuming it from its last validation`);
      ctx.log(`experiment: ${label}: training → ${dir}`);
      const inner: JobContext = {
        progress: ({ message, fraction }) => ctx.progress({ message: `${label}: ${message ?? ''}`, fraction: (index + (fraction ?? 0)) / plan.length }),
        log: (line) => ctx.log(line),
        // each run's epochs and validations reach the experiment's runner as it takes events (else as log lines)
        event: ctx.event ? (event) => ctx.event?.(event) : undefined,
        isCancelled: () => ctx.isCancelled(),
        // the runs' text side may call an embedding or chat server: the keys the experiment's runner holds
        secret: (name) => ctx.secret?.(name),
      };
      await trainJob({ config, outDir: dir }, inner);
      trained++;
    }
    const results = await tabulate(experiment, params, ctx);
    // Named after the experiment: several experiment files may share one output folder (and so reuse
    // each other's runs, e.g. the 0 % corruption runs of a robustness study are the main runs).
    const resultsJson = join(experiment.output, `${experiment.name}.results.json`);
    const resultsMarkdown = join(experiment.output, `${experiment.name}.results.md`);
    await writeFileAtomic(resultsJson, `${JSON.stringify(results, null, 2)}\n`);
    await writeFileAtomic(resultsMarkdown, renderMarkdown(results));
    const report = params.report ? await writeReport(params.report, results) : undefined;
    ctx.log(`experiment: ${trained} trained, ${reused} reused, ${results.table.notRun.length} not run; results in ${resultsMarkdown}`);
    return {
      event: 'result',
      experiment: experiment.name,
      output: experiment.output,
      resultsJson,
      resultsMarkdown,
      report,
      trained,
      reused,
      notRun: results.table.notRun.length,
      results,
    };
  } finally {
    release();
  }
}

/**
 * The test users of each tail group, from the experiment's dataset as training read it (the groups
 * of the evaluator's head/tail columns). None when the variants read different data: no shared users.
 */
async function tailGroups(experiment: Experiment): Promise<TailGroups | undefined> {
  const data = new Set(experiment.variants.map((variant) => JSON.stringify(variant.config.data)));
  if (data.size !== 1) return undefined;
  const dataset = await loadRunDataset(experiment.variants[0].config);
  const split = leaveOneOut(dataset.sequences);
  const cases = evalCases(split, 'test');
  const { headUser, headItem } = caseGroups(split, cases, trainingPopularity(split, dataset.itemIds.length));
  const users = Array.from(cases.users);
  return { tailUsers: new Set(users.filter((_, i) => !headUser[i])), tailItems: new Set(users.filter((_, i) => !headItem[i])) };
}

/** Reads every finished run of the experiment (whatever this call trained) and builds the table. */
async function tabulate(experiment: Experiment, params: ExperimentJobParams, ctx: JobContext): Promise<ExperimentResults> {
  const runs: FinishedRun[] = [];
  for (const variant of experiment.variants) {
    for (const seed of experiment.seeds) {
      const state = await inspectRun(runDir(experiment.output, variant.name, seed), variant.name, seededConfig(variant.config, seed));
      if (state.state === 'finished') runs.push(state.run);
    }
  }
  const table = buildTable(experiment, runs, experiment.comparisons.length > 0 && runs.length > 0 ? await tailGroups(experiment) : undefined);
  if (params.diagnostics) {
    for (const variant of table.variants) {
      if (experiment.variants.find((v) => v.name === variant.name)?.config.variant !== 'grasp') continue;
      variant.attention = [];
      for (const run of runs.filter((r) => r.variant === variant.name)) {
        throwIfCancelled(ctx);
        ctx.progress({ message: `Attention diagnostics: ${variant.name} seed ${run.seed}` });
        variant.attention.push({ seed: run.seed, ...(await attentionDiagnostics(run.dir, { ...ctx, log: () => {} })) });
      }
    }
  }
  // Run folders relative to the output folder: the results stay readable on another machine.
  for (const variant of table.variants) variant.runs = variant.runs.map((dir) => relative(experiment.output, dir));
  const backends = [
    ...new Set(
      runs.map(
        ({ result }) => `${result.backend}${result.engine?.native ? ` + native ${result.engine.native.blas} (${result.engine.native.threads} threads)` : ''}`,
      ),
    ),
  ];
  return {
    format: 'grasp-experiment/1',
    experiment: experiment.name,
    description: experiment.description,
    command: params.command ?? `grasp experiment --config ${relative(process.cwd(), experiment.file)}`,
    generated: new Date().toISOString(),
    outputLabel: relative(process.cwd(), experiment.output) || '.',
    data: [...new Set(experiment.variants.map((v) => relative(process.cwd(), v.config.data.path)))],
    seeds: experiment.seeds,
    machine: { cpu: cpus()[0]?.model.trim() ?? 'unknown CPU', cores: cpus().length, node: process.version, backends },
    table,
  };
}
