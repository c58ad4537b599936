// One experiment run = one normal single-seed run folder, <output>/runs/<variant>/seed-<seed>. A folder
// with metrics.json + ranks.json is finished and reused as it is; a folder without them is what a crash
// or a cancel left, and the training job resumes it from its last resume point (runFolder.ts).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainJobResult } from '../train/trainRun';
import { checkGraspModule, validateStoredConfig, type RunConfig } from '../train/config';
import type { UserRanks } from './stats';
import { configDifference, RUN_FILES } from '../train/runFolder';

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

export type RunState = { state: 'finished'; run: FinishedRun } | { state: 'incomplete' } | { state: 'absent' };

/**
 * What a run folder holds. A finished run trained with another config is an error, not a reuse: its
 * numbers would be reported under a variant that no longer describes them. The stored config is
 * validated again first, so settings added to the schema since (with their defaults) do not count as a change.
 */
export async function inspectRun(dir: string, variant: string, expected: RunConfig): Promise<RunState> {
  if (!existsSync(dir)) return { state: 'absent' };
  const metricsFile = join(dir, RUN_FILES.metrics);
  const ranksFile = join(dir, RUN_FILES.ranks);
  if (!existsSync(metricsFile) || !existsSync(ranksFile)) return { state: 'incomplete' };
  const result = JSON.parse(await readFile(metricsFile, 'utf8')) as TrainJobResult;
  if (result.event !== 'result') return { state: 'incomplete' };
  const raw = JSON.parse(await readFile(join(dir, RUN_FILES.config), 'utf8')) as { variant?: unknown; grasp?: unknown };
  checkGraspModule(raw, dir);
  const stored = validateStoredConfig(raw, join(dir, RUN_FILES.config));
  const difference = configDifference(stored, expected);
  if (difference !== undefined) {
    throw new Error(
      `${dir} holds a finished run of "${variant}" with another config (${difference} differs): move that folder away, or give the experiment another "output"`,
    );
  }
  const ranks = JSON.parse(await readFile(ranksFile, 'utf8')) as { users: number[]; ranks: number[] };
  return { state: 'finished', run: { variant, seed: expected.train.seed, dir, result, ranks: { users: ranks.users, ranks: ranks.ranks } } };
}
