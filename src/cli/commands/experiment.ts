import type { Command } from 'commander';
import { experimentJob } from '../../core/jobs/experiment';
import { nonNegativeInteger } from '../options';
import { terminalContext } from '../progress';

interface ExperimentFlags {
  config: string;
  variants?: string[];
  seeds?: number[];
  tabulateOnly?: boolean;
  report?: string;
  diagnostics?: boolean;
  quiet?: boolean;
}

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];
const seedList = (value: string, previous: number[] = []) => [...previous, ...value.split(',').map((v) => nonNegativeInteger(v.trim()))];

export function registerExperiment(program: Command): void {
  program
    .command('experiment')
    .description(
      'Run the variants × seeds of an experiment file (finished runs are reused), then write its results table (<name>.results.md and .json in the output folder) with mean ± std and paired tests against the named baselines.',
    )
    .requiredOption('--config <file>', 'experiment file (JSON): name, base run config, seeds, variants, comparisons, output')
    .option('--variants <names>', 'train only these variants (comma-separated; the table still shows every finished run)', list)
    .option('--seeds <seeds>', "train only these of the experiment's seeds (comma-separated)", seedList)
    .option('--tabulate-only', 'train nothing: tabulate the finished runs and list the rest as not run')
    .option('--report <file.md>', "also write the experiment's section into this Markdown report, and its results into the .json beside it")
    .option('--diagnostics', "also read GRASP's attention from each finished GRASP run (item self vs neighbour weight, user-level spread, gate)")
    .option('--quiet', 'no progress or event lines on stderr')
    .action(async (flags: ExperimentFlags) => {
      const ctx = terminalContext({ quiet: flags.quiet });
      // The command as typed (minus --quiet, which changes nothing in the results), recorded with the results.
      const command = ['grasp', ...process.argv.slice(2).filter((arg) => arg !== '--quiet')].join(' ');
      try {
        const result = await experimentJob(
          {
            configPath: flags.config,
            variants: flags.variants,
            seeds: flags.seeds,
            tabulateOnly: flags.tabulateOnly,
            report: flags.report,
            diagnostics: flags.diagnostics,
            command,
          },
          ctx,
        );
        ctx.dispose();
        const { results, ...summary } = result;
        process.stdout.write(
          `${JSON.stringify({ ...summary, comparisons: results.table.comparisons.map(({ variant, baseline, difference, overUsers, overSeeds, significant }) => ({ variant, baseline, difference, pUsers: overUsers?.p, pSeeds: overSeeds?.p, significant })) })}\n`,
        );
      } finally {
        ctx.dispose();
      }
    });
}
