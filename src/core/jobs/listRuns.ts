// The runs the editor lists: summaries of every run folder (the side bar, the pickers). Read-only, and
// without the engine: quick enough for the long-lived worker to answer while a training runs in another.
import { listRuns, type RunInfo } from '../train/runReader';
import type { JobContext } from '../util/jobContext';

export type { RunInfo };

export interface ListRunsJobParams {
  /** Runs folders, e.g. each workspace folder's `.grasp/runs`; missing ones are skipped. */
  runsDirs: string[];
}

export interface ListRunsJobResult {
  /** Newest first. */
  runs: RunInfo[];
}

export async function listRunsJob(params: ListRunsJobParams, _ctx: JobContext): Promise<ListRunsJobResult> {
  return { runs: await listRuns(params.runsDirs) };
}
