import Anthropic from '@anthropic-ai/sdk';
import { redact } from '../util/redact';
import { retryAfterMs } from '../util/retry';
import type { CallOptions, ClassifiedError, ProviderReply, SynthesisProvider, SynthesisTask } from './provider';
import { apiSchema } from './schema';

/**
 * The cheapest current model named in the installed SDK's model list: the Haiku tier is the cheapest,
 * and Haiku 4.5 is its newest version that is not deprecated and has a published price.
 */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-haiku-4-5';

export interface AnthropicOptions {
  apiKey: string;
  model?: string;
  /** For a proxy, a gateway or the test mock; the SDK default otherwise. */
  baseURL?: string;
  /** The SDK's own retries per call (it honours retry-after and backs off); ours come on top. */
  maxRetries?: number;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
  /** Ask the API to constrain replies to the output schema (structured outputs). */
  structuredOutput?: boolean;
  /** Where the SDK's warnings go (already redacted). */
  log?: (line: string) => void;
}

export function createAnthropicClient(options: AnthropicOptions): Anthropic {
  const secrets = [options.apiKey];
  const sink =
    (level: string) =>
    (message: string, ...rest: unknown[]) =>
      options.log?.(
        redact(
          `anthropic sdk ${level}: ${[message, ...rest.map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : ''))].join(' ')}`,
          secrets,
        ),
      );
  return new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    // The job's runner owns every retry (backoff, retry-after, the shared rate gate), so each request
    // is seen and counted, timed-out ones included (they may be billed); the SDK retries nothing itself.
    maxRetries: options.maxRetries ?? 0,
    timeout: options.timeoutMs ?? 60_000,
    logger: { error: sink('error'), warn: sink('warn'), info: () => {}, debug: () => {} },
  });
}

/** The request body for one task: used by the Messages API and, per request, by the Batches API. */
export function messageParams(task: SynthesisTask, model: string, maxTokens: number, structuredOutput: boolean): Anthropic.MessageCreateParamsNonStreaming {
  return {
    model,
    max_tokens: maxTokens,
    ...(task.prompt.system ? { system: task.prompt.system } : {}),
    messages: [{ role: 'user', content: task.prompt.user }],
    ...(structuredOutput ? { output_config: { format: { type: 'json_schema', schema: apiSchema(task.entity) } } } : {}),
  };
}

export function replyOf(message: Anthropic.Message): ProviderReply {
  const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
  return { text, stopReason: message.stop_reason, usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens } };
}

export class AnthropicProvider implements SynthesisProvider {
  readonly name = 'anthropic';
  readonly worldKnowledge = true;
  readonly paid = true;
  readonly remote = true;
  readonly model: string;
  readonly client: Anthropic;
  readonly structuredOutput: boolean;
  private readonly secrets: string[];

  constructor(options: AnthropicOptions) {
    this.model = options.model ?? DEFAULT_ANTHROPIC_MODEL;
    this.client = createAnthropicClient(options);
    this.structuredOutput = options.structuredOutput ?? true;
    this.secrets = [options.apiKey];
  }

  async complete(task: SynthesisTask, options: CallOptions): Promise<ProviderReply> {
    const message = await this.client.messages.create(messageParams(task, this.model, options.maxTokens, this.structuredOutput), { signal: options.signal });
    return replyOf(message);
  }

  /** Sorts an SDK error into retry / give up on this input / stop the job, with a key-free reason. */
  classify(error: unknown): ClassifiedError {
    const reason = redact(describeError(error), this.secrets);
    if (error instanceof Anthropic.RateLimitError) {
      return { kind: 'retry', reason, rateLimited: true, retryAfterMs: retryAfterMs((name) => error.headers?.get(name)) };
    }
    if (error instanceof Anthropic.AuthenticationError || error instanceof Anthropic.PermissionDeniedError || error instanceof Anthropic.NotFoundError) {
      return { kind: 'fatal', reason };
    }
    if (
      error instanceof Anthropic.APIConnectionError ||
      error instanceof Anthropic.InternalServerError ||
      (error instanceof Anthropic.APIError && (error.status === 408 || error.status === 409))
    ) {
      const headers = error instanceof Anthropic.APIError ? error.headers : undefined;
      return {
        kind: 'retry',
        reason,
        retryAfterMs: headers ? retryAfterMs((name) => headers.get(name)) : undefined,
        unanswered: error instanceof Anthropic.APIConnectionTimeoutError,
      };
    }
    return { kind: 'give-up', reason };
  }
}

function describeError(error: unknown): string {
  if (error instanceof Anthropic.APIConnectionTimeoutError) return 'request timed out';
  // The SDK's `name`, not the class name: a bundler renames classes (esbuild: `AuthenticationError2`).
  if (error instanceof Anthropic.APIError) return `${error.status ?? 'connection'} ${error.name}: ${error.message}`.slice(0, 300);
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error).slice(0, 300);
}
