// `grasp train --config`: validates the config, starts the engine, loads the dataset and claims the run
// folder; training the folder's seeds is src/core/train/trainRun.ts's.
import { join, resolve } from 'node:path';
import { leaveOneOut } from '../data/split';
import { loadRunDataset } from '../train/runDataset';
import { initEngine } from '../engine/backend';
import { reportEvent, type JobContext } from '../util/jobContext';
import { writeFileAtomic } from '../util/atomicWrite';
import { ConfigError, loadConfig, validateConfig } from '../train/config';
import { claimRunFolder, RUN_FILES } from '../train/runFolder';
import { trainInFolder, type SplitMetrics, type TrainJobResult } from '../train/trainRun';

export type { SplitMetrics, TrainJobResult };

/** Largest item embedding table a run may ask for (weights, gradients and two Adam moments come on top). */
const MAX_ITEM_TABLE_BYTES = 2 * 2 ** 30;

export interface TrainJobParams {
  /** the run's JSON config file */
  configPath?: string;
  /** or the config itself (validated the same way) */
  config?: unknown;
  /** run folder (default .grasp/runs/<time>-<model>-<dataset> under the current folder) */
  outDir?: string;
  /** replace a finished run, or a run of another config, in outDir (otherwise refused) */
  overwrite?: boolean;
}

export async function trainJob(params: TrainJobParams, ctx: JobContext): Promise<TrainJobResult> {
  const config = params.configPath ? await loadConfig(params.configPath) : validateConfig(params.config, '<config>');
  const engine = await initEngine({ backend: config.engine.backend, threads: config.engine.threads || undefined, native: config.engine.native });
  reportEvent(ctx, {
    event: 'engine',
    description: `${engine.backend}${engine.native ? ` + native kernels, ${engine.native.blas}, ${engine.native.threads} thread(s)` : ''}${engine.fallbacks.length ? ` (skipped ${engine.fallbacks.join('; ')})` : ''}`,
  });
  ctx.progress({ message: `Loading ${config.data.path}` });
  const dataset = await loadRunDataset(config, () => ctx.isCancelled());
  const split = leaveOneOut(dataset.sequences);
  // the item table alone, before the folder is written: a size no machine here holds is a config error
  const tableBytes = 4 * (dataset.itemIds.length + 2) * config.model.d;
  if (tableBytes > MAX_ITEM_TABLE_BYTES)
    throw new ConfigError(
      params.configPath ?? '<config>',
      'model.d',
      `× ${dataset.itemIds.length} items needs ${(tableBytes / 2 ** 30).toFixed(1)} GiB for the item table alone (at most ${MAX_ITEM_TABLE_BYTES / 2 ** 30} GiB): lower model.d`,
    );
  const runDir = resolve(
    params.outDir ?? join('.grasp', 'runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${config.name ?? config.model.kind}-${dataset.name}`),
  );
  const folder = await claimRunFolder(runDir, config, { overwrite: params.overwrite });
  try {
    if (folder.use === 'resume') ctx.log(`run folder ${runDir}: an unfinished run of this config, resumed`);
    else await writeFileAtomic(join(runDir, RUN_FILES.config), `${JSON.stringify(config, null, 2)}\n`);
    return await trainInFolder(config, dataset, split, engine, runDir, ctx);
  } finally {
    folder.release();
  }
}
