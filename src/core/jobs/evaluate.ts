// `grasp eval --run <dir>`: rebuilds the model from a checkpoint and evaluates it again on the
// dataset named in its config (which must still give the same item ids).
import { leaveOneOut } from '../data/split';
import { loadRunDataset } from '../train/runDataset';
import { initEngine, type BackendChoice } from '../engine/backend';
import type { JobContext } from '../util/jobContext';
import { loadWeights, readManifest } from '../train/checkpoint';
import { evaluateTest, splitMetrics, type SplitMetrics } from '../train/trainRun';
import { testPassArtifacts } from '../train/refreshedUsers';
import { buildModel, prepareText } from '../train/variant';
import { evaluate } from '../eval/evaluator';

export interface EvalJobParams {
  run: string;
  backend?: BackendChoice;
}

export interface EvalJobResult {
  event: 'result';
  run: string;
  backend: string;
  model: string;
  epoch: number;
  metrics: { valid: SplitMetrics; test: SplitMetrics };
}

export async function evalJob(params: EvalJobParams, ctx: JobContext): Promise<EvalJobResult> {
  const manifest = await readManifest(params.run);
  const { config } = manifest;
  const engine = await initEngine({
    backend: params.backend ?? config.engine.backend,
    native: config.engine.native,
    threads: config.engine.threads || undefined,
  });
  const dataset = await loadRunDataset(config, () => ctx.isCancelled());
  if (dataset.itemIds.length !== manifest.numItems || dataset.itemIds.some((id, i) => id !== manifest.itemIds[i])) {
    throw new Error(
      `${config.data.path} no longer gives the item ids this checkpoint was trained with (${dataset.itemIds.length} items now, ${manifest.numItems} then)`,
    );
  }
  const split = leaveOneOut(dataset.sequences);
  const artifacts = await prepareText(config, dataset, split, ctx);
  const { model } = buildModel(config, manifest.numItems, split, artifacts);
  try {
    await loadWeights(params.run, model, manifest);
    const valid = await evaluate(model, split, 'valid', { ...config.eval, sampled: 0 }, ctx);
    const test = await evaluateTest(model, config, split, params.run, ctx, artifacts, await testPassArtifacts(dataset, split, config, artifacts, ctx));
    return {
      event: 'result',
      run: params.run,
      backend: engine.backend,
      model: config.model.kind,
      epoch: manifest.epoch,
      metrics: { valid: splitMetrics(valid), test: splitMetrics(test) },
    };
  } finally {
    model.dispose();
  }
}
