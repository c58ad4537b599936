// Embeddings from an HTTP `/v1/embeddings` endpoint: Voyage, OpenAI, or any compatible server (Ollama,
// vLLM, llama.cpp's server, Hugging Face TEI, LM Studio). A plain JSON POST (util/httpPost.ts) rather
// than the openai SDK: one small request shape serves both Voyage and the OpenAI-compatible servers, the
// job owns retries, the rate gate and the width checks either way, and the per-request CPU stays low.
import { setMaxListeners } from 'node:events';
import { CancelledError, type JobContext } from '../util/jobContext';
import { openAiRoot } from '../util/endpoints';
import { ConfigError } from '../util/errors';
import { sha256Hex } from '../util/hash';
import { JsonlAppender, readJsonl } from '../util/jsonl';
import { HttpPool } from '../util/httpPost';
import { acquireLock } from '../util/lock';
import { runPool, sleep } from '../util/pool';
import { RateGate } from '../util/rateGate';
import { redact } from '../util/redact';
import { backoffMs, retryAfterMs } from '../util/retry';

export type HttpEmbedderName = 'voyage' | 'openai-compatible';

export interface HttpEmbedderOptions {
  provider: HttpEmbedderName;
  model: string;
  /** voyage: https://api.voyageai.com by default; openai-compatible: required (…/v1/embeddings is appended). */
  baseURL?: string;
  apiKey?: string;
  /** Output width, for models that can shorten their vectors (OpenAI's `dimensions`, Voyage's `output_dimension`); every vector is checked against it. */
  dimensions?: number;
  /** Texts longer than this are cut before embedding (a model's context is finite); default: sent whole. */
  maxChars?: number;
  /** Texts per request. */
  batchSize?: number;
  concurrency?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  /** After a cancel, requests in flight get this long to land in the cache before being aborted. */
  cancelGraceMs?: number;
}

export interface HttpEmbedResult {
  vectors: Float32Array;
  dim: number;
  /** Requests sent (retries included). */
  calls: number;
  /** Texts served from the cache (repeated texts count each time). */
  cached: number;
  /** Distinct texts embedded by this run. */
  embedded: number;
  tokens: number;
  seconds: number;
}

interface VectorRecord {
  v: 1;
  key: string;
  dim: number;
  /** Float32 little-endian, base64: a third of the size of a JSON number list. */
  vector: string;
}

function isVectorRecord(value: unknown): value is VectorRecord {
  const record = value as Partial<VectorRecord> | null;
  return (
    !!record &&
    record.v === 1 &&
    typeof record.key === 'string' &&
    typeof record.vector === 'string' &&
    typeof record.dim === 'number' &&
    Number.isInteger(record.dim) &&
    record.dim > 0
  );
}

export const DEFAULT_EMBEDDING_MODELS: Record<HttpEmbedderName, string> = { voyage: 'voyage-3.5-lite', 'openai-compatible': 'text-embedding-3-small' };

export function endpoint(options: Pick<HttpEmbedderOptions, 'provider' | 'baseURL'>): string {
  const base = options.baseURL ?? (options.provider === 'voyage' ? 'https://api.voyageai.com' : '');
  if (!base)
    throw new ConfigError('openai-compatible embeddings need a base URL (--base-url, or grasp.embedding.baseUrl; e.g. http://127.0.0.1:11434 for Ollama)');
  return `${openAiRoot(base, `the ${options.provider} base URL`)}/embeddings`;
}

/** The cache key of one text: provider, model and (when set) width, then the text. Earlier keys (no width) stay valid. */
export function vectorKey(options: Pick<HttpEmbedderOptions, 'provider' | 'model' | 'dimensions'>, text: string): string {
  return sha256Hex(
    JSON.stringify(options.dimensions === undefined ? [options.provider, options.model, text] : [options.provider, options.model, options.dimensions, text]),
  );
}

/** Why one request failed, and what that means: retry it, give up on these texts, or stop the job. */
class HttpFailure extends Error {
  constructor(
    message: string,
    readonly kind: 'retry' | 'give-up' | 'fatal',
    readonly waitMs?: number,
    readonly rateLimited = false,
  ) {
    super(message);
  }
}

