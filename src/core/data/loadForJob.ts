import { loadDataset } from './load';
import type { Dataset, LoadOptions } from './types';
import type { JobContext } from '../util/jobContext';

/** Dataset loading options as plain JSON (what a job's params can carry). */
export type DatasetLoadParams = Omit<LoadOptions, 'onProgress' | 'isCancelled'>;

/** Loads a dataset for a job, reporting progress in the first `share` of the job's bar. */
export function loadForJob(path: string, options: DatasetLoadParams | undefined, ctx: JobContext, share = 0.1): Promise<Dataset> {
  ctx.progress({ message: `Reading ${path}`, fraction: 0 });
  return loadDataset(path, {
    ...options,
    onProgress: (read, total) => ctx.progress({ message: 'Reading interactions', fraction: total === 0 ? share : (share * read) / total }),
    isCancelled: () => ctx.isCancelled(),
  });
}
