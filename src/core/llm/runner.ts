import { setMaxListeners } from 'node:events';
import { CancelledError, type JobContext } from '../util/jobContext';
import { runPool, sleep } from '../util/pool';
import { RateGate } from '../util/rateGate';
import { backoffMs } from '../util/retry';
import { promptTokens } from './cost';
import type { SynthesisCache, SynthesisRecord } from './cache';
import type { ClassifiedError, SynthesisProvider, SynthesisTask, Usage } from './provider';
import { parseReply, type SynthesisOutput } from './schema';
import type { PromptTemplate } from './templates';

/** Progress of a synthesis job; also what the job reports at the end. */
export interface SynthesisCounts {
  /** Distinct inputs in this job (entities sharing an input count once). */
  total: number;
  /** Already in the cache before the job started. */
  cached: number;
  done: number;
  failed: number;
  /** Calls made to the provider (attempts, including the ones whose reply was refused). */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Calls that timed out after being sent: no usage came back, but the provider may have billed them. */
  unanswered: number;
  /** Upper bound of what the unanswered calls may have used (their prompt, and max_tokens of output). */
  unansweredTokens: { inputTokens: number; outputTokens: number };
}

export function formatCounts(entity: string, counts: SynthesisCounts): string {
  const tokens = counts.inputTokens + counts.outputTokens;
  return `${entity}s: ${counts.cached + counts.done + counts.failed}/${counts.total} (${counts.done} done, ${counts.failed} failed, ${counts.cached} cached), ${counts.calls} calls, ${tokens} tokens`;
}

export interface OnlineOptions {
  concurrency: number;
  /** Attempts per input before it is recorded as failed (refused replies and transient errors alike). */
  maxAttempts: number;
  backoffBaseMs?: number;
  /** After a cancel, calls already running get this long to finish (they are paid for) before being aborted. */
  cancelGraceMs?: number;
  classify: (error: unknown) => ClassifiedError;
  onCounts?: (counts: SynthesisCounts) => void;
}

/** Raised when no call can succeed (bad key, unknown model): the whole job stops. */
export class FatalProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FatalProviderError';
  }
}

export function makeRecord(
  task: SynthesisTask,
  provider: Pick<SynthesisProvider, 'name' | 'model' | 'worldKnowledge'>,
  template: PromptTemplate,
  mode: SynthesisRecord['mode'],
  result: { output?: SynthesisOutput; reason?: string; attempts: number; usage: Usage },
): SynthesisRecord {
  return {
    v: 1,
    key: task.key,
    entity: task.entity,
    status: result.output ? 'ok' : 'failed',
    provider: provider.name,
    model: provider.model,
    template: template.name,
    templateVersion: template.version,
    templateHash: template.hash,
    inputHash: task.input.inputHash,
    ids: task.ids.slice(0, 20),
    worldKnowledge: provider.worldKnowledge,
    mode,
    attempts: result.attempts,
    usage: result.usage,
    ...(result.output ? { output: result.output } : { reason: result.reason }),
    at: new Date().toISOString(),
  };
}

/**
 * Runs tasks through a provider with a concurrency limit. Each success is appended to the cache
 * the moment it arrives, so a killed job loses at most the calls in flight.
 */
export async function runOnline(
  tasks: SynthesisTask[],
  provider: SynthesisProvider,
  template: PromptTemplate,
  cache: SynthesisCache,
  counts: SynthesisCounts,
  ctx: JobContext,
  options: OnlineOptions,
): Promise<void> {
  const gate = new RateGate();
  const abort = new AbortController();
  // Every call in flight listens to the one signal (and the SDK adds listeners while it backs off).
  setMaxListeners(4 * options.concurrency + 16, abort.signal);
  let stopping = false;
  let fatal: FatalProviderError | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  let lastReport = 0;
  // At most ten updates a second: the worker forwards every changed message over the protocol.
  const report = (final = false): void => {
    options.onCounts?.(counts);
    const now = Date.now();
    if (!final && now - lastReport < 100) return;
    lastReport = now;
    ctx.progress({ message: formatCounts(template.entity, counts), fraction: (counts.cached + counts.done + counts.failed) / Math.max(1, counts.total) });
  };
  const watch = setInterval(() => {
    if (stopping || !ctx.isCancelled()) return;
    stopping = true;
    graceTimer = setTimeout(() => abort.abort(), options.cancelGraceMs ?? 1500);
  }, 50);

  const runTask = async (task: SynthesisTask): Promise<void> => {
    const usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let maxTokens = task.prompt.maxTokens;
    let reason = 'not attempted';
    let attempt = 0;
    while (attempt < options.maxAttempts) {
      await gate.wait();
      if (abort.signal.aborted || fatal) return;
      attempt++;
      try {
        const reply = await provider.complete(task, { maxTokens, signal: abort.signal });
        counts.calls++;
        usage.inputTokens += reply.usage.inputTokens;
        usage.outputTokens += reply.usage.outputTokens;
        counts.inputTokens += reply.usage.inputTokens;
        counts.outputTokens += reply.usage.outputTokens;
        const parsed = parseReply(task.entity, reply.text, reply.stopReason);
        if (parsed.ok) {
          cache.append(makeRecord(task, provider, template, provider.remote ? 'messages' : 'offline', { output: parsed.output, attempts: attempt, usage }));
          counts.done++;
          report();
          return;
        }
        reason = parsed.reason;
        // A reply cut at max_tokens gets more room next time; a refused one is simply asked again.
        if (reply.stopReason === 'max_tokens') maxTokens = Math.min(maxTokens * 2, 8192);
      } catch (error) {
        if (abort.signal.aborted) return; // cancelled: left for the next run, not recorded as failed
        const classified = options.classify(error);
        reason = classified.reason;
        if (classified.unanswered) {
          counts.unanswered++;
          counts.unansweredTokens.inputTokens += promptTokens(task);
          counts.unansweredTokens.outputTokens += maxTokens;
        }
        if (classified.kind === 'fatal') {
          fatal ??= new FatalProviderError(classified.reason);
          abort.abort();
          return;
        }
        if (classified.kind === 'give-up') break;
        if (attempt >= options.maxAttempts) break;
        const wait = classified.retryAfterMs ?? backoffMs(attempt, Math.random, options.backoffBaseMs);
        if (classified.rateLimited) gate.pause(wait);
        await sleep(wait);
      }
    }
    if (abort.signal.aborted || fatal) return;
    cache.append(makeRecord(task, provider, template, provider.remote ? 'messages' : 'offline', { reason, attempts: attempt, usage }));
    counts.failed++;
    report();
  };

  try {
    if (provider.remote) {
      await runPool(tasks, options.concurrency, runTask, () => stopping || fatal !== undefined);
    } else {
      // An offline provider answers at once: run in order, yielding now and then for progress and cancel.
      for (let i = 0; i < tasks.length && !ctx.isCancelled(); i++) {
        await runTask(tasks[i]);
        if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
      }
      if (ctx.isCancelled()) stopping = true;
    }
  } finally {
    clearInterval(watch);
    clearTimeout(graceTimer);
  }
  report(true);
  if (fatal) throw fatal;
  if (stopping) throw new CancelledError();
}
