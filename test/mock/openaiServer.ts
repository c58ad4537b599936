// A stand-in for an OpenAI-compatible server (vLLM, Ollama, llama.cpp, TEI, LM Studio) on 127.0.0.1,
// for tests and benchmarks: `/v1/embeddings` and `/v1/chat/completions`, driven by the real clients
// (fetch for embeddings, the openai SDK for chat). Injectable latency and faults, per request: 429 with
// retry-after, 500, timeouts (a request left hanging), malformed JSON bodies, bodies cut off mid-transfer,
// and, per endpoint, vectors of the wrong width / chat replies cut at max_tokens or breaking the schema.
// A server without a JSON-schema mode (`jsonSchema: false`) refuses response_format json_schema with a
// 400, as some do. It logs every request so a test can check what was sent, and what was sent again.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FALLBACK_SCHEMA, instanceOf, promptHash, type JsonSchema } from './anthropicServer';
import { MockServer, type MockServerOptions } from './mockServer';

export interface OpenAIMockFaults {
  rateLimit?: number;
  serverError?: number;
  timeout?: number;
  /** a 200 whose body is not JSON */
  malformed?: number;
  /** a 200 whose body stops half way (the connection is cut) */
  cutOff?: number;
  /** embeddings: one vector one element short */
  wrongWidth?: number;
  /** chat: the reply cut at max_tokens (finish_reason "length") */
  truncated?: number;
  /** chat: JSON that breaks the schema */
  schemaBreak?: number;
}

export interface OpenAIMockOptions extends MockServerOptions {
  faults?: OpenAIMockFaults;
  retryAfterMs?: number;
  /** Requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Width of the vectors (a request's `dimensions` is honoured when `dimensionsParam` is true). */
  dim?: number;
  dimensionsParam?: boolean;
  /** Whether chat accepts response_format json_schema (false: 400, like a server without it). */
  jsonSchema?: boolean;
  /** Any embeddings request holding a text with this substring gets 400 (a text the model refuses). */
  rejectText?: string;
  /** Models this server serves (others: 404); any when absent. */
  models?: string[];
}

export type OpenAIOutcome =
  | 'ok'
  | 'rate-limit'
  | 'server-error'
  | 'timeout'
  | 'malformed'
  | 'cut-off'
  | 'wrong-width'
  | 'truncated'
  | 'schema-break'
  | 'unauthorized'
  | 'bad-request'
  | 'not-found'
  | 'no-json-schema';

export interface OpenAILoggedRequest {
  at: number;
  kind: 'embeddings' | 'chat';
  /** Embeddings: a hash per text; chat: the prompt's hash (promptHash of system and user). */
  inputs: string[];
  outcome: OpenAIOutcome;
  answeredAt?: number;
  /** chat: whether it asked for json_schema. */
  schema?: boolean;
  /** chat: the user message, for leakage checks. */
  prompt?: string;
}

const FAULTS: Array<[keyof OpenAIMockFaults, OpenAIOutcome, 'embeddings' | 'chat' | 'both']> = [
  ['rateLimit', 'rate-limit', 'both'],
  ['serverError', 'server-error', 'both'],
  ['timeout', 'timeout', 'both'],
  ['malformed', 'malformed', 'both'],
  ['cutOff', 'cut-off', 'both'],
  ['wrongWidth', 'wrong-width', 'embeddings'],
  ['truncated', 'truncated', 'chat'],
  ['schemaBreak', 'schema-break', 'chat'],
];

/** The mock's name for a text it embedded: tests compute it to follow one text. */
export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The mock's deterministic vector of a text: a test can check what it got back. Values are multiples
 * of 1/64 (exact in float32, and short in JSON), so the mock spends little time printing them and a
 * benchmark measures the client, not the mock's number formatting.
 */
export function mockVector(text: string, dim: number): number[] {
  return Array.from(mockBytes(text, dim), (byte) => (byte - 128) / 64);
}

function mockBytes(text: string, dim: number): Uint8Array {
  const digest = createHash('sha256').update(text).digest();
  const bytes = new Uint8Array(dim);
  for (let i = 0; i < dim; i++) bytes[i] = digest[(i * 7 + (i >> 5)) % digest.length] + (i === 0 ? text.length % 64 : 0);
  return bytes;
}

