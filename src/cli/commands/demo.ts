import type { Command } from 'commander';
import { demoJob } from '../../core/jobs';
import { formatDemoNeighbours } from '../datasetOptions';
import { formatStatsTable } from '../format';
import { formatDemoFlags } from './flag';
import { formatDemoTraining } from '../trainingFormat';
import { nonNegativeInteger } from '../options';
import { terminalContext } from '../progress';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Generate the built-in demo world as a dataset folder and print its statistics.')
    .option('--out <dir>', 'folder to write the demo dataset into', 'demo-data')
    .option('--seed <n>', 'random seed (same seed, same world)', nonNegativeInteger, 7)
    .option('--users <n>', 'number of users', nonNegativeInteger, 3000)
    .option('--items <n>', 'number of items', nonNegativeInteger, 1000)
    .option('--no-retrieval', 'only generate the data (skip synthesis, embedding and retrieval)')
    .option('--no-train', 'skip training SASRec on the demo world')
    .option('--json', 'print one JSON object instead of a table')
    .action(async (flags: { out: string; seed: number; users: number; items: number; retrieval: boolean; train: boolean; json?: boolean }) => {
      const ctx = terminalContext({ quiet: flags.json });
      try {
        const result = await demoJob(
          { outDir: flags.out, seed: flags.seed, users: flags.users, items: flags.items, retrieval: flags.retrieval, train: flags.train },
          ctx,
        );
        ctx.dispose();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
        } else {
          process.stdout.write(`Demo world written to ${result.dir}: ${result.files.join(', ')}\n\n${formatStatsTable(result.stats)}\n`);
          if (result.retrieval) process.stdout.write(`\n${formatDemoNeighbours(result.retrieval)}\n`);
          if (result.flags) process.stdout.write(`\n${formatDemoFlags(result.flags)}\n`);
          if (result.training) process.stdout.write(`\n${formatDemoTraining(result.training)}\n`);
        }
      } finally {
        ctx.dispose();
      }
    });
}
