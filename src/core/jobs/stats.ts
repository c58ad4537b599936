import { computeStats } from '../data/stats';
import { loadDataset } from '../data/load';
import type { DatasetStats, LoadOptions } from '../data/types';
import type { JobContext } from '../util/jobContext';

export interface StatsJobParams {
  /** A dataset file or folder. */
  path: string;
  options?: Omit<LoadOptions, 'onProgress' | 'isCancelled'>;
}

/** Loads a dataset (streaming, with progress by bytes read) and computes its statistics. */
export async function statsJob(params: StatsJobParams, ctx: JobContext): Promise<DatasetStats> {
  ctx.progress({ message: `Reading ${params.path}`, fraction: 0 });
  const dataset = await loadDataset(params.path, {
    ...params.options,
    onProgress: (read, total) => ctx.progress({ message: 'Reading interactions', fraction: total === 0 ? 1 : (0.9 * read) / total }),
    isCancelled: () => ctx.isCancelled(),
  });
  ctx.progress({ message: 'Computing statistics', fraction: 0.95 });
  const stats = computeStats(dataset);
  ctx.log(`${stats.name}: ${stats.users} users, ${stats.items} items, ${stats.interactions} interactions (${stats.format})`);
  return stats;
}
