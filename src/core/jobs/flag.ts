import { join } from 'node:path';
import { leaveOneOut } from '../data/split';
import type { JobContext } from '../util/jobContext';
import { loadForJob, type DatasetLoadParams } from '../data/loadForJob';
import { findGraspRun } from '../train/graspRuns';
import { entityLabel } from '../retrieval/labels';
import { cachePaths } from '../data/cachePaths';
import { cacheRoot } from '../util/workspace';
import { defaultAnnotationsPath, latestAnnotations, readAnnotations } from '../hallucination/annotations';
import { loadDescriptions } from '../hallucination/descriptions';
import { detect, detectorConfig, riskiestFirst, type DetectInput } from '../hallucination/detect';
import { evaluateFlags, type DetectorEvaluation } from '../hallucination/evaluate';
import type { DetectorConfig, FlagEntity, FlagRecord, SignalName } from '../hallucination/types';

/** Which dataset, texts and annotations file a flag or annotate job reads. */
export interface DatasetParams {
  dataset: string;
  load?: DatasetLoadParams;
  cacheDir?: string;
  entity?: FlagEntity;
  /** Which synthesis: as `grasp embed --texts` (`auto`, `provider[:model]`), or `metadata-only`. */
  texts?: string;
  /** The annotations file (default `<workspace>/grasp.annotations.jsonl`). */
  annotations?: string;
}

export interface FlagJobParams extends DatasetParams {
  /** Return the N riskiest records (default 20; 0 = all). */
  top?: number;
  /** The GRASP run whose attention gives the model-distrust signal (default: the dataset's newest; null: none). */
  run?: string | null;
  /** Runs folders to look for the dataset's GRASP runs in, besides `<cache root>/runs` (e.g. each workspace folder's `.grasp/runs`). */
  runsDirs?: string[];
  detector?: Partial<DetectorConfig>;
}

export interface FlagJobResult {
  entity: FlagEntity;
  total: number;
  flagged: number;
  config: DetectorConfig;
  source: string;
  /** Signals no text could get, with the reason (e.g. no GRASP checkpoint). */
  absent: Partial<Record<SignalName, string>>;
  /** The riskiest first. */
  records: FlagRecord[];
  annotations: { file: string; applied: number; stale: number; evaluation: DetectorEvaluation | null };
}

/** Scores every description or profile of a dataset; returns the riskiest. Reads only: never writes. */
export async function flagJob(params: FlagJobParams, ctx: JobContext): Promise<FlagJobResult> {
  const config = detectorConfig(params.detector);
  const entity = params.entity ?? 'item';
  const dataset = await loadForJob(params.dataset, params.load, ctx, 0.3);
  const split = leaveOneOut(dataset.sequences);
  const file = params.annotations ?? defaultAnnotationsPath(params.dataset);
  const annotations = await readAnnotations(file);
  ctx.progress({ message: `Reading ${entity} descriptions`, fraction: 0.35 });
  const loaded = await loadDescriptions(dataset, split, cachePaths(params.dataset, params.cacheDir).dataset, entity, params.texts ?? 'auto');
  ctx.progress({ message: `Checking ${loaded.texts.length} ${entity} texts`, fraction: 0.5 });
  const distrust = await distrustEvidence(params, entity, loaded.ids, ctx);
  const records = detect({ entity, ids: loaded.ids, inputs: loaded.inputs, outputs: loaded.outputs, train: split.train, ...distrust }, config);
  // Human verdicts: shown beside each record, and (when current) used as labels to evaluate the detector.
  const latest = latestAnnotations(annotations.filter((record) => record.entity === entity));
  let stale = 0;
  const labelled: FlagRecord[] = [];
  const positive = new Set<FlagRecord>();
  for (const record of records) {
    const annotation = latest.get(`${entity}\u0000${record.id}`);
    if (!annotation) continue;
    const isStale = annotation.textHash !== record.textHash;
    record.annotation = { verdict: annotation.verdict, stale: isStale, at: annotation.at, ...(annotation.note ? { note: annotation.note } : {}) };
    if (isStale) {
      stale++;
      continue;
    }
    labelled.push(record);
    if (annotation.verdict !== 'ok') positive.add(record);
  }
  const absent: Partial<Record<SignalName, string>> = {};
  for (const name of ['collaborative', 'distrust'] as const)
    if (records.every((record) => record.signals[name].score === null)) absent[name] = records[0]?.signals[name].absent;
  const ranked = riskiestFirst(records);
  const top = params.top === 0 ? ranked : ranked.slice(0, params.top ?? 20);
  // Rows of the review list read better with a title than with an id alone.
  for (const record of top) record.label = entityLabel(dataset, split.train, entity, record.index);
  const source = loaded.source
    ? `${loaded.source.provider}/${loaded.source.model} ${loaded.source.template} v${loaded.source.templateVersion}`
    : 'metadata provider (nothing synthesised)';
  ctx.log(
    `${entity}s: ${records.filter((r) => r.flagged).length} of ${records.length} flagged at risk ≥ ${config.threshold} (${source}; ${loaded.metadataOnly} metadata-only)`,
  );
  return {
    entity,
    total: records.length,
    flagged: records.filter((record) => record.flagged).length,
    config,
    source,
    absent,
    records: top,
    annotations: {
      file,
      applied: labelled.length,
      stale,
      evaluation: labelled.length > 0 ? evaluateFlags(labelled, (record) => positive.has(record), config.threshold) : null,
    },
  };
}

/**
 * Model distrust from a trained GRASP checkpoint: how much item-level attention the model kept on each
 * item's text neighbours. Absent, with the reason, when there is no such run or it cannot be read.
 */
async function distrustEvidence(
  params: FlagJobParams,
  entity: FlagEntity,
  ids: readonly string[],
  ctx: JobContext,
): Promise<Pick<DetectInput, 'attention' | 'attentionAbsent'>> {
  if (entity !== 'item') return { attentionAbsent: 'model distrust is measured for items (their item-level attention)' };
  if (params.run === null) return { attentionAbsent: 'no GRASP run asked for' };
  const run = params.run ?? (await findGraspRun(params.dataset, [join(cacheRoot(params.dataset, params.cacheDir), 'runs'), ...(params.runsDirs ?? [])]));
  if (!run) return { attentionAbsent: 'no trained GRASP run on this dataset (train one with "variant": "grasp")' };
  try {
    // The engine loads only here, when there is a checkpoint to read.
    const { itemNeighbourAttention } = await import('../train/attention');
    ctx.progress({ message: `Reading attention weights from ${run}`, fraction: 0.4 });
    const { itemIds, mass, median } = await itemNeighbourAttention(run, ctx);
    const rowOf = new Map(itemIds.map((id, row) => [id, row]));
    return {
      attention: (index) => {
        const row = rowOf.get(ids[index]);
        return row === undefined || Number.isNaN(mass[row]) ? undefined : { mass: mass[row], median };
      },
    };
  } catch (error) {
    return { attentionAbsent: `the GRASP checkpoint in ${run} could not be read: ${(error as Error).message}` };
  }
}
