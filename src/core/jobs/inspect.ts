// The data behind the Inspect Neighbours view: one item or user with its description (the text that was
// embedded), its retrieved neighbours with similarity, their descriptions, the co-interaction overlap, and —
// when the optional sources exist — hallucination flags and GRASP attention weights. Everything is read
// from the dataset's caches and built from training data only, like the index itself.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertCachedIds, cachePaths, canonicalInteractions, type CachePaths } from '../data/cachePaths';
import { leaveOneOut } from '../data/split';
import type { Dataset, Split } from '../data/types';
import { entityTexts, type TextSource } from '../embed/texts';
import { synthesisCacheFile } from '../llm/synthesize';
import type { Entity } from '../llm/schema';
import { findIndexManifest, neighboursOfRow } from '../retrieval/query';
import { ConfigError } from '../util/errors';
import { cacheRoot } from '../util/workspace';
import { throwIfCancelled, type JobContext } from '../util/jobContext';
import { loadForJob, type DatasetLoadParams } from '../data/loadForJob';
import { fileStamp, WarmCache } from '../util/warmCache';
import { entityLabel } from '../retrieval/labels';
import {
  attentionFor,
  flagsFor,
  type AttentionCandidate,
  type AttentionInfo,
  type FlagInfo,
  type InspectJobParams,
  type OptionalSource,
} from './inspectSources';

export interface Overlap {
  /** Items: users who interacted with both. Users: training items both interacted with. */
  shared: number;
  /** shared / |union| of the two training sets. */
  jaccard: number;
}

export interface InspectEntity {
  id: string;
  /** Short, readable: an item's title, or a user's latest training titles. Untrusted text. */
  label: string;
  /** The description or profile that was embedded. Untrusted (LLM or dataset) text. */
  text: string;
  /** Training interactions: users of an item, or items of a user. */
  interactions: number;
  flag?: FlagInfo;
}

export interface InspectNeighbour extends InspectEntity {
  similarity: number;
  overlap: Overlap;
  /** The learned attention weight of this neighbour, when a GRASP checkpoint has one. */
  attention?: number;
}

export interface InspectJobResult {
  entity: Entity;
  dataset: string;
  query: InspectEntity;
  neighbours: InspectNeighbour[];
  /** Where the texts came from (null: raw metadata or training titles). */
  textSource: TextSource | null;
  index: { manifest: string; method: string; embedder: string; count: number };
  /** Optional sources: present, or why not (shown in the view instead of made-up numbers). */
  flags: OptionalSource;
  attention: OptionalSource & { run?: string; self?: number; candidates?: AttentionCandidate[] };
}

export async function inspectJob(params: InspectJobParams, ctx: JobContext): Promise<InspectJobResult> {
  ctx.progress({ message: 'Finding the neighbour index', fraction: 0 });
  const { datasetPath, paths, manifestPath } = await findIndex(params);
  const cacheDir = paths.dataset;
  const { dataset, split } = await loadWarm(datasetPath, params.load, ctx);
  const ids = params.entity === 'item' ? dataset.itemIds : dataset.userIds;
  const row = ids.indexOf(params.id);
  if (row < 0) throw new ConfigError(`no ${params.entity} with id ${JSON.stringify(params.id.slice(0, 60))} in ${dataset.source}`);
  ctx.progress({ message: 'Reading the neighbour index', fraction: 0.5 });
  const found = await neighboursOfRow(manifestPath, row, params.k ?? 10, (stored, file) =>
    assertCachedIds(paths, file, params.entity, stored, ids, 'rebuild it with `grasp embed` and `grasp index` (in VS Code: Build Neighbour Index)'),
  );
  throwIfCancelled(ctx);
  ctx.progress({ message: 'Reading descriptions', fraction: 0.7 });
  const texts = await warmTexts.get(
    `${datasetKey(datasetPath, params.load)}\u0000${params.entity}`,
    `${fileStamp(datasetFiles(datasetPath))}#${fileStamp([synthesisCacheFile(cacheDir, params.entity)])}`,
    () => entityTexts(dataset, split, cacheDir, params.entity),
  );
  const rows = [row, ...found.neighbours.map((n) => n.row)];
  const sets = trainingSets(split, params.entity, rows);
  const flags = await flagsFor(dataset, split, cacheDir, params.entity, rows);
  const runsDirs = [join(cacheRoot(datasetPath, params.cacheDir), 'runs'), ...(params.runsDirs ?? [])];
  const attention = await attentionFor({ ...params, dataset: datasetPath }, runsDirs, ctx);
  const describe = (r: number): InspectEntity => ({
    id: ids[r],
    label: entityLabel(dataset, split.train, params.entity, r),
    text: texts.texts[r] ?? '',
    interactions: sets.get(r)?.size ?? 0,
    flag: flags.byId?.get(ids[r]),
  });
  const querySet = sets.get(row) ?? new Set<number>();
  return {
    entity: params.entity,
    dataset: dataset.name,
    query: describe(row),
    neighbours: found.neighbours.map((n) => ({
      ...describe(n.row),
      similarity: n.similarity,
      overlap: overlap(querySet, sets.get(n.row) ?? new Set<number>()),
      attention: attention.byId?.get(n.id),
    })),
    textSource: texts.source,
    index: { manifest: manifestPath, method: found.manifest.method, embedder: found.manifest.embedding.embedder, count: found.manifest.count },
    flags: flags.status,
    attention: { ...attention.status, run: attention.run, self: attention.self, candidates: attention.candidates },
  };
}

