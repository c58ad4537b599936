import type { DatasetStats, LoadOptions } from '../data/types';
import type { JobContext } from './context';

export interface StatsJobParams {
  /** A dataset file or folder. */
  path: string;
  options?: Omit<LoadOptions, 'onProgress' | 'isCancelled'>;
}

/** Loads a dataset (streaming, with progress by bytes read) and computes its statistics. */
export async function statsJob(_params: StatsJobParams, _ctx: JobContext): Promise<DatasetStats> {
  throw new Error('statsJob: being implemented (core/data)');
}
