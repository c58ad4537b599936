// The run folder: which files make one, and who may write into it. A folder holds exactly one run:
// it is locked while a run writes it; a folder of an unfinished run with the same config is resumed;
// a finished run or a run of another config is replaced only when asked (overwrite); a folder that
// is not a run folder at all is never written into.
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../util/errors';
import { firstDifference } from '../util/jsonCompare';
import { acquireLock } from '../util/lock';
import { CHECKPOINT_FILE } from './checkpoint';
import { effectiveConfig, validateStoredConfig, type RunConfig } from './config';
import { RESUME_FILE, RESUME_STATE } from './resume';

export const RUN_FILES = {
  config: 'config.json',
  log: 'log.jsonl',
  metrics: 'metrics.json',
  ranks: 'ranks.json',
  checkpoint: CHECKPOINT_FILE,
  resume: RESUME_FILE,
  annotations: 'annotations.json',
  /** the run's own verdicts (grasp.review.simulated), in the annotations-file format; never the workspace's file */
  reviewAnnotations: 'review.annotations.jsonl',
  corruption: 'corruption.json',
  lock: '.lock',
} as const;

const WEIGHTS = /^weights-e\d+-[a-z0-9]+\.bin$/;
const TEMPORARY = /\.tmp-\d+-[a-z0-9]+$/;
const SEED_FOLDER = /^seed-\d+$/;
const KNOWN = new Set<string>(Object.values(RUN_FILES));

/** A file or folder a run writes (anything else in a run folder is someone else's and is never removed). */
function isRunEntry(dir: string, name: string): boolean {
  if (KNOWN.has(name) || WEIGHTS.test(name) || RESUME_STATE.test(name) || TEMPORARY.test(name)) return true;
  return SEED_FOLDER.test(name) && statSync(join(dir, name)).isDirectory() && readdirSync(join(dir, name)).every((entry) => isRunEntry(join(dir, name), entry));
}

export type RunFolderUse = 'new' | 'resume';

export interface ClaimedRunFolder {
  use: RunFolderUse;
  release: () => void;
}

/**
 * Locks `dir` for one run of `config` and says whether it starts afresh or resumes. Refuses, before
 * anything is written: a folder locked by a live process; a folder holding files no run writes; a
 * finished run, or a run of another config, unless `overwrite` (which removes that run's files only).
 */
export async function claimRunFolder(dir: string, config: RunConfig, options: { overwrite?: boolean } = {}): Promise<ClaimedRunFolder> {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConfigError(`${dir} is a file, not a run folder: choose another --out`);
  const foreign = existsSync(dir) ? readdirSync(dir).filter((name) => !isRunEntry(dir, name)) : [];
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, … (${foreign.length} entries)` : '');
    throw new ConfigError(`${dir} is not a run folder (it holds ${shown}): choose an empty or new folder for --out`);
  }
  mkdirSync(dir, { recursive: true });
  const release = acquireLock(join(dir, RUN_FILES.lock), `the run folder ${dir}`);
  try {
    const held = await heldRun(dir, config);
    if (held === 'none') return { use: 'new', release };
    if (held === 'same-unfinished' && !options.overwrite) return { use: 'resume', release };
    if (!options.overwrite) {
      const what = typeof held === 'object' ? `a run of another config (${held.difference} differs)` : 'a finished run of this config';
      throw new ConfigError(`${dir} holds ${what}: pass --overwrite to replace it, or choose another --out`);
    }
    removeRunFiles(dir);
    return { use: 'new', release };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * The config with its data and cache folders as real paths: a run trained through another checkout (a
 * worktree whose .grasp is a link to this one's) names the same folders by other paths, and is the same run.
 */
function withRealPaths(config: RunConfig): RunConfig {
  const real = (path: string): string => (existsSync(path) ? realpathSync(path) : path);
  const copy = structuredClone(config);
  copy.data.path = real(copy.data.path);
  if (copy.grasp?.cacheDir) copy.grasp.cacheDir = real(copy.grasp.cacheDir);
  return copy;
}

/** The first setting in which two run configs differ (undefined: the same run), folders compared as real paths. */
export function configDifference(a: RunConfig, b: RunConfig): string | undefined {
  return firstDifference(effectiveConfig(withRealPaths(a)), effectiveConfig(withRealPaths(b)));
}

type HeldRun = 'none' | 'same-unfinished' | 'same-finished' | { difference: string };

async function heldRun(dir: string, config: RunConfig): Promise<HeldRun> {
  const entries = readdirSync(dir).filter((name) => name !== RUN_FILES.lock && !TEMPORARY.test(name));
  if (entries.length === 0) return 'none';
  const configFile = join(dir, RUN_FILES.config);
  let stored: RunConfig;
  try {
    stored = validateStoredConfig(JSON.parse(await readFile(configFile, 'utf8')), configFile);
  } catch {
    // run files without a readable config (a run killed while starting, or a damaged one): another run
    return { difference: RUN_FILES.config };
  }
  const difference = configDifference(stored, config);
  if (difference !== undefined) return { difference };
  return existsSync(join(dir, RUN_FILES.metrics)) ? 'same-finished' : 'same-unfinished';
}

/** Removes every file a run writes (never anything else), so the next run starts in a clean folder. */
function removeRunFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name === RUN_FILES.lock) continue;
    if (isRunEntry(dir, name)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** A run restarting from nothing in its own folder: the files an earlier attempt left (no resume point yet). */
export function clearAttempt(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    // the run's text-side records are written by this attempt before its seeds train (and rewritten by every attempt)
    if (
      name === RUN_FILES.lock ||
      name === RUN_FILES.config ||
      name === RUN_FILES.annotations ||
      name === RUN_FILES.corruption ||
      name === RUN_FILES.reviewAnnotations
    )
      continue;
    if (isRunEntry(dir, name)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}
