import type { EntityInput } from './inputs';
import type { Entity } from './schema';
import type { RenderedPrompt } from './templates';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface ProviderReply {
  text: string;
  stopReason: string | null;
  usage: Usage;
}

/** One unit of synthesis work: an input (shared by every entity with the same input) and its prompt. */
export interface SynthesisTask {
  key: string;
  entity: Entity;
  /** Raw ids of the entities sharing this input (duplicates in the catalogue cost one call). */
  ids: string[];
  input: EntityInput;
  prompt: RenderedPrompt;
}

export interface CallOptions {
  maxTokens: number;
  signal?: AbortSignal;
}

export type ProviderName = 'anthropic' | 'metadata' | 'openai-compatible';

export interface SynthesisProvider {
  readonly name: ProviderName;
  readonly model: string;
  /** False when the provider writes from metadata alone, with no world knowledge (labelled in every record). */
  readonly worldKnowledge: boolean;
  /** False when a call costs no money (offline, or a local server): tokens are still counted, the price is 0. */
  readonly paid: boolean;
  /** True when each call goes over the network: calls run through the concurrency pool, with retries and the rate gate. */
  readonly remote: boolean;
  complete(task: SynthesisTask, options: CallOptions): Promise<ProviderReply>;
}

/** What a failed call means for the job: try again later, give up on this input, or stop everything. */
export type FailureKind = 'retry' | 'give-up' | 'fatal';

export interface ClassifiedError {
  kind: FailureKind;
  reason: string;
  /** A wait the server asked for (429 retry-after), in ms. */
  retryAfterMs?: number;
  /** Set for 429s: every lane should pause, not just this one. */
  rateLimited?: boolean;
  /** The request went out and no answer came back (a client timeout): the provider may have billed it. */
  unanswered?: boolean;
}
