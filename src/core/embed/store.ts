import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { bytesOf, writeFileAtomic } from '../util/atomicWrite';
import { sha256Hex } from '../util/hash';
import type { Entity } from '../llm/schema';
import type { TextSource } from './texts';
import { ConfigError } from '../util/errors';

/** The text embedders: one list for the run-config schema (grasp.embedder), the CLI's --embedder and the types. */
export const EMBEDDER_NAMES = ['lsa', 'voyage', 'openai-compatible'] as const;
export type EmbedderName = (typeof EMBEDDER_NAMES)[number];

/** What a stored embedding is and where it came from, beside its two float32 files. */
export interface EmbeddingManifest {
  v: 1;
  entity: Entity;
  /** HTTP embedders also record the server (a URL, never a key) and the width asked for. */
  embedder: { name: EmbedderName; model: string; width: number; baseURL?: string; dimensions?: number };
  texts: { source: TextSource | null; fromSynthesis: number; fallback: number; sha256: string };
  count: number;
  /** Raw ids in row order. */
  ids: string[];
  /** The embedder's output (row-major float32, little-endian). */
  vectors: { file: string; dim: number; sha256: string };
  /** PCA of it to the model width, fitted on training entities only. */
  reduced: { file: string; dim: number; sha256: string; explainedVariance: number; fittedOn: number };
  createdAt: string;
  seconds: number;
}

export interface StoredEmbedding {
  manifest: EmbeddingManifest;
  manifestPath: string;
  vectors: Float32Array;
  reduced: Float32Array;
}

export function embeddingManifestPath(datasetCacheDir: string, entity: Entity, embedder: EmbedderName): string {
  return join(datasetCacheDir, 'embeddings', `${entity}s.${embedder}.json`);
}

export async function writeEmbedding(
  manifestPath: string,
  manifest: Omit<EmbeddingManifest, 'vectors' | 'reduced'>,
  vectors: { data: Float32Array; dim: number },
  reduced: { data: Float32Array; dim: number; explainedVariance: number; fittedOn: number },
): Promise<EmbeddingManifest> {
  const stem = basename(manifestPath, '.json');
  const vectorBytes = bytesOf(vectors.data);
  const reducedBytes = bytesOf(reduced.data);
  const full: EmbeddingManifest = {
    ...manifest,
    vectors: { file: `${stem}.vectors.f32`, dim: vectors.dim, sha256: sha256Hex(vectorBytes) },
    reduced: {
      file: `${stem}.reduced.f32`,
      dim: reduced.dim,
      sha256: sha256Hex(reducedBytes),
      explainedVariance: reduced.explainedVariance,
      fittedOn: reduced.fittedOn,
    },
  };
  // Binary files first, manifest last: a reader that finds the manifest finds matching files.
  await writeFileAtomic(join(dirname(manifestPath), full.vectors.file), vectorBytes);
  await writeFileAtomic(join(dirname(manifestPath), full.reduced.file), reducedBytes);
  await writeFileAtomic(manifestPath, `${JSON.stringify(full, null, 1)}\n`);
  return full;
}

export async function readEmbedding(manifestPath: string): Promise<StoredEmbedding> {
  let manifest: EmbeddingManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as EmbeddingManifest;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(
      missing ? `no embedding at ${manifestPath}: run \`grasp embed\` first` : `${manifestPath}: unreadable manifest (${(error as Error).message})`,
    );
  }
  const load = async (file: string, dim: number, sha256: string): Promise<Float32Array> => {
    const bytes = await readFile(join(dirname(manifestPath), file));
    if (bytes.length !== manifest.count * dim * 4 || sha256Hex(bytes) !== sha256) throw new ConfigError(`${file} does not match ${manifestPath}: embed again`);
    return new Float32Array(bytes.buffer, bytes.byteOffset, manifest.count * dim);
  };
  return {
    manifest,
    manifestPath,
    vectors: await load(manifest.vectors.file, manifest.vectors.dim, manifest.vectors.sha256),
    reduced: await load(manifest.reduced.file, manifest.reduced.dim, manifest.reduced.sha256),
  };
}