/** The JSON text of each of the 256 values a mock vector holds: a benchmark's answers are assembled, not printed number by number. */
const VALUE_TEXT = Array.from({ length: 256 }, (_, byte) => JSON.stringify((byte - 128) / 64));

/** The JSON of mockVector(text, dim), built from VALUE_TEXT. */
function mockVectorJson(text: string, dim: number): string {
  const bytes = mockBytes(text, dim);
  let json = '[';
  for (let i = 0; i < bytes.length; i++) json += i === 0 ? VALUE_TEXT[bytes[i]] : `,${VALUE_TEXT[bytes[i]]}`;
  return `${json}]`;
}

export class MockOpenAI extends MockServer<OpenAIMockOptions, OpenAILoggedRequest> {
  static start(options: OpenAIMockOptions = {}): Promise<MockOpenAI> {
    return new MockOpenAI(options).listen();
  }

  stats(): { requests: number; byOutcome: Record<string, number>; maxInFlight: number; textsEmbedded: number } {
    const byOutcome: Record<string, number> = {};
    let textsEmbedded = 0;
    for (const entry of this.log) {
      byOutcome[entry.outcome] = (byOutcome[entry.outcome] ?? 0) + 1;
      if (entry.kind === 'embeddings' && entry.outcome === 'ok') textsEmbedded += entry.inputs.length;
    }
    return { requests: this.log.length, byOutcome, maxInFlight: this.maxInFlight, textsEmbedded };
  }

  /** Inputs (texts or prompts) sent again after a request holding them had succeeded (from log entry `since` on): should be empty. */
  sentAfterSuccess(since = 0): string[] {
    const succeededAt = new Map<string, number>();
    const entries = this.log.slice(since);
    for (const entry of entries) {
      if (entry.outcome !== 'ok' || entry.answeredAt === undefined) continue;
      for (const input of entry.inputs) succeededAt.set(input, Math.min(succeededAt.get(input) ?? Infinity, entry.answeredAt));
    }
    const again = new Set<string>();
    for (const entry of entries) for (const input of entry.inputs) if (entry.at > (succeededAt.get(input) ?? Infinity)) again.add(input);
    return [...again];
  }

