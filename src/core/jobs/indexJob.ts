import { embeddingManifestPath, type EmbedderName } from '../embed/store';
import type { Entity } from '../llm/schema';
import { buildIndex, type IndexOptions } from '../retrieval/build';
import type { IndexManifest } from '../retrieval/store';
import { cachePaths } from '../data/cachePaths';
import type { JobContext } from '../util/jobContext';

export interface IndexJobParams extends IndexOptions {
  dataset: string;
  entity: Entity;
  embedder?: EmbedderName;
  cacheDir?: string;
}

export interface IndexJobResult {
  manifestPath: string;
  manifest: IndexManifest;
}

/** Builds (or rebuilds) the neighbour index of a stored embedding. Reads no interactions. */
export async function indexJob(params: IndexJobParams, ctx: JobContext): Promise<IndexJobResult> {
  const dir = cachePaths(params.dataset, params.cacheDir).dataset;
  return buildIndex(embeddingManifestPath(dir, params.entity, params.embedder ?? 'lsa'), dir, params, ctx);
}
