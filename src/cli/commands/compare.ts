import type { Command } from 'commander';
import { compareRuns } from '../../core/eval/compare';
import { nonNegativeInteger } from '../options';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('Paired t-test of two runs on the same split (per-user test NDCG@K); prints one JSON line.')
    .argument('<runA>', 'run folder')
    .argument('<runB>', 'run folder')
    .option('--k <n>', 'cut-off of NDCG', nonNegativeInteger, 10)
    .action(async (runA: string, runB: string, flags: { k: number }) => {
      process.stdout.write(`${JSON.stringify(await compareRuns(runA, runB, flags.k))}\n`);
    });
}
