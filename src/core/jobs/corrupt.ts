import { join } from 'node:path';
import { leaveOneOut } from '../data/split';
import type { JobContext } from '../util/jobContext';
import { loadForJob, type DatasetLoadParams } from '../data/loadForJob';
import type { ItemDescription } from '../llm/schema';
import { writeFileAtomic } from '../util/atomicWrite';
import { cachePaths } from '../data/cachePaths';
import { recordPopularity } from '../hallucination/training';
import {
  CORRUPTION_KINDS,
  corruptDescriptions,
  type CorruptionKind,
  type CorruptionMix,
  type CorruptionTarget,
  type CorruptionTruth,
  type SpecificKind,
} from '../hallucination/corrupt';
import { loadDescriptions } from '../hallucination/descriptions';

export interface CorruptJobParams {
  dataset: string;
  load?: DatasetLoadParams;
  cacheDir?: string;
  fraction: number;
  seed?: number;
  /** invented-specifics kinds to draw from */
  kinds?: SpecificKind[];
  /** share of the corrupted items per family (default: invented specifics only) */
  mix?: Partial<CorruptionMix>;
  /** uniform (default) or head (∝ training popularity) */
  target?: CorruptionTarget;
  /** Where the ground truth goes (default `<dataset cache>/corruption/items.f<fraction>.s<seed>.json`). */
  out?: string;
  /** Which synthesis to corrupt: as `grasp embed --texts` (`auto`, `provider[:model]`), or `metadata-only`. */
  texts?: string;
}

export interface CorruptJobResult {
  out: string;
  total: number;
  corrupted: number;
  byKind: Record<CorruptionKind, number>;
  categorySource: CorruptionTruth['categorySource'];
  /** Items described by the cached synthesis, and by the metadata provider (none cached). */
  fromSynthesis: number;
  metadataOnly: number;
}

export function defaultTruthPath(datasetCacheDir: string, fraction: number, seed: number): string {
  return join(datasetCacheDir, 'corruption', `items.f${fraction}.s${seed}.json`);
}

/** `grasp corrupt`: corrupts a fraction of a dataset's item descriptions and writes the ground truth (atomically). */
export async function corruptJob(params: CorruptJobParams, ctx: JobContext): Promise<CorruptJobResult> {
  const dataset = await loadForJob(params.dataset, params.load, ctx, 0.5);
  const split = leaveOneOut(dataset.sequences);
  const paths = cachePaths(params.dataset, params.cacheDir);
  const loaded = await loadDescriptions(dataset, split, paths.dataset, 'item', params.texts ?? 'auto');
  const seed = params.seed ?? 1;
  const { truth } = corruptDescriptions(
    loaded.ids.map((id, i) => ({ id, description: loaded.outputs[i] as ItemDescription })),
    {
      fraction: params.fraction,
      seed,
      kinds: params.kinds,
      mix: params.mix,
      target: params.target,
      popularity: params.target === 'head' ? recordPopularity(split, loaded.ids, dataset.itemIds) : undefined,
    },
  );
  const out = params.out ?? defaultTruthPath(paths.dataset, params.fraction, seed);
  await writeFileAtomic(out, `${JSON.stringify(truth)}\n`);
  const byKind = Object.fromEntries(CORRUPTION_KINDS.map((kind) => [kind, 0])) as Record<CorruptionKind, number>;
  for (const item of truth.items) for (const kind of item.kinds) byKind[kind]++;
  return {
    out,
    total: truth.total,
    corrupted: truth.items.length,
    byKind,
    categorySource: truth.categorySource,
    fromSynthesis: loaded.fromSynthesis,
    metadataOnly: loaded.metadataOnly,
  };
}
