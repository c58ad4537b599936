// A stand-in for the Anthropic API on 127.0.0.1, for tests and benchmarks: the real @anthropic-ai/sdk
// talks to it through `baseURL`. It implements the Messages API and the Message Batches API (create,
// retrieve, results), with injectable latency and faults: 429 with retry-after, 500, 529 overloaded,
// timeouts (a request left hanging), malformed JSON, truncated JSON (stop_reason max_tokens) and
// replies that parse but break the schema. It logs every request so a test can check what was sent.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MockServer, type MockServerOptions } from './mockServer';

export interface MockFaults {
  rateLimit?: number;
  serverError?: number;
  overloaded?: number;
  timeout?: number;
  malformed?: number;
  truncated?: number;
  schemaBreak?: number;
}

export interface MockOptions extends MockServerOptions {
  /** Probability of each fault per request (they add up; the rest succeed). */
  faults?: MockFaults;
  /** The wait a 429 asks for (sent as retry-after-ms, and rounded up in seconds as retry-after). */
  retryAfterMs?: number;
  /** Requests without this x-api-key get 401. */
  apiKey?: string;
  /** How long a batch stays in progress. */
  batchProcessingMs?: number;
}

export type Outcome =
  'ok' | 'rate-limit' | 'server-error' | 'overloaded' | 'timeout' | 'malformed' | 'truncated' | 'schema-break' | 'unauthorized' | 'bad-request';

export interface LoggedRequest {
  at: number;
  /** Hash of the prompt (system + messages): the same input always hashes the same. */
  input: string;
  outcome: Outcome;
  via: 'messages' | 'batch';
  /** The user message text, for leakage checks. */
  prompt: string;
  /** When the answer was handed to the connection (undefined: never answered, e.g. a timeout fault). */
  answeredAt?: number;
}

export interface MockStats {
  requests: number;
  byOutcome: Record<string, number>;
  maxInFlight: number;
  batchesCreated: number;
}

interface MockBatch {
  id: string;
  createdAt: number;
  endsAt: number;
  results: Array<{ custom_id: string; result: unknown }>;
}

const FAULT_ORDER: Array<[keyof MockFaults, Outcome]> = [
  ['rateLimit', 'rate-limit'],
  ['serverError', 'server-error'],
  ['overloaded', 'overloaded'],
  ['timeout', 'timeout'],
  ['malformed', 'malformed'],
  ['truncated', 'truncated'],
  ['schemaBreak', 'schema-break'],
];

export class MockAnthropic extends MockServer<MockOptions, LoggedRequest> {
  private readonly batches = new Map<string, MockBatch>();
  private nextId = 1;

  static start(options: MockOptions = {}): Promise<MockAnthropic> {
    return new MockAnthropic(options).listen();
  }

  stats(): MockStats {
    const byOutcome: Record<string, number> = {};
    for (const entry of this.log) byOutcome[entry.outcome] = (byOutcome[entry.outcome] ?? 0) + 1;
    return { requests: this.log.length, byOutcome, maxInFlight: this.maxInFlight, batchesCreated: this.batches.size };
  }

  sentAfterSuccess(since = 0): string[] {
    // A success counts from the moment its answer went out: a request that arrived while the answer
    // was still on its way (a client timeout racing it) is a retry the client had to make, not a repeat.
    const succeededAt = new Map<string, number>();
    const entries = this.log.slice(since);
    for (const entry of entries) {
      if (entry.outcome === 'ok' && entry.answeredAt !== undefined)
        succeededAt.set(entry.input, Math.min(succeededAt.get(entry.input) ?? Infinity, entry.answeredAt));
    }
    return [...new Set(entries.filter((entry) => entry.at > (succeededAt.get(entry.input) ?? Infinity)).map((entry) => entry.input))];
  }

