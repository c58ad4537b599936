import type Anthropic from '@anthropic-ai/sdk';
import { CancelledError, type JobContext } from '../util/jobContext';
import { JsonlAppender, readJsonl } from '../util/jsonl';
import { sleep } from '../util/pool';
import { messageParams, replyOf, type AnthropicProvider } from './anthropicProvider';
import type { SynthesisCache } from './cache';
import type { SynthesisTask, Usage } from './provider';
import { formatCounts, makeRecord, type SynthesisCounts } from './runner';
import { parseReply } from './schema';
import type { PromptTemplate } from './templates';

/**
 * The batch journal: a line when a batch is submitted (its id and what it holds) and a line once
 * its results are all in the cache. A batch submitted but not collected is resumed by the next
 * run (poll, then fetch results) instead of being paid for twice.
 */
type JournalRecord =
  | { v: 1; type: 'submitted'; batchId: string; attempt: number; requests: Array<{ key: string; inputHash: string }>; at: string }
  | { v: 1; type: 'collected'; batchId: string; at: string };

function isJournalRecord(value: unknown): value is JournalRecord {
  const record = value as Partial<JournalRecord> | null;
  return !!record && record.v === 1 && typeof record.batchId === 'string' && (record.type === 'submitted' || record.type === 'collected');
}

export interface BatchOptions {
  journalPath: string;
  maxAttempts: number;
  pollIntervalMs: number;
  /** Requests per batch (the API takes up to 100,000 or 256 MB). */
  batchSize?: number;
  onCounts?: (counts: SynthesisCounts) => void;
}

interface PendingBatch {
  batchId: string;
  attempt: number;
  requests: Array<{ key: string; inputHash: string }>;
}

