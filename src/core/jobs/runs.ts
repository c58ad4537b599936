// The runs the editor lists and shows: summaries of every run folder (the side bar, the pickers) and one
// run with its history (a finished run's dashboard). Read-only, and without the engine: quick enough for
// the long-lived worker to answer while a training runs in another.
import { ConfigError } from '../util/errors';
import { listRuns, readRunDetails, type RunDetails, type RunInfo } from '../train/runReader';
import type { JobContext } from './context';

export type { RunDetails, RunInfo };

export interface ListRunsJobParams {
  /** Runs folders, e.g. each workspace folder's `.grasp/runs`; missing ones are skipped. */
  runsDirs: string[];
}

export interface ListRunsJobResult {
  /** Newest first. */
  runs: RunInfo[];
}

export interface ReadRunJobParams {
  run: string;
}

export async function listRunsJob(params: ListRunsJobParams, _ctx: JobContext): Promise<ListRunsJobResult> {
  return { runs: await listRuns(params.runsDirs) };
}

export async function readRunJob(params: ReadRunJobParams, _ctx: JobContext): Promise<RunDetails> {
  const details = await readRunDetails(params.run);
  if (!details) throw new ConfigError(`${params.run} is not a run folder (it has no readable config.json)`);
  return details;
}