/**
 * Embeds texts with the synthesis rules: an append-only JSONL cache keyed by provider, model (and
 * width) and text, written the moment each answer arrives, so a rerun makes no call for what is
 * there and a killed run loses at most the requests in flight; a lock while it writes; a concurrency
 * limit; retries with backoff that honour retry-after (a 429 pauses every lane); every vector checked
 * for its width and finiteness; a key that never reaches a log, a file or an error message.
 *
 * Every distinct text ends embedded or failed: a batch the server refuses (a 4xx other than auth) is
 * split in halves until the text at fault is alone, so one bad text does not fail its neighbours.
 * Failures are reported together at the end (the successes stay cached), or at once when no call can
 * succeed (401, 403, 404).
 */
export async function httpEmbed(texts: string[], options: HttpEmbedderOptions, cachePath: string, ctx: JobContext): Promise<HttpEmbedResult> {
  const started = Date.now();
  const url = endpoint(options);
  const label = `${options.provider}/${options.model}`;
  const clip = (text: string) => (options.maxChars !== undefined && text.length > options.maxChars ? text.slice(0, options.maxChars) : text);
  const keys = texts.map((text) => vectorKey(options, clip(text)));
  const textOf = new Map(keys.map((key, i) => [key, clip(texts[i])]));
  const unique = [...new Set(keys)];
  let known = await readVectors(cachePath);
  let missing = unique.filter((key) => !known.has(key));
  const result = { calls: 0, embedded: 0, tokens: 0 };
  /** The vectors this run received, as they came (not decoded again from their cache lines). */
  const fresh = new Map<string, Float32Array>();
  if (missing.length > 0) {
    if (options.provider === 'voyage' && !options.apiKey)
      throw new ConfigError(`voyage embeddings need VOYAGE_API_KEY in the environment (${missing.length} texts are not in ${cachePath} yet)`);
    const release = acquireLock(`${cachePath}.lock`, `the embedding cache ${cachePath}`);
    try {
      // Read again under the lock: another job may have embedded some of these meanwhile.
      known = await readVectors(cachePath);
      missing = unique.filter((key) => !known.has(key));
      await embedMissing();
    } finally {
      release();
    }
  }
  const fetched = new Set(missing);
  const cached = keys.filter((key) => !fetched.has(key)).length;
  const dim = widthOf(unique.map((key) => known.get(key)!));
  const vectors = new Float32Array(texts.length * dim);
  keys.forEach((key, row) => {
    const ready = fresh.get(key);
    if (ready) return void vectors.set(ready, row * dim);
    const bytes = Buffer.from(known.get(key)!.vector, 'base64');
    vectors.set(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + dim * 4)), row * dim);
  });
  return { vectors, dim, cached, ...result, seconds: (Date.now() - started) / 1000 };

  /** One width for the whole matrix: the cache may hold another width only if the server changed its model under the same name. */
  function widthOf(records: VectorRecord[]): number {
    const widths = new Set(records.map((record) => record.dim));
    if (widths.size > 1)
      throw new ConfigError(
        `${cachePath} holds ${label} vectors of ${[...widths].join(' and ')} dimensions for these texts (the server changed the model under the same name?): move the file away and embed again`,
      );
    return records[0]?.dim ?? 0;
  }

  async function embedMissing(): Promise<void> {
    // The width every new vector must have: the asked one, else the one this cache already holds for these texts, else the first answer's.
    let expected = options.dimensions ?? unique.map((key) => known.get(key)?.dim).find((dim) => dim !== undefined);
    const batchSize = Math.max(1, options.batchSize ?? 64);
    const batches: string[][] = [];
    for (let i = 0; i < missing.length; i += batchSize) batches.push(missing.slice(i, i + batchSize));
    const gate = new RateGate();
    const abort = new AbortController();
    setMaxListeners(4 * (options.concurrency ?? 4) + 16, abort.signal);
    const failed = new Map<string, string>();
    let fatal: HttpFailure | undefined;
    let stopping = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let lastReport = 0;
    const watch = setInterval(() => {
      if (stopping || !ctx.isCancelled()) return;
      stopping = true;
      graceTimer = setTimeout(() => abort.abort(), options.cancelGraceMs ?? 1500);
    }, 50);
    const appender = new JsonlAppender(cachePath);
    const pool = new HttpPool(Math.max(1, options.concurrency ?? 4));
    const report = (): void => {
      const now = Date.now();
      if (now - lastReport < 100 && result.embedded + failed.size < missing.length) return;
      lastReport = now;
      ctx.progress({
        message: `embedding with ${label}: ${result.embedded + failed.size}/${missing.length} (${unique.length - missing.length} cached${failed.size ? `, ${failed.size} failed` : ''})`,
        fraction: 0.1 + (0.6 * (result.embedded + failed.size)) / Math.max(1, missing.length),
      });
    };

    const runBatch = async (batch: string[]): Promise<void> => {
      let reason = 'not attempted';
      const attempts = Math.max(1, options.maxAttempts ?? 5);
      for (let attempt = 1; attempt <= attempts; attempt++) {
        await gate.wait();
        if (stopping || fatal) return;
        try {
          result.calls++;
          const answer = await request(
            pool,
            batch.map((key) => textOf.get(key)!),
            abort.signal,
          );
          const widths = [...new Set(answer.vectors.map((vector) => vector.length))];
          if (expected === undefined && widths.length > 1) throw new HttpFailure(`vectors of ${widths.join(' and ')} dimensions in one answer`, 'retry');
          // the first consistent answer fixes the width when neither the job nor the cache did
          expected ??= widths[0];
          if (widths.some((width) => width !== expected))
            throw new HttpFailure(`vectors of ${widths.join('/')} dimensions where ${expected} were expected`, 'retry');
          result.tokens += answer.tokens;
          const records = batch.map((key, i): VectorRecord => ({
            v: 1,
            key,
            dim: expected!,
            vector: Buffer.from(answer.vectors[i].buffer).toString('base64'),
          }));
          appender.appendAll(records);
          records.forEach((record, i) => {
            known.set(record.key, record);
            fresh.set(record.key, answer.vectors[i]);
          });
          result.embedded += batch.length;
          report();
          return;
        } catch (error) {
          if (abort.signal.aborted) return; // cancelled: left for the next run, not failed
          const failure = error instanceof HttpFailure ? error : new HttpFailure(redact(describe(error), [options.apiKey]), 'retry');
          reason = failure.message;
          if (failure.kind === 'fatal') {
            fatal ??= failure;
            abort.abort();
            return;
          }
          if (failure.kind === 'give-up') {
            // The server refused these texts: halve the batch until the one at fault stands alone.
            if (batch.length > 1) {
              const half = Math.ceil(batch.length / 2);
              await runBatch(batch.slice(0, half));
              await runBatch(batch.slice(half));
              return;
            }
            break;
          }
          if (attempt >= attempts) break;
          const wait = failure.waitMs ?? backoffMs(attempt, Math.random, options.backoffBaseMs);
          if (failure.rateLimited) gate.pause(wait);
          await sleep(wait);
        }
      }
      if (stopping || fatal) return;
      for (const key of batch) failed.set(key, reason);
      report();
    };

    try {
      await runPool(batches, Math.max(1, options.concurrency ?? 4), runBatch, () => stopping || fatal !== undefined);
    } finally {
      clearInterval(watch);
      clearTimeout(graceTimer);
      appender.close();
      pool.close();
    }
    if (fatal) throw new ConfigError(`${label} embeddings stopped: ${fatal.message}`);
    if (stopping || ctx.isCancelled()) throw new CancelledError();
    if (failed.size > 0) {
      const reasons = [...new Set(failed.values())].slice(0, 3).join('; ');
      throw new ConfigError(
        `${failed.size} of ${missing.length} texts could not be embedded by ${label} (${reasons}); the ${result.embedded} embedded are cached in ${cachePath}: run again to retry the rest`,
      );
    }
  }

  async function request(pool: HttpPool, batch: string[], cancel: AbortSignal): Promise<{ vectors: Float32Array[]; tokens: number }> {
    const body =
      options.provider === 'voyage'
        ? { input: batch, model: options.model, input_type: 'document', ...(options.dimensions ? { output_dimension: options.dimensions } : {}) }
        : { input: batch, model: options.model, encoding_format: 'float', ...(options.dimensions ? { dimensions: options.dimensions } : {}) };
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    };
    // A body cut off mid-transfer, a timeout or a dropped connection rejects here, and is retried.
    const response = await pool.post(url, JSON.stringify(body), headers, cancel, options.timeoutMs ?? 60_000);
    const text = response.text;
    if (response.status < 200 || response.status >= 300) {
      const status = response.status;
      const detail = redact(`HTTP ${status}: ${text.slice(0, 200)}`, [options.apiKey]);
      const wait = retryAfterMs((name) => response.header(name));
      if (status === 429) throw new HttpFailure(detail, 'retry', wait, true);
      if (status === 408 || status === 409 || status >= 500) throw new HttpFailure(detail, 'retry', wait);
      if (status === 401 || status === 403)
        throw new HttpFailure(
          `${detail}${options.apiKey ? '' : ` (no ${options.provider === 'voyage' ? 'VOYAGE_API_KEY' : 'OPENAI_API_KEY'} was set: does the server want one?)`}`,
          'fatal',
        );
      if (status === 404)
        throw new HttpFailure(`${detail} (is ${url} an embeddings endpoint, and does it serve the model ${JSON.stringify(options.model)}?)`, 'fatal');
      throw new HttpFailure(detail, 'give-up');
    }
    let parsed: { data?: Array<{ embedding?: unknown; index?: number }>; usage?: { total_tokens?: number; prompt_tokens?: number } };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpFailure(`malformed JSON from ${url} (${text.length} bytes)`, 'retry');
    }
    const data = parsed?.data;
    if (!Array.isArray(data) || data.length !== batch.length)
      throw new HttpFailure(`expected ${batch.length} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`, 'retry');
    const vectors: Float32Array[] = new Array(batch.length);
    data.forEach((entry, position) => {
      const index = typeof entry?.index === 'number' ? entry.index : position;
      if (!Number.isInteger(index) || index < 0 || index >= batch.length || vectors[index])
        throw new HttpFailure(`an embedding with a bad or repeated index (${String(index)})`, 'retry');
      vectors[index] = float32Vector(entry.embedding);
    });
    const usage = parsed.usage?.total_tokens ?? parsed.usage?.prompt_tokens;
    return { vectors, tokens: typeof usage === 'number' && Number.isFinite(usage) ? usage : 0 };
  }
}

