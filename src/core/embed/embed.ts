import { join } from 'node:path';
import type { Dataset, Split } from '../data/types';
import { CancelledError, type JobContext } from '../jobs/context';
import type { Entity } from '../llm/schema';
import { DEFAULT_EMBEDDING_MODELS, httpEmbed } from './httpEmbedder';
import { lsaEmbed } from './lsa';
import { pca } from './pca';
import { embeddingManifestPath, writeEmbedding, type EmbedderName, type EmbeddingManifest } from './store';
import { entityTexts } from './texts';
import { ConfigError } from '../util/errors';

export interface EmbedOptions {
  entity: Entity;
  embedder?: EmbedderName;
  /** HTTP embedders: the model name (defaults per provider). */
  model?: string;
  /** LSA: number of SVD components (default 64). */
  width?: number;
  /** PCA target: the model width d_s (default 64). */
  pcaDim?: number;
  /** Which texts: `auto` (best synthesis in the cache), `none` (raw inputs), `provider[:model]`. */
  texts?: string;
  baseURL?: string;
  concurrency?: number;
  batchSize?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  seed?: number;
}

export interface EmbedSecrets {
  voyageApiKey?: string;
  openaiApiKey?: string;
}

export interface EmbedResult {
  manifestPath: string;
  manifest: EmbeddingManifest;
  /** HTTP embedders: requests made, and texts served from the cache. */
  calls: number;
  cached: number;
  /** LSA: share of the TF-IDF matrix's energy the components keep. */
  explained?: number;
}

/** Rows PCA and LSA are fitted on: items seen in some training prefix; every user (profiles are training-only). */
export function fitRows(dataset: Dataset, split: Split, entity: Entity): Int32Array {
  if (entity === 'user') return Int32Array.from({ length: dataset.userIds.length }, (_, i) => i);
  const seen = new Uint8Array(dataset.itemIds.length);
  for (const prefix of split.train) for (const item of prefix) seen[item] = 1;
  const rows = Int32Array.from({ length: seen.length }, (_, i) => i).filter((i) => seen[i] === 1);
  return rows.length > 0 ? rows : Int32Array.from({ length: seen.length }, (_, i) => i);
}

/** Stage 2 of GRASP (DESIGN §2): embeds each entity's text, then PCA to the model width. */
export async function embed(dataset: Dataset, split: Split, datasetCacheDir: string, options: EmbedOptions, ctx: JobContext, secrets: EmbedSecrets = {}): Promise<EmbedResult> {
  const started = Date.now();
  const entity = options.entity;
  const embedder = options.embedder ?? 'lsa';
  const texts = await entityTexts(dataset, split, datasetCacheDir, entity, options.texts ?? 'auto');
  const source = texts.source ? `${texts.source.provider}/${texts.source.model} ${texts.source.template} v${texts.source.templateVersion}` : 'raw inputs';
  ctx.log(`${entity}s: embedding ${texts.texts.length} texts (${texts.fromSynthesis} from ${source}, ${texts.fallback} raw) with ${embedder}`);
  const rows = fitRows(dataset, split, entity);
  ctx.progress({ message: `Embedding ${entity}s with ${embedder}`, fraction: 0.1 });
  let vectors: Float32Array;
  let dim: number;
  let model: string;
  let calls = 0;
  let cached = 0;
  let explained: number | undefined;
  if (embedder === 'lsa') {
    const width = options.width ?? 64;
    const lsa = lsaEmbed(texts.texts, rows, { width, seed: options.seed });
    ({ vectors, width: dim } = lsa);
    explained = lsa.explained;
    model = `tfidf-svd-${width}`;
  } else {
    model = options.model ?? DEFAULT_EMBEDDING_MODELS[embedder];
    const apiKey = embedder === 'voyage' ? secrets.voyageApiKey : secrets.openaiApiKey;
    if (embedder === 'voyage' && !apiKey) throw new ConfigError('voyage embeddings need VOYAGE_API_KEY in the environment');
    const result = await httpEmbed(texts.texts, { provider: embedder, model, baseURL: options.baseURL, apiKey, batchSize: options.batchSize, concurrency: options.concurrency, maxAttempts: options.maxAttempts, timeoutMs: options.timeoutMs, backoffBaseMs: options.backoffBaseMs }, join(datasetCacheDir, 'embeddings', 'cache', `${embedder}.jsonl`), ctx);
    ({ vectors, dim, calls, cached } = result);
  }
  if (ctx.isCancelled()) throw new CancelledError();
  ctx.progress({ message: `PCA of ${entity} embeddings`, fraction: 0.8 });
  const reduced = pca(vectors, texts.texts.length, dim, options.pcaDim ?? 64, rows, options.seed ?? 1);
  const manifestPath = embeddingManifestPath(datasetCacheDir, entity, embedder);
  const manifest = await writeEmbedding(
    manifestPath,
    {
      v: 1,
      entity,
      embedder: { name: embedder, model, width: dim },
      texts: { source: texts.source, fromSynthesis: texts.fromSynthesis, fallback: texts.fallback, sha256: texts.sha256 },
      count: texts.texts.length,
      ids: texts.ids,
      createdAt: new Date().toISOString(),
      seconds: (Date.now() - started) / 1000,
    },
    { data: vectors, dim },
    { data: reduced.vectors, dim: reduced.dim, explainedVariance: reduced.explainedVariance, fittedOn: reduced.fittedOn },
  );
  ctx.log(`${entity}s: ${manifest.count} × ${dim} (${embedder}${explained === undefined ? '' : `, ${(100 * explained).toFixed(1)} % of TF-IDF energy`}) → PCA ${reduced.dim} (${(100 * reduced.explainedVariance).toFixed(1)} % of variance, fitted on ${reduced.fittedOn}) → ${manifestPath}`);
  return { manifestPath, manifest, calls, cached, explained };
}
