// Reading run folders without loading the engine: what the runs list, the dashboard of a finished run,
// Compare Runs and the dataset → GRASP run lookup need. One reader, so the file names (RUN_FILES) and the
// two shapes of metrics.json (one seed: `{event:'result', …, metrics:{valid,test}, history}`; several:
// `{seeds, test, runs}` with each seed's history in its seed-<n>/ folder) are interpreted in one place.
// Everything read here is a file a person may edit: every field is checked before it is used.
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { canonicalInteractions } from '../data/cachePaths';
import { isAlive } from '../util/lock';
import { RUN_FILES } from './runFolder';
import type { TrainEvent } from './trainer';

/** finished: metrics.json is there; training: a live process holds the folder's lock; interrupted: a resume point, nobody training; incomplete: neither. */
export type RunStatus = 'finished' | 'training' | 'interrupted' | 'incomplete';

export interface RunInfo {
  dir: string;
  /** The folder's own name (often `<time>-<label>`). */
  folder: string;
  /** The config's `name`, else the folder name without its time prefix: what a person calls the run. */
  name: string;
  status: RunStatus;
  model?: string;
  /** plain, grasp, llm-init, llm-esr ("plain" for configs from before variants). */
  variant: string;
  /** The config's data.path (absolute once the run started). */
  dataPath?: string;
  /** The canonical interactions file of data.path (the dataset's identity); undefined when it resolves to none now. */
  interactions?: string;
  /** ISO times: the config written (the run's start) and metrics.json written (its end). */
  startedAt?: string;
  endedAt?: string;
  /** Test metrics (full ranking) of the best epoch; the mean over seeds for a several-seed run. */
  test?: Record<string, number>;
  bestEpoch?: number;
  seeds?: number[];
  backend?: string;
  /** The folder holding the best checkpoint (the run's, or its first seed's), when there is one. */
  checkpointDir?: string;
}

/** Training events of a run: `epoch` (loss, epoch_s, sequences_per_s) and `eval` (validation metrics, eval_s). */
export type RunHistoryEvent = Extract<TrainEvent, { event: 'epoch' | 'eval' }>;

export interface RunDetails extends RunInfo {
  /** The epoch budget of the config. */
  epochs?: number;
  /** From metrics.json (finished), else from log.jsonl (a run still training or interrupted); the first seed's for several. */
  history: RunHistoryEvent[];
  /** A note for the reader, e.g. which seed's curves are shown. */
  note?: string;
  /** The config's wall-time budget in minutes, when it has one (train.maxMinutes > 0). */
  maxMinutes?: number;
  /** Why the history's training ended before its epoch budget: the trainer's early_stop or time_budget event. */
  stop?: { reason: 'early_stop' | 'time_budget'; epoch: number; bestEpoch: number; minutes?: number };
}

const TIME_PREFIX = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(-\d{3})?Z?-/;

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function numbers(value: unknown): Record<string, number> | undefined {
  const o = object(value);
  if (!o) return undefined;
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(o)) if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

