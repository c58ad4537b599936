import { assertCachedIds, cachePaths } from '../data/cachePaths';
import { leaveOneOut } from '../data/split';
import type { Entity } from '../llm/schema';
import { entityLabel } from '../retrieval/labels';
import { findIndexManifest, neighboursOfRow } from '../retrieval/query';
import type { IndexManifest } from '../retrieval/store';
import type { JobContext } from '../util/jobContext';
import { loadForJob, type DatasetLoadParams } from '../data/loadForJob';
import { ConfigError } from '../util/errors';

export interface NeighboursJobParams {
  dataset: string;
  load?: DatasetLoadParams;
  cacheDir?: string;
  entity: Entity;
  /** Raw id, as in the dataset file. */
  id: string;
  k?: number;
  embedder?: string;
}

export interface NeighbourView {
  id: string;
  similarity: number;
  /** Items: the title. Users: their latest training titles. Untrusted dataset text. */
  label: string;
}

export interface NeighboursJobResult {
  entity: Entity;
  query: { id: string; label: string };
  neighbours: NeighbourView[];
  index: Pick<IndexManifest, 'method' | 'space' | 'dim' | 'count' | 'embedding' | 'recall'> & { manifest: string };
}

export async function neighboursJob(params: NeighboursJobParams, ctx: JobContext): Promise<NeighboursJobResult> {
  const dataset = await loadForJob(params.dataset, params.load, ctx, 0.5);
  const ids = params.entity === 'item' ? dataset.itemIds : dataset.userIds;
  const row = ids.indexOf(params.id);
  if (row < 0) throw new ConfigError(`no ${params.entity} with id ${JSON.stringify(params.id.slice(0, 60))} in ${dataset.source}`);
  const paths = cachePaths(params.dataset, params.cacheDir);
  const manifestPath = await findIndexManifest(paths.dataset, params.entity, params.embedder);
  const found = await neighboursOfRow(manifestPath, row, params.k ?? 10, (stored, file) =>
    assertCachedIds(paths, file, params.entity, stored, ids, 'rebuild it with `grasp embed` and `grasp index`'),
  );
  const train = params.entity === 'user' ? leaveOneOut(dataset.sequences).train : undefined;
  const { manifest } = found;
  return {
    entity: params.entity,
    query: { id: params.id, label: entityLabel(dataset, train, params.entity, row) },
    neighbours: found.neighbours.map((neighbour) => ({
      id: neighbour.id,
      similarity: neighbour.similarity,
      label: entityLabel(dataset, train, params.entity, neighbour.row),
    })),
    index: {
      manifest: manifestPath,
      method: manifest.method,
      space: manifest.space,
      dim: manifest.dim,
      count: manifest.count,
      embedding: manifest.embedding,
      recall: manifest.recall,
    },
  };
}
