import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Entity } from '../llm/schema';
import { bytesOf, writeFileAtomic } from '../util/atomicWrite';
import type { HnswParams } from './hnsw';
import { ConfigError } from '../util/errors';

export type IndexMethod = 'hnsw' | 'exact';
/** Which of an embedding's matrices is indexed: the embedder's output or its PCA to the model width. */
export type IndexSpace = 'vectors' | 'reduced';

export interface IndexManifest {
  v: 1;
  entity: Entity;
  method: IndexMethod;
  metric: 'cosine';
  space: IndexSpace;
  count: number;
  dim: number;
  /** hnsw only. */
  params?: HnswParams;
  /** hnsw only: the index file beside the manifest. */
  file?: string;
  /** The embedding it was built from; a changed embedding makes the index stale. */
  embedding: { manifest: string; embedder: string; model: string; sha256: string };
  /** Each row's top-K other rows by cosine similarity (training data only: built from training texts). */
  neighbours: { k: number; labels: string; similarities: string };
  /** Recall@10 of the index against exact search on a sample of rows (1 for exact). */
  recall: { k: number; queries: number; value: number };
  buildSeconds: number;
  createdAt: string;
}

export function indexManifestPath(datasetCacheDir: string, entity: Entity, embedder: string, space: IndexSpace): string {
  return join(datasetCacheDir, 'indexes', `${entity}s.${embedder}.${space}.json`);
}

export interface NeighbourTable {
  k: number;
  /** count × k row numbers (-1 pads a row with fewer neighbours). */
  labels: Int32Array;
  similarities: Float32Array;
}

export async function writeIndexManifest(path: string, manifest: IndexManifest, table: NeighbourTable): Promise<void> {
  await writeFileAtomic(join(dirname(path), manifest.neighbours.labels), bytesOf(table.labels));
  await writeFileAtomic(join(dirname(path), manifest.neighbours.similarities), bytesOf(table.similarities));
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 1)}\n`);
}

export async function readIndexManifest(path: string): Promise<IndexManifest> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as IndexManifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigError(`no index at ${path}: run \`grasp index\` first`);
    throw new ConfigError(`${path}: unreadable index manifest (${(error as Error).message})`);
  }
}

export async function readNeighbourTable(path: string, manifest: IndexManifest): Promise<NeighbourTable> {
  const read = async (file: string): Promise<Buffer> => {
    const bytes = await readFile(join(dirname(path), file));
    if (bytes.length !== manifest.count * manifest.neighbours.k * 4) throw new ConfigError(`${file} does not match ${path}: index again`);
    return bytes;
  };
  const labels = await read(manifest.neighbours.labels);
  const similarities = await read(manifest.neighbours.similarities);
  const n = manifest.count * manifest.neighbours.k;
  return {
    k: manifest.neighbours.k,
    labels: new Int32Array(labels.buffer, labels.byteOffset, n),
    similarities: new Float32Array(similarities.buffer, similarities.byteOffset, n),
  };
}