export async function runBatches(
  tasks: SynthesisTask[],
  provider: AnthropicProvider,
  template: PromptTemplate,
  cache: SynthesisCache,
  counts: SynthesisCounts,
  ctx: JobContext,
  options: BatchOptions,
): Promise<void> {
  const { records } = await readJsonl(options.journalPath, isJournalRecord);
  const collected = new Set(records.flatMap((record) => (record.type === 'collected' ? [record.batchId] : [])));
  const open: PendingBatch[] = records.flatMap((record) => (record.type === 'submitted' && !collected.has(record.batchId) ? [record] : []));
  const journal = new JsonlAppender(options.journalPath);
  const taskByKey = new Map(tasks.map((task) => [task.key, task]));
  const report = (stage: string, fraction?: number): void => {
    options.onCounts?.(counts);
    ctx.progress({ message: `${stage}: ${formatCounts(template.entity, counts)}`, fraction });
  };
  try {
    const inOpenBatch = new Set(open.flatMap((batch) => batch.requests.map((request) => request.key)));
    if (open.length > 0) ctx.log(`resuming ${open.length} batch(es) submitted by an earlier run: ${open.map((batch) => batch.batchId).join(', ')}`);
    let retry: Array<{ task: SynthesisTask; attempt: number }> = [];
    for (const batch of open) retry.push(...(await collect(batch)));
    let queue = tasks.filter((task) => !cache.isDone(task.key) && !inOpenBatch.has(task.key)).map((task) => ({ task, attempt: 1 }));
    queue.push(...retry);
    while (queue.length > 0) {
      retry = [];
      const size = options.batchSize ?? 10_000;
      for (let start = 0; start < queue.length; start += size) {
        const batch = await submit(queue.slice(start, start + size));
        retry.push(...(await collect(batch)));
      }
      queue = retry;
    }
  } finally {
    journal.close();
  }

  async function submit(entries: Array<{ task: SynthesisTask; attempt: number }>): Promise<PendingBatch> {
    if (ctx.isCancelled()) throw new CancelledError();
    const attempt = Math.max(...entries.map((entry) => entry.attempt));
    const requests: Anthropic.Messages.BatchCreateParams.Request[] = entries.map(({ task }) => ({
      custom_id: task.key,
      params: messageParams(task, provider.model, task.prompt.maxTokens, provider.structuredOutput),
    }));
    const created = await provider.client.messages.batches.create({ requests });
    const pending: PendingBatch = { batchId: created.id, attempt, requests: entries.map(({ task }) => ({ key: task.key, inputHash: task.input.inputHash })) };
    journal.append({ v: 1, type: 'submitted', ...pending, at: new Date().toISOString() } satisfies JournalRecord);
    counts.calls += entries.length;
    ctx.log(`submitted batch ${created.id} (${entries.length} requests, attempt ${attempt})`);
    return pending;
  }

  /** Polls until the batch has ended, records every result, and returns what deserves another try. */
  async function collect(batch: PendingBatch): Promise<Array<{ task: SynthesisTask; attempt: number }>> {
    for (;;) {
      const status = await provider.client.messages.batches.retrieve(batch.batchId);
      if (status.processing_status === 'ended') break;
      const c = status.request_counts;
      const finished = c.succeeded + c.errored + c.canceled + c.expired;
      report(`batch ${batch.batchId} ${finished}/${finished + c.processing}`, (counts.cached + counts.done + counts.failed) / Math.max(1, counts.total));
      for (let waited = 0; waited < options.pollIntervalMs; waited += 100) {
        if (ctx.isCancelled()) {
          ctx.log(`batch ${batch.batchId} keeps running at Anthropic; run the same command again to collect its results`);
          throw new CancelledError();
        }
        await sleep(Math.min(100, options.pollIntervalMs - waited));
      }
    }
    const retry: Array<{ task: SynthesisTask; attempt: number }> = [];
    const inputHashOf = new Map(batch.requests.map((request) => [request.key, request.inputHash]));
    for await (const result of await provider.client.messages.batches.results(batch.batchId)) {
      const key = result.custom_id;
      if (cache.isDone(key) || !inputHashOf.has(key)) continue;
      // A batch from an earlier run may hold inputs this run did not ask for (another --limit): record them too.
      const ours = taskByKey.has(key);
      const task = taskByKey.get(key) ?? placeholderTask(key, inputHashOf.get(key)!, template);
      const usage: Usage = { inputTokens: 0, outputTokens: 0 };
      let reason: string;
      let retryable = true;
      if (result.result.type === 'succeeded') {
        const reply = replyOf(result.result.message);
        usage.inputTokens = reply.usage.inputTokens;
        usage.outputTokens = reply.usage.outputTokens;
        counts.inputTokens += usage.inputTokens;
        counts.outputTokens += usage.outputTokens;
        const parsed = parseReply(task.entity, reply.text, reply.stopReason);
        if (parsed.ok) {
          cache.append(makeRecord(task, provider, template, 'batch', { output: parsed.output, attempts: batch.attempt, usage }));
          if (ours) counts.done++;
          continue;
        }
        reason = parsed.reason;
      } else if (result.result.type === 'errored') {
        const error = result.result.error.error;
        reason = `${error.type}: ${error.message}`.slice(0, 300);
        retryable = error.type !== 'invalid_request_error';
      } else {
        reason = `request ${result.result.type}`;
      }
      if (retryable && batch.attempt < options.maxAttempts && ours) {
        retry.push({ task, attempt: batch.attempt + 1 });
      } else {
        cache.append(makeRecord(task, provider, template, 'batch', { reason, attempts: batch.attempt, usage }));
        if (ours) counts.failed++;
      }
    }
    journal.append({ v: 1, type: 'collected', batchId: batch.batchId, at: new Date().toISOString() } satisfies JournalRecord);
    report(`batch ${batch.batchId} collected`);
    return retry;
  }
}

function placeholderTask(key: string, inputHash: string, template: PromptTemplate): SynthesisTask {
  return {
    key,
    entity: template.entity,
    ids: [],
    input: { entity: template.entity, index: -1, id: '', input: { fields: [] }, inputHash },
    prompt: { system: '', user: '', maxTokens: 0 },
  };
}
