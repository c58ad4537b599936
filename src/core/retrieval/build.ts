import { basename, dirname, join } from 'node:path';
import { CancelledError, type JobContext } from '../util/jobContext';
import { readEmbedding, type StoredEmbedding } from '../embed/store';
import { ExactIndex, type SearchResult } from './exact';
import { DEFAULT_HNSW, HnswIndex, type HnswParams } from './hnsw';
import { recallAtK, sampleRows } from './recall';
import { indexManifestPath, writeIndexManifest, type IndexManifest, type IndexMethod, type IndexSpace, type NeighbourTable } from './store';

export interface IndexOptions {
  method?: IndexMethod | 'auto';
  space?: IndexSpace;
  /** Neighbours stored per row (K_I or K_U of DESIGN §2). */
  k?: number;
  hnsw?: Partial<HnswParams>;
  /** Rows whose neighbours are checked against exact search to report recall@10. */
  recallQueries?: number;
}

/** Below this many rows exact search is fast enough and a graph is not worth building. */
export const EXACT_BELOW = 2000;

export interface Searcher {
  search(query: Float32Array, k: number): SearchResult;
}

/** A row's K nearest other rows: asks for one more and drops the row itself (or the last, if a duplicate displaced it). */
export function neighboursOf(searcher: Searcher, data: Float32Array, dim: number, row: number, k: number): SearchResult {
  const found = searcher.search(data.subarray(row * dim, (row + 1) * dim), k + 1);
  let at = found.labels.indexOf(row);
  if (at < 0) at = found.labels.length - 1 >= k ? found.labels.length - 1 : -1;
  if (at >= 0) {
    found.labels.splice(at, 1);
    found.similarities.splice(at, 1);
  }
  return { labels: found.labels.slice(0, k), similarities: found.similarities.slice(0, k) };
}

/**
 * Stage 3 of GRASP (DESIGN §2): builds the cosine index of an embedding once, stores it with its
 * parameters and the embedding it came from, and precomputes every row's top-K neighbours.
 */
export async function buildIndex(
  embeddingManifest: string,
  datasetCacheDir: string,
  options: IndexOptions,
  ctx: JobContext,
): Promise<{ manifestPath: string; manifest: IndexManifest }> {
  const embedding = await readEmbedding(embeddingManifest);
  const space = options.space ?? 'vectors';
  const { data, dim } = matrixOf(embedding, space);
  const count = embedding.manifest.count;
  const method = !options.method || options.method === 'auto' ? (count < EXACT_BELOW ? 'exact' : 'hnsw') : options.method;
  const params = { ...DEFAULT_HNSW, ...options.hnsw };
  const k = Math.max(1, Math.min(options.k ?? 20, count - 1));
  const entity = embedding.manifest.entity;
  const manifestPath = indexManifestPath(datasetCacheDir, entity, embedding.manifest.embedder.name, space);
  const stem = basename(manifestPath, '.json');
  const started = Date.now();
  ctx.progress({ message: `Building the ${method} index of ${count} ${entity}s`, fraction: 0 });
  const exact = new ExactIndex(data, count, dim);
  let searcher: Searcher = exact;
  let hnsw: HnswIndex | undefined;
  if (method === 'hnsw') {
    hnsw = await HnswIndex.build(data, count, dim, params, ctx, (done) =>
      ctx.progress({ message: `Indexing ${entity}s (${done} of ${count})`, fraction: (0.6 * done) / count }),
    );
    hnsw.save(join(dirname(manifestPath), `${stem}.hnsw`));
    searcher = hnsw;
  }
  const buildSeconds = (Date.now() - started) / 1000;
  const table: NeighbourTable = { k, labels: new Int32Array(count * k).fill(-1), similarities: new Float32Array(count * k) };
  for (let row = 0; row < count; row++) {
    const found = neighboursOf(searcher, data, dim, row, k);
    table.labels.set(found.labels, row * k);
    table.similarities.set(found.similarities, row * k);
    if (row % 2000 === 1999) {
      ctx.progress({ message: `Neighbours of ${entity}s (${row + 1} of ${count})`, fraction: 0.6 + (0.3 * row) / count });
      await new Promise((resolve) => setImmediate(resolve));
      if (ctx.isCancelled()) throw new CancelledError();
    }
  }
  const queries = sampleRows(count, options.recallQueries ?? 500);
  let recall = 1;
  if (hnsw) {
    let sum = 0;
    for (const row of queries) {
      const query = data.subarray(row * dim, (row + 1) * dim);
      sum += recallAtK(hnsw.search(query, 10), exact.search(query, 10), 10);
    }
    recall = sum / queries.length;
  }
  const manifest: IndexManifest = {
    v: 1,
    entity,
    method,
    metric: 'cosine',
    space,
    count,
    dim,
    ...(hnsw ? { params, file: `${stem}.hnsw` } : {}),
    embedding: {
      manifest: basename(embeddingManifest),
      embedder: embedding.manifest.embedder.name,
      model: embedding.manifest.embedder.model,
      sha256: space === 'vectors' ? embedding.manifest.vectors.sha256 : embedding.manifest.reduced.sha256,
    },
    neighbours: { k, labels: `${stem}.neighbours.i32`, similarities: `${stem}.neighbours.f32` },
    recall: { k: 10, queries: hnsw ? queries.length : 0, value: recall },
    buildSeconds,
    createdAt: new Date().toISOString(),
  };
  await writeIndexManifest(manifestPath, manifest, table);
  ctx.log(
    `${entity}s: ${method} index of ${count} × ${dim} in ${buildSeconds.toFixed(2)} s, recall@10 ${recall.toFixed(4)}, top-${k} neighbours stored → ${manifestPath}`,
  );
  return { manifestPath, manifest };
}

export function matrixOf(embedding: StoredEmbedding, space: IndexSpace): { data: Float32Array; dim: number } {
  return space === 'vectors'
    ? { data: embedding.vectors, dim: embedding.manifest.vectors.dim }
    : { data: embedding.reduced, dim: embedding.manifest.reduced.dim };
}