/**
 * The dataset's index. A file inside a dataset folder is read as that folder (with its item metadata) when
 * only the folder has an index: the index was built for the folder, the user hovers an id in its file.
 */
async function findIndex(params: InspectJobParams): Promise<{ datasetPath: string; paths: CachePaths; manifestPath: string }> {
  const candidates = [params.dataset];
  if (existsSync(params.dataset) && statSync(params.dataset).isFile()) candidates.push(dirname(params.dataset));
  let firstError: unknown;
  for (const datasetPath of candidates) {
    try {
      const paths = cachePaths(datasetPath, params.cacheDir);
      return { datasetPath, paths, manifestPath: await findIndexManifest(paths.dataset, params.entity, params.embedder) };
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}

/** Overlap of two training sets; exported for the unit tests. */
export function overlap(a: ReadonlySet<number>, b: ReadonlySet<number>): Overlap {
  let shared = 0;
  for (const value of a) if (b.has(value)) shared++;
  const union = a.size + b.size - shared;
  return { shared, jaccard: union === 0 ? 0 : shared / union };
}

/**
 * Training sets of the given rows only: an item's users, or a user's items. Built from the training
 * prefixes, like the index, so nothing of validation or test shows through.
 */
function trainingSets(split: Split, entity: Entity, rows: number[]): Map<number, Set<number>> {
  const sets = new Map<number, Set<number>>(rows.map((r) => [r, new Set<number>()]));
  if (entity === 'user') {
    for (const r of rows) for (const item of split.train[r] ?? []) sets.get(r)!.add(item);
    return sets;
  }
  split.train.forEach((prefix, user) => {
    for (const item of prefix) sets.get(item)?.add(user);
  });
  return sets;
}

export type { AttentionCandidate, AttentionInfo, FlagInfo, InspectJobParams, OptionalSource };

interface LoadedDataset {
  dataset: Dataset;
  split: Split;
}

/** A long-lived worker keeps the last datasets it loaded: Inspect Neighbours asks about one id after another. */
const warmDatasets = new WarmCache<LoadedDataset>(2);
const warmTexts = new WarmCache<Awaited<ReturnType<typeof entityTexts>>>(4);

function datasetKey(path: string, load: DatasetLoadParams | undefined): string {
  return `${path}\u0000${JSON.stringify(load ?? {})}`;
}

/** The files a dataset is read from: the path itself (a folder's listing) and its interactions file. */
function datasetFiles(path: string): string[] {
  return [path, canonicalInteractions(path) ?? path];
}

/**
 * The dataset and its split, from the warm cache while the files are unchanged. The load is shared by the
 * jobs that wait for it, so it is not tied to one job's cancellation (the user moving on to another id
 * cancels that job, not the load the next one needs).
 */
export async function loadWarm(path: string, load: DatasetLoadParams | undefined, ctx: JobContext): Promise<LoadedDataset> {
  const shared: JobContext = { ...ctx, isCancelled: () => false };
  const loaded = await warmDatasets.get(datasetKey(path, load), fileStamp(datasetFiles(path)), async () => {
    const dataset = await loadForJob(path, load, shared, 0.4);
    return { dataset, split: leaveOneOut(dataset.sequences) };
  });
  throwIfCancelled(ctx);
  return loaded;
}