  protected handle(request: IncomingMessage, url: URL, body: string, response: ServerResponse): void {
    const kind = url.pathname === '/v1/embeddings' ? 'embeddings' : url.pathname === '/v1/chat/completions' ? 'chat' : undefined;
    if (request.method !== 'POST' || !kind) return error(response, 404, `no route ${request.method} ${url.pathname}`);
    let params: Record<string, unknown>;
    try {
      params = JSON.parse(body) as Record<string, unknown>;
      if (typeof params.model !== 'string') throw new Error('model is required');
    } catch (problem) {
      return this.later(() => error(response, 400, (problem as Error).message));
    }
    const inputs = kind === 'embeddings' ? embeddingInputs(params.input) : [chatHash(params)];
    const entry: OpenAILoggedRequest = { at: Date.now(), kind, inputs: inputs.map((text) => (kind === 'embeddings' ? textHash(text) : text)), outcome: 'ok' };
    if (kind === 'chat') {
      entry.schema = (params.response_format as { type?: string } | undefined)?.type === 'json_schema';
      entry.prompt = chatPrompt(params).user;
    }
    this.log.push(entry);
    response.once('finish', () => (entry.answeredAt = Date.now()));
    const authorization = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (this.options.apiKey !== undefined && authorization !== this.options.apiKey) {
      entry.outcome = 'unauthorized';
      return this.later(() => error(response, 401, 'invalid api key (mock)'));
    }
    if (this.options.models && !this.options.models.includes(params.model as string)) {
      entry.outcome = 'not-found';
      return this.later(() => error(response, 404, `model ${String(params.model)} not found (mock)`));
    }
    if (kind === 'embeddings' && this.options.rejectText && inputs.some((text) => text.includes(this.options.rejectText!))) {
      entry.outcome = 'bad-request';
      return this.later(() => error(response, 400, 'input too long for the model (mock)'));
    }
    if (kind === 'chat' && entry.schema && this.options.jsonSchema === false) {
      entry.outcome = 'no-json-schema';
      return this.later(() => error(response, 400, "response_format type 'json_schema' is not supported by this server (mock)"));
    }
    entry.outcome = this.pickOutcome(kind);
    if (entry.outcome === 'timeout') return this.hang(response);
    this.later(() => {
      const retryAfter = this.options.retryAfterMs ?? 100;
      switch (entry.outcome) {
        case 'rate-limit':
          return error(response, 429, 'rate limited (mock)', { 'retry-after': String(Math.ceil(retryAfter / 1000)), 'retry-after-ms': String(retryAfter) });
        case 'server-error':
          return error(response, 500, 'internal error (mock)');
        case 'malformed':
          response.writeHead(200, { 'content-type': 'application/json' });
          return void response.end('{"object": "list", "data": [{"embedding": [0.1, 0.2,');
        case 'cut-off': {
          const full = kind === 'embeddings' ? this.embeddingsJson(params, inputs, 'ok') : JSON.stringify(this.completion(params, 'ok'));
          response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(full)) });
          response.write(full.slice(0, Math.floor(full.length / 2)));
          // the connection ends before the promised length: the client's body read fails
          return void setTimeout(() => response.destroy(), 5);
        }
        default:
          if (kind === 'embeddings') return raw(response, 200, this.embeddingsJson(params, inputs, entry.outcome));
          return json(response, 200, this.completion(params, entry.outcome));
      }
    });
  }

  private pickOutcome(kind: 'embeddings' | 'chat'): OpenAIOutcome {
    let draw = this.random();
    for (const [name, outcome, applies] of FAULTS) {
      if (applies !== 'both' && applies !== kind) continue;
      draw -= this.options.faults?.[name] ?? 0;
      if (draw < 0) return outcome;
    }
    return 'ok';
  }

  /** The body of an embeddings answer (assembled as text: see VALUE_TEXT). */
  private embeddingsJson(params: Record<string, unknown>, inputs: string[], outcome: OpenAIOutcome): string {
    const asked = typeof params.dimensions === 'number' && this.options.dimensionsParam ? params.dimensions : undefined;
    const dim = asked ?? this.options.dim ?? 16;
    const data = inputs.map(
      (text, index) => `{"object":"embedding","index":${index},"embedding":${mockVectorJson(text, outcome === 'wrong-width' && index === 0 ? dim - 1 : dim)}}`,
    );
    const tokens = inputs.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
    // answers out of order, as some servers do: clients must use `index`
    return `{"object":"list","model":${JSON.stringify(params.model)},"data":[${data.reverse().join(',')}],"usage":{"prompt_tokens":${tokens},"total_tokens":${tokens}}}`;
  }

  private completion(params: Record<string, unknown>, outcome: OpenAIOutcome): unknown {
    const hash = chatHash(params);
    const format = params.response_format as { type?: string; json_schema?: { schema?: JsonSchema } } | undefined;
    const good = JSON.stringify(instanceOf(format?.json_schema?.schema ?? FALLBACK_SCHEMA, hash, 'root'));
    const content =
      outcome === 'truncated' ? good.slice(0, Math.floor(good.length / 2)) : outcome === 'schema-break' ? JSON.stringify({ summary: 42, extra: true }) : good;
    const prompt = chatPrompt(params);
    return {
      id: `chatcmpl-mock-${hash.slice(0, 8)}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: params.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: outcome === 'truncated' ? 'length' : 'stop' }],
      usage: {
        prompt_tokens: Math.ceil((prompt.system.length + prompt.user.length) / 4) + 10,
        completion_tokens: Math.ceil(content.length / 4),
        total_tokens: 0,
      },
    };
  }
}

function embeddingInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  return Array.isArray(input) ? input.map((text) => String(text)) : [];
}

function chatPrompt(params: Record<string, unknown>): { system: string; user: string } {
  const messages = Array.isArray(params.messages) ? (params.messages as Array<{ role?: string; content?: unknown }>) : [];
  const text = (role: string) =>
    messages
      .filter((message) => message.role === role)
      .map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content)))
      .join('\n');
  return { system: text('system'), user: text('user') };
}

/** Chat inputs are named like the Anthropic mock names them: promptHash(system, user). */
function chatHash(params: Record<string, unknown>): string {
  const { system, user } = chatPrompt(params);
  return promptHash(system, user);
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function raw(response: ServerResponse, status: number, body: string): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body);
}

function error(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  json(response, status, { error: { message, type: 'mock_error', code: status } }, headers);
}
