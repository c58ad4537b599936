// The optional parts of the neighbours view: hallucination flags (src/core/hallucination) and GRASP
// attention weights (a GRASP run's checkpoint). Each says plainly when it is not available, so the view
// shows the reason rather than empty or invented numbers.
import type { Dataset, Split } from '../data/types';
import { loadDescriptions } from '../hallucination/descriptions';
import { detect } from '../hallucination/detect';
import type { Entity } from '../llm/schema';
import { synthesisCacheFile } from '../llm/synthesize';
import { RUN_FILES } from '../train/runFolder';
import { findGraspRun } from '../train/graspRuns';
import type { AttentionExplainer } from '../train/attention';
import type { JobContext } from '../util/jobContext';
import type { NeighboursJobParams } from './neighbours';
import { fileStamp, WarmCache } from '../util/warmCache';
import { join } from 'node:path';

export interface InspectJobParams extends NeighboursJobParams {
  /** A GRASP run folder whose checkpoint gives attention weights; default: the newest GRASP run found. */
  run?: string;
  /**
   * Runs folders to look for GRASP runs of this dataset in, besides `<cache root>/runs` (the editor passes
   * each workspace folder's `.grasp/runs`: a dataset's caches and its runs can live under different roots).
   */
  runsDirs?: string[];
}

export type OptionalSource = { available: true } | { available: false; reason: string };

export interface FlagInfo {
  /** Risk score in [0, 1]; higher is more likely hallucinated. */
  score: number;
  reasons: string[];
}

export interface AttentionCandidate {
  id: string;
  weight: number;
  /** Untrusted dataset text. */
  label: string;
}

export interface AttentionInfo {
  status: OptionalSource;
  run?: string;
  /** Weight the model kept on the entity itself (GRASP attends over {i} ∪ N(i)). */
  self?: number;
  /** Every neighbour the model attended over, in its slot order (its own retrieval). */
  candidates?: AttentionCandidate[];
  byId?: Map<string, number>;
}

/**
 * Flag scores of the shown rows only, from the claim checks (contradicted or unsupported by the metadata):
 * the collaborative signal needs the whole catalogue, which the review view's flag job scores.
 */
export async function flagsFor(
  dataset: Dataset,
  split: Split,
  datasetCacheDir: string,
  entity: Entity,
  rows: number[],
): Promise<{ status: OptionalSource; byId?: Map<string, FlagInfo> }> {
  // Kept per dataset object (the warm cache's, while its files are unchanged) and synthesis file state.
  const loaded = await warmDescriptions.get(
    `${datasetCacheDir}\u0000${entity}`,
    `${datasetStamp(dataset)}#${fileStamp([synthesisCacheFile(datasetCacheDir, entity)])}`,
    () => loadDescriptions(dataset, split, datasetCacheDir, entity),
  );
  const records = detect({
    entity,
    ids: rows.map((r) => loaded.ids[r]),
    inputs: rows.map((r) => loaded.inputs[r]),
    outputs: rows.map((r) => loaded.outputs[r]),
  });
  const byId = new Map(records.map((record) => [record.id, { score: record.risk, reasons: record.reasons.map((reason) => reason.message) }]));
  return { status: { available: true }, byId };
}

/**
 * The weights a GRASP run learned for this entity's neighbours. The model attends over its own retrieved
 * candidates (built from its own text settings), so the full candidate list is returned beside the weights
 * of the neighbours the index shows. TensorFlow.js is loaded only when there is a checkpoint to read.
 */
export async function attentionFor(params: InspectJobParams, runsDirs: string[], ctx: JobContext): Promise<AttentionInfo> {
  const run = params.run ?? (await findGraspRun(params.dataset, runsDirs));
  if (!run)
    return { status: { available: false, reason: 'no GRASP run on this dataset yet (Train Model with GRASP on); the weights come from its checkpoint.' } };
  try {
    ctx.progress({ message: 'Reading attention weights from the GRASP checkpoint', fraction: 0.85 });
    // Opened once per checkpoint and kept while it is unchanged: each further id is one forward pass.
    const explainer = await warmExplainers.get(run, fileStamp([join(run, RUN_FILES.checkpoint)]), async () => {
      const { openAttention } = await import('../train/attention');
      return openAttention(run);
    });
    const explained = explainer.explain(params.entity === 'item' ? { item: params.id } : { user: params.id });
    if (explained.note) return { run, status: { available: false, reason: explained.note } };
    const self = explained.neighbours.find((n) => n.self)?.weight;
    const candidates = explained.neighbours.filter((n) => !n.self).map((n) => ({ id: n.id, weight: n.weight, label: n.label }));
    return { run, self, candidates, byId: new Map(candidates.map((c) => [c.id, c.weight])), status: { available: true } };
  } catch (error) {
    return { run, status: { available: false, reason: `the GRASP checkpoint in ${run} could not be read: ${(error as Error).message}` } };
  }
}

const warmDescriptions = new WarmCache<Awaited<ReturnType<typeof loadDescriptions>>>(4);
/** Two open checkpoints at most (each holds a model); an evicted one frees its tensors. */
const warmExplainers = new WarmCache<AttentionExplainer>(2, (explainer) => explainer.dispose());
const datasetIds = new WeakMap<Dataset, number>();
let nextDatasetId = 1;

/** Identifies a loaded dataset object: a reload (changed files) is another object, so another stamp. */
function datasetStamp(dataset: Dataset): string {
  let id = datasetIds.get(dataset);
  if (id === undefined) datasetIds.set(dataset, (id = nextDatasetId++));
  return `dataset-${id}`;
}
