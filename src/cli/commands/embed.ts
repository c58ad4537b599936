import { Option, type Command } from 'commander';
import { EMBEDDER_NAMES, type EmbedderName } from '../../core/embed/store';
import { embedJob } from '../../core/jobs/embed';
import { datasetAction, entityOf, entityOption, type DatasetFlags } from '../datasetOptions';
import { nonNegativeInteger, positiveInteger } from '../options';

interface EmbedFlags extends DatasetFlags {
  entity: string;
  embedder: EmbedderName;
  model?: string;
  dimensions?: number;
  width: number;
  pca: number;
  texts: string;
  baseUrl?: string;
  concurrency: number;
  batchSize: number;
  maxAttempts: number;
  timeoutMs: number;
  maxChars?: number;
  json?: boolean;
}

export function registerEmbed(program: Command): void {
  const command = program
    .command('embed')
    .description('Embed item or user texts (synthesised, else raw) and reduce them by PCA to the model width.')
    .argument('<dataset>', 'dataset file or folder')
    .addOption(entityOption())
    .addOption(
      new Option(
        '--embedder <name>',
        'lsa (local, offline), voyage (VOYAGE_API_KEY) or openai-compatible (/v1/embeddings; OPENAI_API_KEY if the server needs one)',
      )
        .choices(EMBEDDER_NAMES)
        .default('lsa'),
    )
    .option('--model <name>', 'embedding model of an HTTP embedder (the one the server serves)')
    .option(
      '--dimensions <n>',
      'HTTP embedders: output width, for models that can shorten their vectors (OpenAI dimensions, Voyage output_dimension)',
      positiveInteger,
    )
    .option('--width <n>', 'lsa: number of SVD components', nonNegativeInteger, 64)
    .option('--pca <n>', 'PCA target width (fitted on training entities)', nonNegativeInteger, 64)
    .option('--texts <source>', 'auto (best synthesis in the cache), none (raw metadata / training titles), or provider[:model]', 'auto')
    .option('--base-url <url>', 'HTTP embedders: server base URL (e.g. http://127.0.0.1:11434 for Ollama)')
    .option('--concurrency <n>', 'HTTP embedders: requests in flight', nonNegativeInteger, 4)
    .option('--batch-size <n>', 'HTTP embedders: texts per request', nonNegativeInteger, 64)
    .option('--max-attempts <n>', 'HTTP embedders: attempts per request before its texts are recorded as failed', nonNegativeInteger, 5)
    .option('--timeout-ms <ms>', 'HTTP embedders: timeout of one request', nonNegativeInteger, 60_000)
    .option('--max-chars <n>', 'HTTP embedders: cut texts longer than this (a model has a finite context)', positiveInteger)
    .option('--json', 'print one JSON object');
  datasetAction(
    command,
    (params, flags: EmbedFlags, ctx) =>
      embedJob(
        {
          ...params,
          entity: entityOf(flags.entity),
          embedder: flags.embedder,
          model: flags.model,
          dimensions: flags.dimensions,
          width: Math.max(1, flags.width),
          pcaDim: Math.max(1, flags.pca),
          texts: flags.texts,
          baseURL: flags.baseUrl,
          concurrency: Math.max(1, flags.concurrency),
          batchSize: Math.max(1, flags.batchSize),
          maxAttempts: Math.max(1, flags.maxAttempts),
          timeoutMs: Math.max(1, flags.timeoutMs),
          maxChars: flags.maxChars,
        },
        ctx,
        { voyageApiKey: process.env.VOYAGE_API_KEY || undefined, openaiApiKey: process.env.OPENAI_API_KEY || undefined },
      ),
    ({ manifest, manifestPath }) =>
      `${manifest.entity}s: ${manifest.count} × ${manifest.vectors.dim} (${manifest.embedder.name}/${manifest.embedder.model}), PCA ${manifest.reduced.dim} keeps ${(100 * manifest.reduced.explainedVariance).toFixed(1)} % of variance; ` +
      `texts: ${manifest.texts.fromSynthesis} synthesised${manifest.texts.source ? ` (${manifest.texts.source.provider}/${manifest.texts.source.model})` : ''}, ${manifest.texts.fallback} raw\n  → ${manifestPath}`,
    // the JSON leaves the manifest's id list out
    (result) => {
      const { ids: _ids, ...summary } = result.manifest;
      return { ...result, manifest: summary };
    },
  );
}
