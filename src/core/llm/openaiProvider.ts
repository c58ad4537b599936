// Synthesis through any server that speaks OpenAI's chat completions API: vLLM, Ollama, llama.cpp's
// server, Hugging Face TGI/TEI, LM Studio, or OpenAI itself. The official `openai` SDK does the HTTP
// (typed errors, headers, timeouts), as @anthropic-ai/sdk does for Claude; the job's runner owns every
// retry, so each request is seen and counted. Replies go through the same schema as Claude's.
import OpenAI from 'openai';
import { isLocalServer, openAiRoot } from '../util/endpoints';
import { redact } from '../util/redact';
import { retryAfterMs } from '../util/retry';
import type { CallOptions, ClassifiedError, ProviderReply, SynthesisProvider, SynthesisTask } from './provider';
import { apiSchema } from './schema';
import { ConfigError } from '../util/errors';

export interface OpenAICompatibleOptions {
  /** The server, e.g. http://127.0.0.1:8000 (vLLM) or http://127.0.0.1:11434 (Ollama); `/v1` is added when missing. */
  baseURL: string;
  /** The model name the server serves (required: local servers have no default). */
  model: string;
  /** OPENAI_API_KEY, when the server wants one; none is sent otherwise. */
  apiKey?: string;
  timeoutMs?: number;
  /** Ask for the server's JSON-schema mode (response_format json_schema); dropped for the job if the server refuses it. */
  structuredOutput?: boolean;
  log?: (line: string) => void;
}

/** A 200 whose body is not a chat completion (malformed or cut off): asked again like a 500. */
class MalformedCompletion extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedCompletion';
  }
}

export class OpenAICompatibleProvider implements SynthesisProvider {
  readonly name = 'openai-compatible';
  readonly worldKnowledge = true;
  readonly remote = true;
  /** A server on this machine or a private network costs nothing; elsewhere the price is unknown (token counts only). */
  readonly paid: boolean;
  readonly model: string;
  readonly baseURL: string;
  private readonly client: OpenAI;
  private structured: boolean;
  private readonly secrets: string[];
  private readonly log?: (line: string) => void;

  constructor(options: OpenAICompatibleOptions) {
    if (!options.model) throw new ConfigError('the openai-compatible provider needs a model name (--model, or grasp.texts.model): the one your server serves');
    this.baseURL = openAiRoot(options.baseURL, 'the openai-compatible base URL');
    this.model = options.model;
    this.paid = !isLocalServer(this.baseURL);
    this.structured = options.structuredOutput ?? true;
    this.secrets = [options.apiKey ?? ''];
    this.log = options.log;
    this.client = new OpenAI({
      // Every credential and header is given here, so the SDK reads nothing of its own from the
      // environment (OPENAI_BASE_URL, OPENAI_ORG_ID, …): keys reach it only through this job.
      apiKey: options.apiKey ?? 'unused',
      adminAPIKey: null,
      organization: null,
      project: null,
      baseURL: this.baseURL,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 60_000,
      // No key: no Authorization header at all (a local server needs none).
      defaultHeaders: options.apiKey ? undefined : { Authorization: null },
      logLevel: 'off',
    });
  }

  /** Whether calls still ask for the JSON-schema mode (false once the server has refused it). */
  get structuredOutput(): boolean {
    return this.structured;
  }

  async complete(task: SynthesisTask, options: CallOptions): Promise<ProviderReply> {
    try {
      return await this.request(task, options);
    } catch (error) {
      if (!this.structured || !refusesSchema(error)) throw error;
      // The server has no JSON-schema mode (or not for this model): ask without it from now on; the
      // reply is validated against the same schema either way, and asked again when it breaks it.
      this.structured = false;
      this.log?.(
        `openai-compatible: ${this.baseURL} refused response_format json_schema (${redact(describeError(error), this.secrets)}); asking for JSON by prompt and validating replies`,
      );
      return this.request(task, options);
    }
  }

  private async request(task: SynthesisTask, options: CallOptions): Promise<ProviderReply> {
    // The SDK adds an abort listener to the signal it is given and never removes it: it gets a signal of
    // its own per call, tied to the job's, so thousands of calls do not pile listeners on the job's signal.
    const call = new AbortController();
    const forward = (): void => call.abort();
    if (options.signal?.aborted) call.abort();
    else options.signal?.addEventListener('abort', forward, { once: true });
    try {
      return replyOf(await this.create(task, options.maxTokens, call.signal));
    } finally {
      options.signal?.removeEventListener('abort', forward);
    }
  }

