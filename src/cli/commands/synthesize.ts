import { Option, type Command } from 'commander';
import { synthesizeJob } from '../../core/jobs/synthesize';
import type { SynthesisResult } from '../../core/llm/synthesize';
import { datasetAction, entityOf, entityOption, printable, type DatasetFlags } from '../datasetOptions';
import { nonNegativeInteger } from '../options';

interface SynthesizeFlags extends DatasetFlags {
  entity: string;
  provider: 'auto' | 'anthropic' | 'metadata' | 'openai-compatible';
  model?: string;
  limit?: number;
  dryRun?: boolean;
  mode: 'auto' | 'messages' | 'batch';
  concurrency: number;
  maxAttempts: number;
  timeoutMs: number;
  template?: string;
  baseUrl?: string;
  structuredOutput: boolean;
  retryFailed: boolean;
  testHistories: boolean;
  pollIntervalMs: number;
  json?: boolean;
}

export function registerSynthesize(program: Command): void {
  const command = program
    .command('synthesize')
    .description('Write item descriptions or user profiles with an LLM (or offline from metadata) into the dataset cache.')
    .argument('<dataset>', 'dataset file or folder')
    .addOption(entityOption())
    .addOption(
      new Option(
        '--provider <name>',
        'anthropic (needs ANTHROPIC_API_KEY), openai-compatible (a chat server at --base-url: vLLM, Ollama, llama.cpp, LM Studio…; OPENAI_API_KEY if it wants one), metadata (offline, no world knowledge), or auto (anthropic with a key, else metadata)',
      )
        .choices(['auto', 'anthropic', 'metadata', 'openai-compatible'])
        .default('auto'),
    )
    .option('--model <name>', 'anthropic: Claude model (default: the cheapest current one); openai-compatible: the model the server serves (required)')
    .option('--limit <n>', 'only the first N items or users', nonNegativeInteger)
    .option('--dry-run', 'count calls and estimate tokens and cost; call nothing')
    .addOption(
      new Option('--mode <mode>', 'messages (one call each), batch (Message Batches API, half price), or auto')
        .choices(['auto', 'messages', 'batch'])
        .default('auto'),
    )
    .option('--concurrency <n>', 'calls in flight at once', nonNegativeInteger, 8)
    .option('--max-attempts <n>', 'attempts per input before it is recorded as failed', nonNegativeInteger, 3)
    .option('--timeout-ms <ms>', 'timeout of one request', nonNegativeInteger, 60_000)
    .option('--template <file>', 'prompt template (default: <workspace>/.grasp/templates/<entity>.prompt.md, else built-in)')
    .option(
      '--base-url <url>',
      'anthropic: a proxy or gateway (default: the SDK default or ANTHROPIC_BASE_URL); openai-compatible: the server, e.g. http://127.0.0.1:8000 (/v1 is added when missing)',
    )
    .option(
      '--no-structured-output',
      "do not ask for the API's JSON-schema mode (replies are validated either way; an openai-compatible server without it is detected)",
    )
    .option('--no-retry-failed', 'leave inputs an earlier run recorded as failed alone')
    .option(
      '--no-test-histories',
      'users: only the training-prefix profiles, not those of the test-time histories (training prefix + validation item) that grasp.testRetrieval "history" reads',
    )
    .option('--poll-interval-ms <ms>', 'batch mode: how often to poll', nonNegativeInteger, 30_000)
    .option('--json', 'print one JSON object');
  datasetAction(
    command,
    (params, flags: SynthesizeFlags, ctx) =>
      synthesizeJob(
        {
          ...params,
          entity: entityOf(flags.entity),
          provider: flags.provider,
          model: flags.model,
          limit: flags.limit,
          dryRun: flags.dryRun,
          mode: flags.mode,
          concurrency: Math.max(1, flags.concurrency),
          maxAttempts: Math.max(1, flags.maxAttempts),
          timeoutMs: flags.timeoutMs,
          template: flags.template,
          baseURL: flags.baseUrl,
          structuredOutput: flags.structuredOutput,
          retryFailed: flags.retryFailed,
          testHistories: flags.testHistories,
          pollIntervalMs: flags.pollIntervalMs,
        },
        ctx,
        // The key comes from the environment only: never a flag, so it never sits in shell history or `ps`.
        { anthropicApiKey: process.env.ANTHROPIC_API_KEY || undefined, openaiApiKey: process.env.OPENAI_API_KEY || undefined },
      ),
    formatSynthesis,
  );
}

function formatSynthesis(result: SynthesisResult): string {
  const { counts, estimate } = result;
  const lines = [
    `${result.entity}s: ${result.provider}/${result.model}${result.worldKnowledge ? '' : ' (metadata only, no world knowledge)'}, template ${printable(result.template.name)} v${result.template.version}, ${result.mode}${result.dryRun ? ' (dry run)' : ''}`,
    `  ${result.entities} ${result.entity}s${result.testHistories > 0 ? ` and ${result.testHistories} test-time histories` : ''}, ${counts.total} distinct inputs: ${counts.cached} cached` +
      (result.dryRun ? `, ${counts.total - counts.cached - counts.failed} to call` : `, ${counts.done} done, ${counts.failed} failed`),
  ];
  if (estimate) {
    const usd = estimate.usd === null ? '' : `, ~$${estimate.usd.toFixed(2)} (at most $${estimate.usdMax!.toFixed(2)})`;
    lines.push(
      `  ${result.dryRun ? 'would make' : 'planned'} ${estimate.calls} calls: ~${estimate.inputTokens} input + ~${estimate.outputTokens} output tokens${usd} [${estimate.note}]`,
    );
  }
  if (!result.dryRun && result.provider !== 'metadata') {
    lines.push(
      `  used ${counts.calls} calls, ${counts.inputTokens} input + ${counts.outputTokens} output tokens${result.costUsd === null ? ' (no price known for this model)' : `, $${result.costUsd.toFixed(4)}`} in ${(result.elapsedMs / 1000).toFixed(1)} s`,
    );
    if (result.server && !result.server.structuredOutput)
      lines.push(`  ${printable(result.server.baseURL)} has no JSON-schema mode: replies were validated against the schema and asked again when they broke it`);
    if (counts.unanswered > 0) {
      const upTo = result.costUsdMax === null ? '' : ` (at most $${result.costUsdMax.toFixed(4)} in all)`;
      lines.push(`  ${counts.unanswered} calls timed out after being sent: the provider may have billed them${upTo}`);
    }
  }
  for (const failure of result.failures.slice(0, 5)) lines.push(`  failed ${printable(failure.ids.join(', '))}: ${printable(failure.reason)}`);
  lines.push(`  cache: ${result.cacheFile}`);
  return lines.join('\n');
}