async function readJson(file: string): Promise<Json | undefined> {
  try {
    return object(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return undefined;
  }
}

async function mtime(file: string): Promise<string | undefined> {
  return stat(file).then(
    (s) => s.mtime.toISOString(),
    () => undefined,
  );
}

/** A lock file holding the pid of a live process: someone is training in this folder now. */
function lockedByLiveProcess(dir: string): boolean {
  try {
    const owner = Number(readFileSync(join(dir, RUN_FILES.lock), 'utf8').trim());
    return Number.isInteger(owner) && owner > 0 && isAlive(owner);
  } catch {
    return false;
  }
}

/** The display name of a run folder: the config's name, else the folder name without its time prefix. */
export function runName(folder: string, configName?: unknown): string {
  if (typeof configName === 'string' && configName.trim() !== '') return configName;
  return folder.replace(TIME_PREFIX, '') || folder;
}

function historyEvents(value: unknown): RunHistoryEvent[] {
  if (!Array.isArray(value)) return [];
  const out: RunHistoryEvent[] = [];
  for (const item of value) {
    const e = object(item);
    if (!e || typeof e.epoch !== 'number') continue;
    if (e.event === 'epoch' && typeof e.loss === 'number') out.push(e as unknown as RunHistoryEvent);
    else if (e.event === 'eval' && numbers(e.valid)) out.push({ ...(e as unknown as RunHistoryEvent), valid: numbers(e.valid)! } as RunHistoryEvent);
  }
  return out;
}

/** Test metrics of a metrics.json: `metrics.test.full` (one seed) or the `test` summary's means (`full.<metric>`). */
function testMetrics(metrics: Json): Record<string, number> | undefined {
  const single = numbers(object(object(object(metrics.metrics)?.test)?.full));
  if (single) return single;
  const summary = object(metrics.test);
  if (!summary) return undefined;
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(summary)) {
    const mean = object(value)?.mean;
    if (typeof mean === 'number' && Number.isFinite(mean)) out[key.replace(/^full\./, '')] = mean;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function seedFolders(dir: string, metrics: Json | undefined): string[] {
  const runs = Array.isArray(metrics?.runs) ? (metrics.runs as unknown[]) : [];
  const listed = runs.map((r) => object(r)?.run).filter((r): r is string => typeof r === 'string');
  if (listed.length > 0) return listed;
  const seeds = Array.isArray(metrics?.seeds) ? (metrics.seeds as unknown[]).filter((s): s is number => typeof s === 'number') : [];
  return seeds.map((seed) => join(dir, `seed-${seed}`));
}

/** A run folder's summary, or undefined when the folder holds no run config. */
export async function readRun(dir: string): Promise<RunInfo | undefined> {
  const config = await readJson(join(dir, RUN_FILES.config));
  if (!config) return undefined;
  const folder = basename(dir);
  const metrics = await readJson(join(dir, RUN_FILES.metrics));
  const dataPath = typeof object(config.data)?.path === 'string' ? (object(config.data)!.path as string) : undefined;
  const status: RunStatus = metrics
    ? 'finished'
    : lockedByLiveProcess(dir)
      ? 'training'
      : existsSync(join(dir, RUN_FILES.resume))
        ? 'interrupted'
        : 'incomplete';
  const seeds = Array.isArray(metrics?.seeds)
    ? (metrics.seeds as unknown[]).filter((s): s is number => typeof s === 'number')
    : typeof metrics?.seed === 'number'
      ? [metrics.seed]
      : undefined;
  const checkpointDir = [dir, ...seedFolders(dir, metrics)].find((candidate) => existsSync(join(candidate, RUN_FILES.checkpoint)));
  const firstSeed = object(Array.isArray(metrics?.runs) ? (metrics.runs as unknown[])[0] : undefined);
  return {
    dir,
    folder,
    name: runName(folder, config.name),
    status,
    model: typeof object(config.model)?.kind === 'string' ? (object(config.model)!.kind as string) : undefined,
    variant: typeof config.variant === 'string' ? config.variant : 'plain',
    dataPath,
    interactions: dataPath ? canonicalInteractions(dataPath) : undefined,
    startedAt: await mtime(join(dir, RUN_FILES.config)),
    endedAt: metrics ? await mtime(join(dir, RUN_FILES.metrics)) : undefined,
    test: metrics ? testMetrics(metrics) : undefined,
    bestEpoch: typeof metrics?.best_epoch === 'number' ? metrics.best_epoch : typeof firstSeed?.best_epoch === 'number' ? firstSeed.best_epoch : undefined,
    seeds,
    backend: typeof metrics?.backend === 'string' ? metrics.backend : typeof firstSeed?.backend === 'string' ? firstSeed.backend : undefined,
    checkpointDir,
  };
}

/** The last early_stop / time_budget event of a history (several in a row would be several seeds'). */
function stopEvent(value: unknown): RunDetails['stop'] {
  if (!Array.isArray(value)) return undefined;
  for (let i = value.length - 1; i >= 0; i--) {
    const e = object(value[i]);
    if (!e || typeof e.epoch !== 'number' || typeof e.best_epoch !== 'number') continue;
    if (e.event === 'early_stop') return { reason: 'early_stop', epoch: e.epoch, bestEpoch: e.best_epoch };
    if (e.event === 'time_budget')
      return { reason: 'time_budget', epoch: e.epoch, bestEpoch: e.best_epoch, ...(typeof e.minutes === 'number' ? { minutes: e.minutes } : {}) };
  }
  return undefined;
}

/** The log's events as written (a run still training, or stopped before metrics.json). */
async function logEvents(dir: string): Promise<unknown[]> {
  const text = await readFile(join(dir, RUN_FILES.log), 'utf8').catch(() => '');
  const events: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line));
    } catch {
      // a torn last line while the run writes
    }
  }
  return events;
}

