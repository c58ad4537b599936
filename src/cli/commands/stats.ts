import { Option, type Command } from 'commander';
import { DUPLICATE_POLICIES, FORMAT_CHOICES, type DuplicatePolicy, type InteractionFormat, type LoadOptions } from '../../core/data/types';
import { statsJob } from '../../core/jobs';
import { formatStatsTable } from '../format';
import { nonNegativeInteger } from '../options';
import { terminalContext } from '../progress';

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

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('Load a dataset (file or folder) and print its statistics.')
    .argument('<path>', 'dataset file or folder')
    .addOption(new Option('--format <format>', 'interactions format').choices(FORMAT_CHOICES).default('auto'))
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
}
