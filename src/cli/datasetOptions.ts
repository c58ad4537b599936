import { Option, type Command } from 'commander';
import { DUPLICATE_POLICIES, FORMAT_CHOICES, type DuplicatePolicy, type InteractionFormat } from '../core/data/types';
import type { JobContext } from '../core/util/jobContext';
import type { DemoRetrievalResult } from '../core/jobs/demoRetrieval';
import type { DatasetLoadParams } from '../core/data/loadForJob';
import { nonNegativeInteger } from './options';
import { terminalContext } from './progress';
import { printable } from './terminal';

export { printable } from './terminal';

export interface DatasetFlags {
  format: InteractionFormat | 'auto';
  meta?: string[];
  userCol?: string;
  itemCol?: string;
  timeCol?: string;
  header: boolean;
  duplicates: DuplicatePolicy;
  core?: number;
  cacheDir?: string;
}

/**
 * The dataset-reading flags of the stages that load a dataset (synthesize, embed, neighbours): the
 * same dataset must be read the same way at every stage, or the cache keys would not match.
 */
export function addDatasetOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'interactions format').choices(FORMAT_CHOICES).default('auto'))
    .option('--meta <file...>', 'item metadata file(s) (found automatically in a dataset folder)')
    .option('--user-col <name|index>', 'csv/tsv/jsonl: column holding the user id')
    .option('--item-col <name|index>', 'csv/tsv/jsonl: column holding the item id')
    .option('--time-col <name|index>', 'csv/tsv/jsonl: column holding the timestamp')
    .option('--no-header', 'csv/tsv: the first row is data')
    .addOption(new Option('--duplicates <policy>', 'repeated (user, item) interactions').choices(DUPLICATE_POLICIES).default('keep'))
    .option('--core <k>', 'iterative k-core on users and items', nonNegativeInteger)
    .option('--cache-dir <dir>', 'keep caches, embeddings and indexes here instead of <workspace>/.grasp (e.g. for read-only data)');
}

export function datasetLoadParams(flags: DatasetFlags): DatasetLoadParams {
  return {
    format: flags.format,
    columns: { user: flags.userCol, item: flags.itemCol, timestamp: flags.timeCol },
    hasHeader: flags.header,
    metadataPaths: flags.meta,
    duplicates: flags.duplicates,
    userCore: flags.core ?? 0,
    itemCore: flags.core ?? 0,
  };
}

/** Where a dataset stage's job finds the dataset and how it reads it. */
export interface DatasetJobParams {
  dataset: string;
  load: DatasetLoadParams;
  cacheDir?: string;
}

/**
 * Adds the dataset options to a stage's command and gives it its action: `run` starts the job with a
 * terminal context (quiet under --json), disposed before the result is printed: with --json as one
 * JSON object (`json` picks it: the result by default), else as `text` writes it.
 */
export function datasetAction<F extends DatasetFlags & { json?: boolean }, R>(
  command: Command,
  run: (params: DatasetJobParams, flags: F, ctx: JobContext) => Promise<R>,
  text: (result: R) => string,
  json: (result: R) => unknown = (result) => result,
): void {
  addDatasetOptions(command).action(async (dataset: string, flags: F) => {
    const ctx = terminalContext({ quiet: flags.json });
    try {
      const result = await run({ dataset, load: datasetLoadParams(flags), cacheDir: flags.cacheDir }, flags, ctx);
      ctx.dispose();
      process.stdout.write(`${flags.json ? JSON.stringify(json(result)) : text(result)}\n`);
    } finally {
      ctx.dispose();
    }
  });
}

/** `items`/`users` (or the singular) on the command line; `item`/`user` in the core. */
export function entityOption(): Option {
  return new Option('--entity <kind>', 'items or users').choices(['items', 'users', 'item', 'user']).makeOptionMandatory();
}

export function entityOf(value: string): 'item' | 'user' {
  return value.startsWith('item') ? 'item' : 'user';
}

/** The demo's retrieval stage for the terminal: a few popular items and their nearest neighbours. */
export function formatDemoNeighbours(retrieval: DemoRetrievalResult): string {
  const lines = [
    `Synthesis (metadata provider, no world knowledge): ${retrieval.synthesized.items} items, ${retrieval.synthesized.users} users; LSA embeddings; indexes: items ${retrieval.index.items}, users ${retrieval.index.users} (${retrieval.seconds.toFixed(1)} s, in ${retrieval.cacheDir})`,
  ];
  for (const example of retrieval.examples) {
    lines.push(`${printable(example.id)}  ${printable(example.title)}`);
    for (const neighbour of example.neighbours) lines.push(`    ${neighbour.similarity.toFixed(3)}  ${printable(neighbour.id)}  ${printable(neighbour.title)}`);
  }
  return lines.join('\n');
}
