import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Split } from '../data/types';
import { testTimeSplit } from '../data/split';
import type { JobContext } from '../util/jobContext';
import { redact } from '../util/redact';
import { AnthropicProvider } from './anthropicProvider';
import { runBatches } from './batch';
import { SynthesisCache } from './cache';
import { costUsd, estimateCost, type CostEstimate } from './cost';
import { buildInputs } from './inputs';
import { MetadataProvider } from './metadataProvider';
import { OpenAICompatibleProvider } from './openaiProvider';
import { buildTasks } from './plan';
import type { ClassifiedError, SynthesisProvider } from './provider';
import { FatalProviderError, formatCounts, runOnline, type SynthesisCounts } from './runner';
import type { Entity } from './schema';
import { loadTemplate } from './templates';
import { ConfigError } from '../util/errors';

export type ProviderChoice = 'auto' | 'anthropic' | 'metadata' | 'openai-compatible';
export type ModeChoice = 'auto' | 'messages' | 'batch';

/** Everything a synthesis run can be told, as plain JSON (it crosses the worker protocol). */
export interface SynthesisOptions {
  entity: Entity;
  provider?: ProviderChoice;
  model?: string;
  /** Only the first N entities (dense order), to try a template or a model cheaply. */
  limit?: number;
  /**
   * Users: also the profiles of the test-time histories (training prefix + validation item), which
   * test-time user retrieval (`grasp.testRetrieval: "history"`) reads; a provider that cannot be
   * called at run time (anthropic) must have them written here. Default false (`grasp synthesize` turns it on).
   */
  testHistories?: boolean;
  /** Count calls and estimate tokens and cost; call nothing and write nothing. */
  dryRun?: boolean;
  /** `auto`: the Message Batches API (half price, slower) from BATCH_THRESHOLD uncached calls up. */
  mode?: ModeChoice;
  concurrency?: number;
  maxAttempts?: number;
  /** Retries inside the SDK per attempt (it honours retry-after and backs off). */
  sdkMaxRetries?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  /** A template file; default `<cache root>/templates/<entity>.prompt.md` when present, else built-in. */
  template?: string;
  /** anthropic: a proxy or gateway (optional); openai-compatible: the server (required, e.g. http://127.0.0.1:8000). */
  baseURL?: string;
  structuredOutput?: boolean;
  pollIntervalMs?: number;
  /** Inputs recorded as failed by an earlier run are tried again (default true). */
  retryFailed?: boolean;
  cancelGraceMs?: number;
}

/** Secrets never travel in options (which may be logged or sent over the protocol). */
export interface SynthesisSecrets {
  anthropicApiKey?: string;
  /** openai-compatible: sent as a bearer token when set (a local server usually needs none). */
  openaiApiKey?: string;
}

export interface SynthesisResult {
  entity: Entity;
  provider: string;
  model: string;
  /** False for the metadata provider: its texts know nothing beyond the dataset. */
  worldKnowledge: boolean;
  template: { name: string; version: number; source: string };
  mode: 'messages' | 'batch' | 'offline';
  dryRun: boolean;
  cacheFile: string;
  entities: number;
  /** Users: the test-time histories written beside the training ones (0 unless `testHistories`). */
  testHistories: number;
  counts: SynthesisCounts;
  /** Before a run (and for a dry run): calls, tokens and cost still to spend. */
  estimate: CostEstimate | null;
  /** After a run: what the calls cost, from the usage the API reported. */
  costUsd: number | null;
  /** costUsd plus what the calls that timed out (counts.unanswered) may have been billed at most. */
  costUsdMax: number | null;
  elapsedMs: number;
  /** The first failures, with their reasons. */
  failures: Array<{ ids: string[]; reason: string }>;
  /** openai-compatible: the server's /v1 root, and whether it kept its JSON-schema mode (false: replies were validated by hand). */
  server?: { baseURL: string; structuredOutput: boolean };
}

export const BATCH_THRESHOLD = 2000;
const FREE = { input: 0, output: 0, note: 'a server on this machine or a private network: no cost; its tokens and time are reported' };

export function synthesisCacheFile(datasetCacheDir: string, entity: Entity): string {
  return join(datasetCacheDir, 'synthesis', `${entity}s.jsonl`);
}

export function resolveTemplatePath(cacheRoot: string, entity: Entity, given?: string): string | undefined {
  if (given) return given;
  const workspaceTemplate = join(cacheRoot, 'templates', `${entity}.prompt.md`);
  return existsSync(workspaceTemplate) ? workspaceTemplate : undefined;
}

