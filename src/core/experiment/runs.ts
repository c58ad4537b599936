// One experiment run = one normal single-seed run folder, <output>/runs/<variant>/seed-<seed>. A folder
// with metrics.json + ranks.json is finished and reused as it is; a folder without them is what a crash
// or a cancel left, and is trained again from the start (the trainer cannot resume mid-run).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainJobResult } from '../train/job';
import { checkGraspModule, validateConfig, type RunConfig } from '../train/config';
import type { UserRanks } from './stats';

export interface FinishedRun {
  variant: string;
  seed: number;
  dir: string;
  result: TrainJobResult;
  ranks: UserRanks;
}

export function runDir(output: string, variant: string, seed: number): string {
  return join(output, 'runs', variant, `seed-${seed}`);
}

/** The config a variant's run with this seed trains with. */
export function seededConfig(config: RunConfig, seed: number): RunConfig {
  const copy = structuredClone(config);
  copy.train.seed = seed;
  delete copy.train.seeds;
  return copy;
}

/** JSON with sorted keys, so two configs compare by content, not by key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** First dotted path where two JSON values differ, for an error a person can act on. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (canonical(a) === canonical(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of [...keys].sort()) {
      const found = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
  }
  return path || '(whole config)';
}

export type RunState = { state: 'finished'; run: FinishedRun } | { state: 'incomplete' } | { state: 'absent' };

/**
 * What a run folder holds. A finished run trained with another config is an error, not a reuse: its
 * numbers would be reported under a variant that no longer describes them. The stored config is
 * validated again first, so settings added to the schema since (with their defaults) do not count as a change.
 */
export async function inspectRun(dir: string, variant: string, expected: RunConfig): Promise<RunState> {
  if (!existsSync(dir)) return { state: 'absent' };
  const metricsFile = join(dir, 'metrics.json');
  const ranksFile = join(dir, 'ranks.json');
  if (!existsSync(metricsFile) || !existsSync(ranksFile)) return { state: 'incomplete' };
  const result = JSON.parse(await readFile(metricsFile, 'utf8')) as TrainJobResult;
  if (result.event !== 'result') return { state: 'incomplete' };
  const raw = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { variant?: unknown; grasp?: unknown };
  checkGraspModule(raw, dir);
  const stored = validateConfig(raw, join(dir, 'config.json'));
  const difference = firstDifference(stored, expected);
  if (difference !== undefined) {
    throw new Error(`${dir} holds a finished run of "${variant}" with another config (${difference} differs): move that folder away, or give the experiment another "output"`);
  }
  const ranks = JSON.parse(await readFile(ranksFile, 'utf8')) as { users: number[]; ranks: number[] };
  return { state: 'finished', run: { variant, seed: expected.train.seed, dir, result, ranks: { users: ranks.users, ranks: ranks.ranks } } };
}