/**
 * A JSON list of numbers as float32, checked in the same pass: every entry a number, finite, and
 * finite still in float32 (a value past ±3.4e38 would become Infinity). Anything else is a bad answer.
 */
function float32Vector(embedding: unknown): Float32Array {
  if (!Array.isArray(embedding) || embedding.length === 0) throw new HttpFailure('an embedding that is not a list of numbers', 'retry');
  const vector = new Float32Array(embedding.length);
  for (let i = 0; i < embedding.length; i++) {
    const value: unknown = embedding[i];
    if (typeof value !== 'number') throw new HttpFailure('an embedding that is not a list of finite numbers', 'retry');
    vector[i] = value;
    if (!Number.isFinite(vector[i])) throw new HttpFailure('an embedding that is not a list of finite numbers', 'retry');
  }
  return vector;
}

/** The cache: key → record; a later record for a key replaces nothing (the first answer stands, like synthesis). */
async function readVectors(cachePath: string): Promise<Map<string, VectorRecord>> {
  const { records } = await readJsonl(cachePath, isVectorRecord);
  const known = new Map<string, VectorRecord>();
  for (const record of records) {
    // a record whose bytes do not hold dim floats is damage, not a vector
    if (!known.has(record.key) && Buffer.byteLength(record.vector, 'base64') === record.dim * 4) known.set(record.key, record);
  }
  return known;
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'request timed out';
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return error instanceof Error ? `${error.name}: ${error.message}${cause}`.slice(0, 300) : String(error).slice(0, 300);
}