function chooseProvider(options: SynthesisOptions, secrets: SynthesisSecrets, ctx: JobContext): SynthesisProvider {
  const choice = options.provider ?? 'auto';
  if (choice === 'openai-compatible') {
    if (!options.baseURL)
      throw new ConfigError(
        "the openai-compatible provider needs the server's base URL (--base-url, e.g. http://127.0.0.1:8000 for vLLM or http://127.0.0.1:11434 for Ollama)",
      );
    return new OpenAICompatibleProvider({
      baseURL: options.baseURL,
      model: options.model ?? '',
      apiKey: secrets.openaiApiKey,
      timeoutMs: options.timeoutMs,
      structuredOutput: options.structuredOutput,
      log: (line) => ctx.log(line),
    });
  }
  if (choice === 'metadata' || (choice === 'auto' && !secrets.anthropicApiKey)) {
    if (choice === 'auto') ctx.log('no ANTHROPIC_API_KEY: using the offline metadata provider (no world knowledge)');
    return new MetadataProvider();
  }
  if (!secrets.anthropicApiKey) throw new ConfigError('the anthropic provider needs ANTHROPIC_API_KEY in the environment (or use --provider metadata)');
  return new AnthropicProvider({
    apiKey: secrets.anthropicApiKey,
    model: options.model,
    baseURL: options.baseURL,
    maxRetries: options.sdkMaxRetries,
    timeoutMs: options.timeoutMs,
    structuredOutput: options.structuredOutput,
    log: (line) => ctx.log(line),
  });
}

/** The arguments of `synthesize` (and of `synthesizeWith`, after its provider). */
type SynthesisArgs = [
  dataset: Dataset,
  split: Split,
  paths: { root: string; dataset: string },
  options: SynthesisOptions,
  ctx: JobContext,
  secrets?: SynthesisSecrets,
  onCounts?: (counts: SynthesisCounts) => void,
];

/**
 * Stage 1 of GRASP (DESIGN §2): writes item descriptions or user profiles into the dataset's
 * synthesis cache. Cached inputs are skipped, so a killed or cancelled run picks up where it stopped.
 */
export async function synthesize(...args: SynthesisArgs): Promise<SynthesisResult> {
  const [, , , options, ctx, secrets = {}] = args;
  return synthesizeWith(chooseProvider(options, secrets, ctx), ...args);
}

