import type { Command } from 'commander';
import { trainJob } from '../../core/jobs/train';
import { terminalContext } from '../progress';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('Train and evaluate a sequential recommender described by a JSON config; the last stdout line is the result as JSON.')
    .requiredOption('--config <file>', 'run config (JSON): data, model, train, eval, engine')
    .option('--out <dir>', 'run folder (default .grasp/runs/<time>-<model>-<dataset>)')
    .option('--overwrite', 'replace the run --out holds when it is finished or of another config (an unfinished run of the same config is resumed without it)')
    .option('--quiet', 'no progress or event lines on stderr')
    .action(async (flags: { config: string; out?: string; overwrite?: boolean; quiet?: boolean }) => {
      const ctx = terminalContext({ quiet: flags.quiet });
      try {
        const result = await trainJob({ configPath: flags.config, outDir: flags.out, overwrite: flags.overwrite }, ctx);
        ctx.dispose();
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        ctx.dispose();
      }
    });
}
