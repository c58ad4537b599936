// The dataset a run config names, read the way training read it: the one place that turns a config's
// data section into loadDataset's options, so eval, export and the diagnostics see the run's own users and items.
import { loadDataset } from '../data/load';
import type { Dataset } from '../data/types';
import type { RunConfig } from './config';

/** The dataset of a run config, with its format, duplicate policy and k-core filters. */
export function loadRunDataset(config: RunConfig, isCancelled?: () => boolean): Promise<Dataset> {
  const { path, format, duplicates, userCore, itemCore } = config.data;
  return loadDataset(path, { format, duplicates, userCore, itemCore, isCancelled });
}
