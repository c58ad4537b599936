import type { Command } from 'commander';
import { defaultAcceleratorDir, findAccelerator, TFJS_NODE_VERSION } from '../../core/accelerator/install';
import { installAcceleratorJob } from '../../core/jobs/installAccelerator';
import { terminalContext } from '../progress';

export function registerAccelerator(program: Command): void {
  const accelerator = program
    .command('accelerator')
    .description(`The native accelerator (@tensorflow/tfjs-node ${TFJS_NODE_VERSION}), installed outside the project and loaded by the engine when present.`);

  accelerator
    .command('status')
    .description('Say whether the accelerator is installed and where.')
    .option('--dir <dir>', 'accelerator folder (default: $GRASP_ACCELERATOR_DIR or ~/.grasp/accelerator)')
    .action((flags: { dir?: string }) => {
      const dir = flags.dir ?? defaultAcceleratorDir();
      const entry = findAccelerator(dir);
      process.stdout.write(entry ? `installed: ${entry}\n` : `not installed in ${dir} (run: grasp accelerator install)\n`);
    });

  accelerator
    .command('install')
    .description('npm install @tensorflow/tfjs-node into the accelerator folder (it downloads libtensorflow).')
    .option('--dir <dir>', 'accelerator folder (default: $GRASP_ACCELERATOR_DIR or ~/.grasp/accelerator)')
    .action(async (flags: { dir?: string }) => {
      const ctx = terminalContext();
      try {
        const result = await installAcceleratorJob({ dir: flags.dir }, ctx);
        process.stdout.write(`installed: ${result.entry}\n`);
      } finally {
        ctx.dispose();
      }
    });
}
