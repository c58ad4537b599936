import { CancelledError, type JobContext } from '../jobs/context';
import { sha256Hex } from '../util/hash';
import { JsonlAppender, readJsonl } from '../util/jsonl';
import { runPool, sleep } from '../util/pool';
import { redact } from '../util/redact';
import { backoffMs, retryAfterMs } from '../util/retry';
import { ConfigError } from '../util/errors';

export type HttpEmbedderName = 'voyage' | 'openai-compatible';

export interface HttpEmbedderOptions {
  provider: HttpEmbedderName;
  model: string;
  /** voyage: https://api.voyageai.com by default; openai-compatible: required (…/v1/embeddings is appended). */
  baseURL?: string;
  apiKey?: string;
  /** Texts per request. */
  batchSize?: number;
  concurrency?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
}

export interface HttpEmbedResult {
  vectors: Float32Array;
  dim: number;
  calls: number;
  cached: number;
  tokens: number;
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
  return !!record && record.v === 1 && typeof record.key === 'string' && typeof record.vector === 'string' && typeof record.dim === 'number';
}

export const DEFAULT_EMBEDDING_MODELS: Record<HttpEmbedderName, string> = { voyage: 'voyage-3.5-lite', 'openai-compatible': 'text-embedding-3-small' };

export function endpoint(options: Pick<HttpEmbedderOptions, 'provider' | 'baseURL'>): string {
  const base = (options.baseURL ?? (options.provider === 'voyage' ? 'https://api.voyageai.com' : '')).replace(/\/+$/, '');
  if (!base) throw new ConfigError('openai-compatible embeddings need a base URL (--base-url, e.g. http://127.0.0.1:11434 for Ollama)');
  return base.endsWith('/v1') ? `${base}/embeddings` : `${base}/v1/embeddings`;
}

class HttpFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly waitMs?: number,
  ) {
    super(message);
  }
}

/**
 * Embeds texts through an HTTP `/v1/embeddings` endpoint (Voyage, OpenAI, or any compatible local
 * server such as Ollama, vLLM or TEI), with the synthesis rules: a JSONL cache keyed by provider,
 * model and text (append-only, resumable), a concurrency limit, retries with backoff that honour
 * retry-after, and a key that never reaches a log, a file or an error message.
 */
export async function httpEmbed(texts: string[], options: HttpEmbedderOptions, cachePath: string, ctx: JobContext): Promise<HttpEmbedResult> {
  const url = endpoint(options);
  const keyOf = (text: string) => sha256Hex(JSON.stringify([options.provider, options.model, text]));
  const { records } = await readJsonl(cachePath, isVectorRecord);
  const known = new Map(records.map((record) => [record.key, record]));
  const keys = texts.map(keyOf);
  const missing = [...new Set(keys.filter((key) => !known.has(key)))];
  const textOf = new Map(keys.map((key, i) => [key, texts[i]]));
  const result = { calls: 0, cached: keys.length - keys.filter((key) => !known.has(key)).length, tokens: 0 };
  const batchSize = options.batchSize ?? 64;
  const batches: string[][] = [];
  for (let i = 0; i < missing.length; i += batchSize) batches.push(missing.slice(i, i + batchSize));
  const appender = new JsonlAppender(cachePath);
  let done = 0;
  try {
    await runPool(batches, options.concurrency ?? 4, async (batch) => {
      const vectors = await requestWithRetries(batch.map((key) => textOf.get(key)!));
      batch.forEach((key, i) => {
        const record: VectorRecord = { v: 1, key, dim: vectors[i].length, vector: Buffer.from(Float32Array.from(vectors[i]).buffer).toString('base64') };
        appender.append(record);
        known.set(key, record);
      });
      done += batch.length;
      ctx.progress({ message: `embedding with ${options.provider}/${options.model}: ${done}/${missing.length} (${result.cached} cached)`, fraction: 0.1 + (0.6 * done) / Math.max(1, missing.length) });
    }, () => ctx.isCancelled());
  } finally {
    appender.close();
  }
  if (ctx.isCancelled()) throw new CancelledError();
  const dim = known.get(keys[0])?.dim ?? 0;
  const vectors = new Float32Array(texts.length * dim);
  keys.forEach((key, row) => {
    const record = known.get(key)!;
    if (record.dim !== dim) throw new ConfigError(`${options.provider}/${options.model} returned vectors of ${record.dim} and ${dim} dimensions`);
    const bytes = Buffer.from(record.vector, 'base64');
    vectors.set(new Float32Array(bytes.buffer, bytes.byteOffset, dim), row * dim);
  });
  return { vectors, dim, ...result };

  async function requestWithRetries(batch: string[]): Promise<number[][]> {
    const attempts = options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      if (ctx.isCancelled()) throw new CancelledError();
      try {
        result.calls++;
        return await request(batch);
      } catch (error) {
        const failure = error instanceof HttpFailure ? error : new HttpFailure(redact(describe(error), [options.apiKey]), true);
        if (!failure.retryable || attempt >= attempts) throw new ConfigError(`${options.provider} embeddings failed after ${attempt} attempt(s): ${failure.message}`);
        await sleep(failure.waitMs ?? backoffMs(attempt, Math.random, options.backoffBaseMs));
      }
    }
  }

  async function request(batch: string[]): Promise<number[][]> {
    const body = options.provider === 'voyage' ? { input: batch, model: options.model, input_type: 'document' } : { input: batch, model: options.model, encoding_format: 'float' };
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    const text = await response.text();
    if (!response.ok) {
      const retryable = response.status === 408 || response.status === 409 || response.status === 429 || response.status >= 500;
      throw new HttpFailure(redact(`HTTP ${response.status}: ${text.slice(0, 200)}`, [options.apiKey]), retryable, retryAfterMs((name) => response.headers.get(name)));
    }
    let parsed: { data?: Array<{ embedding?: unknown; index?: number }>; usage?: { total_tokens?: number } };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new HttpFailure(`malformed JSON from ${url}`, true);
    }
    const data = parsed.data;
    if (!Array.isArray(data) || data.length !== batch.length) throw new HttpFailure(`expected ${batch.length} embeddings, got ${Array.isArray(data) ? data.length : 'none'}`, true);
    const vectors: number[][] = new Array(batch.length);
    data.forEach((entry, position) => {
      const index = typeof entry.index === 'number' ? entry.index : position;
      if (!Array.isArray(entry.embedding) || !entry.embedding.every((x) => typeof x === 'number' && Number.isFinite(x)) || index < 0 || index >= batch.length) {
        throw new HttpFailure('an embedding that is not a list of finite numbers', true);
      }
      vectors[index] = entry.embedding as number[];
    });
    result.tokens += parsed.usage?.total_tokens ?? 0;
    return vectors;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'request timed out';
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
