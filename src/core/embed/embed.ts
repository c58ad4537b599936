import { join } from 'node:path';
import type { Dataset, Split } from '../data/types';
import { CancelledError, type JobContext } from '../util/jobContext';
import type { Entity } from '../llm/schema';
import { DEFAULT_EMBEDDING_MODELS, httpEmbed, type HttpEmbedderName } from './httpEmbedder';
import { lsaEmbed } from './lsa';
import { pca } from './pca';
import { embeddingManifestPath, writeEmbedding, type EmbedderName, type EmbeddingManifest } from './store';
import { entityTexts } from './texts';

export interface EmbedOptions {
  entity: Entity;
  embedder?: EmbedderName;
  /** HTTP embedders: the model name (defaults per provider). */
  model?: string;
  /** HTTP embedders: output width, for models that can shorten their vectors (OpenAI `dimensions`). */
  dimensions?: number;
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
  /** HTTP embedders: cut texts longer than this before embedding. */
  maxChars?: number;
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
  /** HTTP embedders: tokens the server reported, and seconds spent embedding. */
  tokens?: number;
  /** LSA: share of the TF-IDF matrix's energy the components keep. */
  explained?: number;
}

/** Which embedder and how to reach it: plain settings, never a key (those come as EmbedSecrets). */
export interface EmbedderSpec {
  name: EmbedderName;
  /** LSA: SVD components. */
  width?: number;
  /** HTTP embedders. */
  model?: string;
  baseURL?: string;
  dimensions?: number;
  maxChars?: number;
  concurrency?: number;
  batchSize?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  seed?: number;
}

export interface EmbeddedTexts {
  /** count × width, row-major. */
  vectors: Float32Array;
  width: number;
  /** What made them: `tfidf-svd-<width>` or the HTTP model's name. */
  model: string;
  calls: number;
  cached: number;
  tokens: number;
  explained?: number;
}

/** The embedding keys a job's runner holds (read when a call is about to be made; absent: none). */
export function embedSecrets(ctx: Pick<JobContext, 'secret'>): EmbedSecrets {
  return { voyageApiKey: ctx.secret?.('VOYAGE_API_KEY'), openaiApiKey: ctx.secret?.('OPENAI_API_KEY') };
}

/** The HTTP embedders' vector cache of a dataset: shared by `grasp embed` and training, keyed by provider, model (width) and text. */
export function vectorCachePath(datasetCacheDir: string, embedder: HttpEmbedderName): string {
  return join(datasetCacheDir, 'embeddings', 'cache', `${embedder}.jsonl`);
}

/** The model an embedder spec names (HTTP embedders fall back to their provider's default). */
export function embedderModel(spec: Pick<EmbedderSpec, 'name' | 'model' | 'width'>): string {
  return spec.name === 'lsa' ? `tfidf-svd-${spec.width ?? 64}` : (spec.model ?? DEFAULT_EMBEDDING_MODELS[spec.name]);
}

/**
 * The embedder's raw vectors of `texts`: LSA fitted on `fitRows` (local), or an HTTP embedder through
 * the dataset's vector cache (a text embedded once is never sent again, by any job).
 */
export async function embedTexts(
  texts: string[],
  fitRows: Int32Array,
  spec: EmbedderSpec,
  datasetCacheDir: string,
  ctx: JobContext,
  secrets: EmbedSecrets = {},
): Promise<EmbeddedTexts> {
  if (spec.name === 'lsa') {
    const width = spec.width ?? 64;
    const lsa = lsaEmbed(texts, fitRows, { width, seed: spec.seed });
    return { vectors: lsa.vectors, width: lsa.width, model: embedderModel(spec), calls: 0, cached: 0, tokens: 0, explained: lsa.explained };
  }
  const model = embedderModel(spec);
  const apiKey = spec.name === 'voyage' ? secrets.voyageApiKey : secrets.openaiApiKey;
  const result = await httpEmbed(
    texts,
    {
      provider: spec.name,
      model,
      baseURL: spec.baseURL,
      apiKey,
      dimensions: spec.dimensions,
      maxChars: spec.maxChars,
      batchSize: spec.batchSize,
      concurrency: spec.concurrency,
      maxAttempts: spec.maxAttempts,
      timeoutMs: spec.timeoutMs,
      backoffBaseMs: spec.backoffBaseMs,
    },
    vectorCachePath(datasetCacheDir, spec.name),
    ctx,
  );
  if (result.embedded > 0)
    ctx.log(
      `${spec.name}/${model}: ${result.embedded} texts embedded in ${result.calls} requests (${result.tokens} tokens, ${result.seconds.toFixed(1)} s), ${result.cached} from the cache`,
    );
  return { vectors: result.vectors, width: result.dim, model, calls: result.calls, cached: result.cached, tokens: result.tokens };
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
export async function embed(
  dataset: Dataset,
  split: Split,
  datasetCacheDir: string,
  options: EmbedOptions,
  ctx: JobContext,
  secrets: EmbedSecrets = {},
): Promise<EmbedResult> {
  const started = Date.now();
  const entity = options.entity;
  const embedder = options.embedder ?? 'lsa';
  const texts = await entityTexts(dataset, split, datasetCacheDir, entity, options.texts ?? 'auto');
  const source = texts.source ? `${texts.source.provider}/${texts.source.model} ${texts.source.template} v${texts.source.templateVersion}` : 'raw inputs';
  ctx.log(`${entity}s: embedding ${texts.texts.length} texts (${texts.fromSynthesis} from ${source}, ${texts.fallback} raw) with ${embedder}`);
  const rows = fitRows(dataset, split, entity);
  ctx.progress({ message: `Embedding ${entity}s with ${embedder}`, fraction: 0.1 });
  const embedded = await embedTexts(texts.texts, rows, { ...options, name: embedder }, datasetCacheDir, ctx, secrets);
  const { vectors, width: dim, model, calls, cached, tokens, explained } = embedded;
  if (ctx.isCancelled()) throw new CancelledError();
  ctx.progress({ message: `PCA of ${entity} embeddings`, fraction: 0.8 });
  const reduced = pca(vectors, texts.texts.length, dim, options.pcaDim ?? 64, rows, options.seed ?? 1);
  const manifestPath = embeddingManifestPath(datasetCacheDir, entity, embedder);
  const manifest = await writeEmbedding(
    manifestPath,
    {
      v: 1,
      entity,
      embedder: {
        name: embedder,
        model,
        width: dim,
        ...(embedder === 'lsa'
          ? {}
          : { ...(options.baseURL ? { baseURL: options.baseURL } : {}), ...(options.dimensions ? { dimensions: options.dimensions } : {}) }),
      },
      texts: { source: texts.source, fromSynthesis: texts.fromSynthesis, fallback: texts.fallback, sha256: texts.sha256 },
      count: texts.texts.length,
      ids: texts.ids,
      createdAt: new Date().toISOString(),
      seconds: (Date.now() - started) / 1000,
    },
    { data: vectors, dim },
    { data: reduced.vectors, dim: reduced.dim, explainedVariance: reduced.explainedVariance, fittedOn: reduced.fittedOn },
  );
  ctx.log(
    `${entity}s: ${manifest.count} × ${dim} (${embedder}${explained === undefined ? '' : `, ${(100 * explained).toFixed(1)} % of TF-IDF energy`}) → PCA ${reduced.dim} (${(100 * reduced.explainedVariance).toFixed(1)} % of variance, fitted on ${reduced.fittedOn}) → ${manifestPath}`,
  );
  return { manifestPath, manifest, calls, cached, ...(embedder === 'lsa' ? {} : { tokens }), explained };
}