  protected handle(request: IncomingMessage, url: URL, body: string, response: ServerResponse): void {
    // The SDK sends the key as x-api-key or as a bearer token, depending on its version and options.
    const key = request.headers['x-api-key'] ?? request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (this.options.apiKey !== undefined && key !== this.options.apiKey) {
      return this.later(() => error(response, 401, 'authentication_error', 'invalid x-api-key'));
    }
    if (request.method === 'POST' && url.pathname === '/v1/messages') return this.message(body, response);
    if (request.method === 'POST' && url.pathname === '/v1/messages/batches') return this.createBatch(body, response);
    const batchPath = /^\/v1\/messages\/batches\/([^/]+)(\/results)?$/.exec(url.pathname);
    if (request.method === 'GET' && batchPath) {
      const batch = this.batches.get(batchPath[1]);
      if (!batch) return error(response, 404, 'not_found_error', 'no such batch');
      if (!batchPath[2]) return json(response, 200, this.batchObject(batch));
      if (Date.now() < batch.endsAt) return error(response, 400, 'invalid_request_error', 'batch still in progress');
      response.writeHead(200, { 'content-type': 'application/binary' });
      return void response.end(batch.results.map((line) => JSON.stringify(line)).join('\n') + '\n');
    }
    error(response, 404, 'not_found_error', `no route ${request.method} ${url.pathname}`);
  }

  private pickOutcome(): Outcome {
    let draw = this.random();
    for (const [name, outcome] of FAULT_ORDER) {
      draw -= this.options.faults?.[name] ?? 0;
      if (draw < 0) return outcome;
    }
    return 'ok';
  }

  private message(body: string, response: ServerResponse): void {
    let params: MessageParams;
    try {
      params = parseParams(JSON.parse(body));
    } catch (problem) {
      return this.later(() => error(response, 400, 'invalid_request_error', (problem as Error).message));
    }
    const outcome = this.pickOutcome();
    const entry: LoggedRequest = { at: Date.now(), input: inputHash(params), outcome, via: 'messages', prompt: promptText(params) };
    this.log.push(entry);
    response.once('finish', () => (entry.answeredAt = Date.now()));
    if (outcome === 'timeout') return this.hang(response);
    this.later(() => {
      const retryAfter = this.options.retryAfterMs ?? 100;
      switch (outcome) {
        case 'rate-limit':
          return error(response, 429, 'rate_limit_error', 'rate limited (mock)', {
            'retry-after': String(Math.ceil(retryAfter / 1000)),
            'retry-after-ms': String(retryAfter),
          });
        case 'server-error':
          return error(response, 500, 'api_error', 'internal error (mock)', { 'retry-after-ms': String(retryAfter) });
        case 'overloaded':
          return error(response, 529, 'overloaded_error', 'overloaded (mock)', { 'retry-after-ms': String(retryAfter) });
        default:
          return json(response, 200, this.reply(params, outcome));
      }
    });
  }

  private reply(params: MessageParams, outcome: Outcome): unknown {
    const hash = inputHash(params);
    const good = JSON.stringify(instanceOf(params.schema ?? FALLBACK_SCHEMA, hash, 'root'));
    const text =
      outcome === 'malformed'
        ? `Here you go: {summary: '${hash.slice(0, 6)}'`
        : outcome === 'truncated'
          ? good.slice(0, Math.floor(good.length / 2))
          : outcome === 'schema-break'
            ? JSON.stringify({ summary: 42, extra: true })
            : good;
    return {
      id: `msg_mock_${this.nextId++}`,
      type: 'message',
      role: 'assistant',
      model: params.model,
      content: [{ type: 'text', text }],
      stop_reason: outcome === 'truncated' ? 'max_tokens' : 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: Math.ceil(promptText(params).length / 4) + 20,
        output_tokens: Math.ceil(text.length / 4),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    };
  }

