import type { Command } from 'commander';
import { evalJob } from '../../core/jobs/evaluate';
import type { BackendChoice } from '../../core/engine/backend';
import { terminalContext } from '../progress';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("Re-evaluate a run's best checkpoint (full ranking, sampled-100, head/tail groups); prints one JSON line.")
    .requiredOption('--run <dir>', 'run folder written by grasp train')
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu (default: the run config)')
    .action(async (flags: { run: string; backend?: BackendChoice }) => {
      const ctx = terminalContext();
      try {
        const result = await evalJob({ run: flags.run, backend: flags.backend }, ctx);
        ctx.dispose();
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        ctx.dispose();
      }
    });
}