  private create(task: SynthesisTask, maxTokens: number, signal: AbortSignal): Promise<unknown> {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      ...(task.prompt.system ? [{ role: 'system' as const, content: task.prompt.system }] : []),
      { role: 'user', content: task.prompt.user },
    ];
    return this.client.chat.completions.create(
      {
        model: this.model,
        messages,
        // max_tokens, not max_completion_tokens: the field every compatible server reads.
        max_tokens: maxTokens,
        ...(this.structured
          ? { response_format: { type: 'json_schema', json_schema: { name: `${task.entity}_description`, schema: apiSchema(task.entity), strict: true } } }
          : {}),
      },
      { signal },
    );
  }

  /** Sorts an error into retry / give up on this input / stop the job, with a key-free reason. */
  classify(error: unknown): ClassifiedError {
    const reason = redact(describeError(error), this.secrets);
    if (error instanceof OpenAI.RateLimitError)
      return { kind: 'retry', reason, rateLimited: true, retryAfterMs: retryAfterMs((name) => error.headers?.get(name)) };
    if (error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError) {
      return { kind: 'fatal', reason: `${reason}${this.secrets[0] ? '' : ' (no OPENAI_API_KEY was set: does the server want one?)'}` };
    }
    // 404: a wrong base URL or a model the server does not serve; no call can succeed.
    if (error instanceof OpenAI.NotFoundError)
      return {
        kind: 'fatal',
        reason: `${reason} (is ${this.baseURL} an OpenAI-compatible server, and does it serve the model ${JSON.stringify(this.model)}?)`,
      };
    if (
      error instanceof OpenAI.APIConnectionError ||
      error instanceof OpenAI.InternalServerError ||
      (error instanceof OpenAI.APIError && (error.status === 408 || error.status === 409))
    ) {
      const headers = error instanceof OpenAI.APIError ? error.headers : undefined;
      return {
        kind: 'retry',
        reason,
        retryAfterMs: headers ? retryAfterMs((name) => headers.get(name)) : undefined,
        unanswered: error instanceof OpenAI.APIConnectionTimeoutError,
      };
    }
    if (error instanceof OpenAI.APIError) return { kind: 'give-up', reason };
    // A body that was not JSON, or was cut off mid-transfer (a proxy, a crashing server): ask again.
    return { kind: 'retry', reason };
  }
}

/** The text, stop reason and usage of a chat completion; anything else is a MalformedCompletion. */
export function replyOf(completion: unknown): ProviderReply {
  const body = completion as Partial<OpenAI.ChatCompletion> | null;
  const choice = body && typeof body === 'object' && Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!choice || typeof choice !== 'object' || !choice.message)
    throw new MalformedCompletion(
      `not a chat completion (${typeof completion === 'string' ? `text: ${JSON.stringify(completion.slice(0, 60))}` : 'no choices'})`,
    );
  const message = choice.message as { content?: unknown; refusal?: unknown };
  const text = typeof message.content === 'string' ? message.content : '';
  // finish_reason "length" is a reply cut at max_tokens: the runner gives the next attempt more room.
  const stopReason =
    message.refusal || choice.finish_reason === 'content_filter'
      ? 'refusal'
      : choice.finish_reason === 'length'
        ? 'max_tokens'
        : (choice.finish_reason ?? null);
  const usage = body?.usage;
  return { text, stopReason, usage: { inputTokens: count(usage?.prompt_tokens), outputTokens: count(usage?.completion_tokens) } };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** A 400/422 about response_format: the server (or this model) has no JSON-schema mode. */
function refusesSchema(error: unknown): boolean {
  if (!(
    error instanceof OpenAI.BadRequestError ||
    error instanceof OpenAI.UnprocessableEntityError ||
    (error instanceof OpenAI.APIError && error.status === 501)
  ))
    return false;
  return /response_format|json_schema|schema|grammar|structured/i.test(error.message);
}

function describeError(error: unknown): string {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return 'request timed out';
  if (error instanceof OpenAI.APIError) return `${error.status ?? 'connection'} ${error.name}: ${error.message}`.slice(0, 300);
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error).slice(0, 300);
}
