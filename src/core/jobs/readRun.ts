// One run with its history (a finished run's dashboard). Read-only, and without the engine: quick enough
// for the long-lived worker to answer while a training runs in another.
import { ConfigError } from '../util/errors';
import { readRunDetails, type RunDetails } from '../train/runReader';
import type { JobContext } from '../util/jobContext';

export type { RunDetails };

export interface ReadRunJobParams {
  run: string;
}

export async function readRunJob(params: ReadRunJobParams, _ctx: JobContext): Promise<RunDetails> {
  const details = await readRunDetails(params.run);
  if (!details) throw new ConfigError(`${params.run} is not a run folder (it has no readable config.json)`);
  return details;
}