  private createBatch(body: string, response: ServerResponse): void {
    let requests: Array<{ custom_id: string; params: unknown }>;
    try {
      requests = (JSON.parse(body) as { requests: Array<{ custom_id: string; params: unknown }> }).requests;
      if (!Array.isArray(requests) || requests.length === 0) throw new Error('requests: expected a non-empty array');
      for (const request of requests) if (!/^[a-zA-Z0-9_-]{1,64}$/.test(request.custom_id)) throw new Error(`custom_id ${request.custom_id} is invalid`);
    } catch (problem) {
      return this.later(() => error(response, 400, 'invalid_request_error', (problem as Error).message));
    }
    const id = `msgbatch_mock_${this.nextId++}`;
    const now = Date.now();
    const results = requests.map(({ custom_id, params: raw }) => {
      const params = parseParams(raw);
      const outcome = this.pickOutcome();
      this.log.push({ at: now, input: inputHash(params), outcome, via: 'batch', prompt: promptText(params), answeredAt: now });
      const errored = (type: string) => ({ type: 'errored', error: { type: 'error', error: { type, message: `${type} (mock)` } } });
      const result =
        outcome === 'rate-limit' || outcome === 'overloaded'
          ? errored('overloaded_error')
          : outcome === 'server-error'
            ? errored('api_error')
            : outcome === 'timeout'
              ? { type: 'expired' }
              : { type: 'succeeded', message: this.reply(params, outcome) };
      return { custom_id, result };
    });
    const batch: MockBatch = { id, createdAt: now, endsAt: now + (this.options.batchProcessingMs ?? 200), results };
    this.batches.set(id, batch);
    this.later(() => json(response, 200, this.batchObject(batch)));
  }

  private batchObject(batch: MockBatch): unknown {
    const ended = Date.now() >= batch.endsAt;
    const count = (type: string) => (ended ? batch.results.filter((line) => (line.result as { type: string }).type === type).length : 0);
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : 'in_progress',
      request_counts: {
        processing: ended ? 0 : batch.results.length,
        succeeded: count('succeeded'),
        errored: count('errored'),
        canceled: 0,
        expired: count('expired'),
      },
      created_at: new Date(batch.createdAt).toISOString(),
      expires_at: new Date(batch.createdAt + 86_400_000).toISOString(),
      ended_at: ended ? new Date(batch.endsAt).toISOString() : null,
      archived_at: null,
      cancel_initiated_at: null,
      results_url: ended ? `${this.url}/v1/messages/batches/${batch.id}/results` : null,
    };
  }
}

interface MessageParams {
  model: string;
  system: string;
  messages: Array<{ role: string; content: unknown }>;
  schema?: JsonSchema;
}

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: string[];
}

export const FALLBACK_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    summary: { type: 'string' },
    claims: {
      type: 'object',
      properties: {
        category: { type: 'string' },
        brand: { type: 'string' },
        attributes: { type: 'array', items: { type: 'string' } },
        audience: { type: 'string' },
        price_tier: { type: 'string', enum: ['unknown'] },
      },
    },
  },
};

function parseParams(raw: unknown): MessageParams {
  const params = raw as { model?: unknown; max_tokens?: unknown; system?: unknown; messages?: unknown; output_config?: { format?: { schema?: JsonSchema } } };
  if (typeof params?.model !== 'string' || typeof params.max_tokens !== 'number' || !Array.isArray(params.messages))
    throw new Error('model, max_tokens and messages are required');
  return {
    model: params.model,
    system: typeof params.system === 'string' ? params.system : '',
    messages: params.messages as MessageParams['messages'],
    schema: params.output_config?.format?.schema,
  };
}

function promptText(params: MessageParams): string {
  return params.messages.map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content))).join('\n');
}

function inputHash(params: MessageParams): string {
  return promptHash(params.system, promptText(params));
}

/** How the mock names an input: a test can compute it from a rendered prompt to follow one input. */
export function promptHash(system: string, user: string): string {
  return createHash('sha256').update(system).update('\0').update(user).digest('hex');
}

/** A minimal valid instance of a JSON schema, varied by the input so different inputs get different texts. */
export function instanceOf(schema: JsonSchema, hash: string, name: string): unknown {
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, instanceOf(value, hash, key)]));
    case 'array':
      return [instanceOf(schema.items ?? { type: 'string' }, hash, name)];
    case 'number':
    case 'integer':
      return 1;
    default:
      return name === 'summary' ? `Mock text for input ${hash.slice(0, 12)}: a plausible product.` : `${name} ${hash.slice(0, 4)}`;
  }
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_mock_${Date.now()}`, ...headers });
  response.end(JSON.stringify(body));
}

function error(response: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  json(response, status, { type: 'error', error: { type, message } }, headers);
}
