import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readEmbedding } from '../embed/store';
import type { Entity } from '../llm/schema';
import { matrixOf, neighboursOf } from './build';
import { ExactIndex } from './exact';
import { DEFAULT_HNSW, HnswIndex } from './hnsw';
import { readIndexManifest, readNeighbourTable, type IndexManifest } from './store';
import { ConfigError } from '../util/errors';

export interface Neighbour {
  id: string;
  row: number;
  similarity: number;
}

/** The newest index of an entity kind in a dataset's cache (any embedder, any space). */
export async function findIndexManifest(datasetCacheDir: string, entity: Entity, embedder?: string): Promise<string> {
  const dir = join(datasetCacheDir, 'indexes');
  const names = (await readdir(dir).catch(() => [] as string[])).filter(
    (name) => name.startsWith(`${entity}s.${embedder ? `${embedder}.` : ''}`) && name.endsWith('.json'),
  );
  if (names.length === 0) throw new ConfigError(`no ${entity} index${embedder ? ` for ${embedder}` : ''} under ${dir}: run \`grasp index\` first`);
  const dated = await Promise.all(names.map(async (name) => ({ name, time: (await stat(join(dir, name))).mtimeMs })));
  return join(dir, dated.sort((a, b) => b.time - a.time)[0].name);
}

/**
 * The top-k neighbours of one row: from the stored table when it holds k, otherwise by searching
 * the index. Refuses a stale index (its embedding changed since it was built), and an embedding
 * whose ids `checkIds` rejects (the caller's dataset).
 */
export async function neighboursOfRow(
  manifestPath: string,
  row: number,
  k: number,
  checkIds?: (ids: readonly string[], embeddingPath: string) => void,
): Promise<{ manifest: IndexManifest; ids: string[]; neighbours: Neighbour[] }> {
  const manifest = await readIndexManifest(manifestPath);
  const embeddingPath = join(dirname(manifestPath), '..', 'embeddings', manifest.embedding.manifest);
  const embedding = await readEmbedding(embeddingPath);
  const sha = manifest.space === 'vectors' ? embedding.manifest.vectors.sha256 : embedding.manifest.reduced.sha256;
  if (sha !== manifest.embedding.sha256) throw new ConfigError(`${manifestPath} was built from an older embedding: run \`grasp index\` again`);
  const ids = embedding.manifest.ids;
  // Before any row is read: rows of another dataset's embedding would name the wrong entities.
  checkIds?.(ids, embeddingPath);
  if (row < 0 || row >= manifest.count) throw new ConfigError(`row ${row} is outside the index (${manifest.count} rows)`);
  let labels: number[];
  let similarities: number[];
  if (k <= manifest.neighbours.k) {
    const table = await readNeighbourTable(manifestPath, manifest);
    const base = row * table.k;
    labels = Array.from(table.labels.subarray(base, base + k));
    similarities = Array.from(table.similarities.subarray(base, base + k));
  } else {
    const { data, dim } = matrixOf(embedding, manifest.space);
    const searcher =
      manifest.method === 'hnsw' && manifest.file
        ? HnswIndex.load(join(dirname(manifestPath), manifest.file), dim, manifest.params ?? DEFAULT_HNSW)
        : new ExactIndex(data, manifest.count, dim);
    ({ labels, similarities } = neighboursOf(searcher, data, dim, row, k));
  }
  const neighbours = labels.flatMap((label, i) => (label < 0 ? [] : [{ id: ids[label], row: label, similarity: similarities[i] }]));
  return { manifest, ids, neighbours };
}