/** `synthesize` with a provider already made (the demo's offline stand-in LLM); `options.provider` is not read. */
export async function synthesizeWith(
  provider: SynthesisProvider,
  ...[dataset, split, paths, options, ctx, secrets = {}, onCounts]: SynthesisArgs
): Promise<SynthesisResult> {
  const started = Date.now();
  const entity = options.entity;
  if (options.mode === 'batch' && provider instanceof OpenAICompatibleProvider)
    throw new ConfigError(
      '--mode batch is the Message Batches API of the anthropic provider; an openai-compatible server takes messages (use --concurrency to keep it busy)',
    );
  const template = await loadTemplate(entity, resolveTemplatePath(paths.root, entity, options.template));
  const inputs = buildInputs(dataset, split, entity, options.limit);
  const entityCount = inputs.length;
  // the test-time inputs of a user differ from the training ones by the validation item: their own cache keys
  if (entity === 'user' && options.testHistories) inputs.push(...buildInputs(dataset, testTimeSplit(split), entity, options.limit));
  const tasks = buildTasks(inputs, template, provider.name, provider.model);
  const cacheFile = synthesisCacheFile(paths.dataset, entity);
  const cache = options.dryRun ? await SynthesisCache.read(cacheFile) : await SynthesisCache.openForWriting(cacheFile);
  try {
    if (cache.badLines.length > 0)
      ctx.log(`${cacheFile}: skipped ${cache.badLines.length} unreadable line(s) (${cache.badLines.slice(0, 5).join(', ')}), e.g. one torn by a killed run`);
    const retryFailed = options.retryFailed ?? true;
    const counts: SynthesisCounts = {
      total: tasks.length,
      cached: 0,
      done: 0,
      failed: 0,
      calls: 0,
      inputTokens: 0,
      outputTokens: 0,
      unanswered: 0,
      unansweredTokens: { inputTokens: 0, outputTokens: 0 },
    };
    const todo = tasks.filter((task) => {
      const record = cache.get(task.key);
      if (record?.status === 'ok') counts.cached++;
      else if (record?.status === 'failed' && !retryFailed) counts.failed++;
      else return true;
      return false;
    });
    const batch = provider instanceof AnthropicProvider && (options.mode === 'batch' || (options.mode !== 'messages' && todo.length >= BATCH_THRESHOLD));
    const mode = !provider.remote ? 'offline' : batch ? 'batch' : 'messages';
    // A free server (local) still gets an estimate: its calls and tokens, at a price of 0.
    const estimate = provider.remote
      ? estimateCost(todo, provider.model, batch, averageOutputTokens(cache, provider.name, provider.model, template.name), provider.paid ? undefined : FREE)
      : null;
    const describe = `${entity}s with ${provider.name}/${provider.model} (template ${template.name} v${template.version}, ${mode})`;
    const histories = inputs.length > entityCount ? ` (and their ${inputs.length - entityCount} test-time histories)` : '';
    ctx.log(
      `${describe}: ${tasks.length} distinct inputs for ${entityCount} ${entity}s${histories}, ${counts.cached} cached, ${todo.length} to call` +
        (estimate
          ? `, ~${estimate.inputTokens + estimate.outputTokens} tokens${estimate.usd === null ? '' : `, ~$${estimate.usd.toFixed(2)} (at most $${estimate.usdMax!.toFixed(2)})`}`
          : ''),
    );
    if (!options.dryRun && todo.length > 0) {
      if (provider instanceof AnthropicProvider && batch) {
        await runBatches(todo, provider, template, cache, counts, ctx, {
          journalPath: join(paths.dataset, 'synthesis', `${entity}s.batches.jsonl`),
          maxAttempts: options.maxAttempts ?? 6,
          pollIntervalMs: options.pollIntervalMs ?? 30_000,
          onCounts,
        });
      } else {
        const classify =
          provider instanceof AnthropicProvider || provider instanceof OpenAICompatibleProvider
            ? (error: unknown) => provider.classify(error)
            : offlineClassify;
        await runOnline(todo, provider, template, cache, counts, ctx, {
          concurrency: options.concurrency ?? 8,
          maxAttempts: options.maxAttempts ?? 6,
          backoffBaseMs: options.backoffBaseMs,
          cancelGraceMs: options.cancelGraceMs,
          classify,
          onCounts,
        }).catch((error: unknown) => {
          if (error instanceof FatalProviderError)
            throw new ConfigError(`${provider.name} refused the job: ${redact(error.message, [secrets.anthropicApiKey, secrets.openaiApiKey])}`);
          throw error;
        });
      }
    }
    const usage = { inputTokens: counts.inputTokens, outputTokens: counts.outputTokens };
    const failures = tasks.flatMap((task) => {
      const record = cache.get(task.key);
      return record?.status === 'failed' ? [{ ids: task.ids.slice(0, 5), reason: record.reason ?? 'unknown' }] : [];
    });
    if (!options.dryRun) ctx.log(formatCounts(entity, counts));
    return {
      entity,
      provider: provider.name,
      model: provider.model,
      worldKnowledge: provider.worldKnowledge,
      template: { name: template.name, version: template.version, source: template.source },
      mode,
      dryRun: options.dryRun ?? false,
      cacheFile,
      entities: entityCount,
      testHistories: inputs.length - entityCount,
      counts,
      estimate,
      costUsd: provider.paid ? costUsd(provider.model, usage, batch) : 0,
      // calls that timed out may have been billed although no usage came back: at most this much more
      costUsdMax: provider.paid ? addCosts(costUsd(provider.model, usage, batch), costUsd(provider.model, counts.unansweredTokens, batch)) : 0,
      ...(provider instanceof OpenAICompatibleProvider ? { server: { baseURL: provider.baseURL, structuredOutput: provider.structuredOutput } } : {}),
      elapsedMs: Date.now() - started,
      failures: failures.slice(0, 20),
    };
  } finally {
    cache.close();
  }
}

function offlineClassify(error: unknown): ClassifiedError {
  return { kind: 'give-up', reason: error instanceof Error ? error.message : String(error) };
}

function averageOutputTokens(cache: SynthesisCache, provider: string, model: string, template: string): number | undefined {
  let sum = 0;
  let n = 0;
  for (const record of cache.records()) {
    if (record.status === 'ok' && record.provider === provider && record.model === model && record.template === template && record.usage.outputTokens > 0) {
      sum += record.usage.outputTokens / record.attempts;
      n++;
    }
  }
  return n >= 5 ? sum / n : undefined;
}

function addCosts(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}