/** A run's summary with its training history, for the dashboard and Compare Runs' curves. */
export async function readRunDetails(dir: string): Promise<RunDetails | undefined> {
  const info = await readRun(dir);
  if (!info) return undefined;
  const config = await readJson(join(dir, RUN_FILES.config));
  const epochs = object(config?.train)?.epochs;
  const maxMinutes = object(config?.train)?.maxMinutes;
  const metrics = await readJson(join(dir, RUN_FILES.metrics));
  // The events as recorded: the history keeps epochs and evaluations, the stop event is read beside them.
  let events: unknown = metrics?.history;
  let history = historyEvents(events);
  let note: string | undefined;
  const seeds = seedFolders(dir, metrics);
  if (history.length === 0 && seeds.length > 0) {
    const first = await readJson(join(seeds[0], RUN_FILES.metrics));
    events = first?.history;
    history = historyEvents(events);
    if (history.length === 0) history = historyEvents((events = await logEvents(seeds[0])));
    note = `curves of the first seed (${basename(seeds[0])}) of ${seeds.length}`;
  }
  if (history.length === 0 && !metrics) history = historyEvents((events = await logEvents(dir)));
  const stop = stopEvent(events);
  return {
    ...info,
    epochs: typeof epochs === 'number' ? epochs : undefined,
    ...(typeof maxMinutes === 'number' && maxMinutes > 0 ? { maxMinutes } : {}),
    history,
    note,
    ...(stop ? { stop } : {}),
  };
}

/** Every run under the given runs folders (missing folders are skipped), newest first. */
export async function listRuns(runsDirs: readonly string[]): Promise<RunInfo[]> {
  const runs: RunInfo[] = [];
  const seen = new Set<string>();
  for (const runsDir of runsDirs) {
    const names = await readdir(runsDir).catch(() => [] as string[]);
    for (const name of names) {
      const dir = join(runsDir, name);
      if (seen.has(dir)) continue;
      seen.add(dir);
      const run = await readRun(dir);
      if (run) runs.push(run);
    }
  }
  return runs.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || b.folder.localeCompare(a.folder));
}

/**
 * The newest GRASP run (with a checkpoint) trained on this dataset, matched by identity: the canonical
 * interactions file of the run's data.path is the dataset's (never by folder names, which two datasets
 * can share). Returns the folder holding the checkpoint.
 */
export async function findGraspRunFor(datasetPath: string, runsDirs: readonly string[]): Promise<string | undefined> {
  const identity = canonicalInteractions(datasetPath);
  if (!identity) return undefined;
  const found: Array<{ dir: string; time: number }> = [];
  for (const run of await listRuns(runsDirs)) {
    if (run.variant !== 'grasp' || run.interactions !== identity || !run.checkpointDir) continue;
    const time = await stat(join(run.checkpointDir, RUN_FILES.checkpoint)).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    found.push({ dir: run.checkpointDir, time });
  }
  return found.sort((a, b) => b.time - a.time)[0]?.dir;
}
