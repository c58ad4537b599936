import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DataError } from '../core/data/errors';
import type { DuplicatePolicy, InteractionFormat, LoadOptions } from '../core/data/types';
import { CancelledError, demoJob, statsJob } from '../core/jobs';
import { formatStatsTable } from './format';
import { terminalContext } from './progress';

const FORMATS: Array<InteractionFormat | 'auto'> = ['auto', 's3rec', 'pairs', 'recbole', 'csv', 'tsv', 'jsonl', 'json-seq'];
const DUPLICATE_POLICIES: DuplicatePolicy[] = ['keep', 'first', 'last', 'drop-consecutive'];

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

interface StatsFlags {
  format: InteractionFormat | 'auto';
  json?: boolean;
  meta?: string[];
  userCol?: string;
  itemCol?: string;
  timeCol?: string;
  ratingCol?: string;
  header: boolean;
  duplicates: DuplicatePolicy;
  userCore: number;
  itemCore: number;
  core?: number;
}

function loadOptions(flags: StatsFlags): Omit<LoadOptions, 'onProgress' | 'isCancelled'> {
  return {
    format: flags.format,
    columns: { user: flags.userCol, item: flags.itemCol, timestamp: flags.timeCol, rating: flags.ratingCol },
    hasHeader: flags.header,
    metadataPaths: flags.meta,
    duplicates: flags.duplicates,
    userCore: flags.core ?? flags.userCore,
    itemCore: flags.core ?? flags.itemCore,
  };
}

function buildProgram(): Command {
  const program = new Command('grasp')
    .description('GRASP Lab: LLM world knowledge for sequential recommendation, with hallucinations in check.')
    .version(process.env.GRASP_VERSION ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('stats')
    .description('Load a dataset (file or folder) and print its statistics.')
    .argument('<path>', 'dataset file or folder')
    .addOption(new Option('--format <format>', 'interactions format').choices(FORMATS).default('auto'))
    .option('--json', 'print one JSON object instead of a table')
    .option('--meta <file...>', 'item metadata file(s) (found automatically in a dataset folder)')
    .option('--user-col <name|index>', 'csv/tsv/jsonl: column holding the user id')
    .option('--item-col <name|index>', 'csv/tsv/jsonl: column holding the item id')
    .option('--time-col <name|index>', 'csv/tsv/jsonl: column holding the timestamp')
    .option('--rating-col <name|index>', 'csv/tsv/jsonl: column holding the rating')
    .option('--no-header', 'csv/tsv: the first row is data (columns 0 = user, 1 = item unless mapped)')
    .addOption(new Option('--duplicates <policy>', 'repeated (user, item) interactions').choices(DUPLICATE_POLICIES).default('keep'))
    .option('--core <k>', 'iterative k-core on users and items', nonNegativeInteger)
    .option('--user-core <k>', 'iterative k-core: minimum interactions per user', nonNegativeInteger, 0)
    .option('--item-core <k>', 'iterative k-core: minimum interactions per item', nonNegativeInteger, 0)
    .action(async (path: string, flags: StatsFlags) => {
      const ctx = terminalContext({ quiet: flags.json });
      try {
        const stats = await statsJob({ path, options: loadOptions(flags) }, ctx);
        ctx.dispose();
        process.stdout.write(flags.json ? `${JSON.stringify(stats)}\n` : `${formatStatsTable(stats)}\n`);
      } finally {
        ctx.dispose();
      }
    });

  program
    .command('demo')
    .description('Generate the built-in demo world as a dataset folder and print its statistics.')
    .option('--out <dir>', 'folder to write the demo dataset into', 'demo-data')
    .option('--seed <n>', 'random seed (same seed, same world)', nonNegativeInteger, 7)
    .option('--users <n>', 'number of users', nonNegativeInteger, 3000)
    .option('--items <n>', 'number of items', nonNegativeInteger, 1000)
    .option('--json', 'print one JSON object instead of a table')
    .action(async (flags: { out: string; seed: number; users: number; items: number; json?: boolean }) => {
      const ctx = terminalContext({ quiet: flags.json });
      try {
        const result = await demoJob({ outDir: flags.out, seed: flags.seed, users: flags.users, items: flags.items }, ctx);
        ctx.dispose();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
        } else {
          process.stdout.write(`Demo world written to ${result.dir}: ${result.files.join(', ')}\n\n${formatStatsTable(result.stats)}\n`);
        }
      } finally {
        ctx.dispose();
      }
    });
  return program;
}

/** Exit codes: 0 ok, 1 a data or runtime error, 2 a usage error, 130 cancelled. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
    }
    if (error instanceof CancelledError) {
      process.stderr.write('grasp: cancelled\n');
      return 130;
    }
    const message = error instanceof DataError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`grasp: ${message}\n`);
    return 1;
  }
}
