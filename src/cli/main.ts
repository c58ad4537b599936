import { Command, CommanderError } from 'commander';
import { DataError } from '../core/data/errors';
import { CancelledError } from '../core/jobs';
import { registerAccelerator } from './commands/accelerator';
import { registerCompare } from './commands/compare';
import { registerDemo } from './commands/demo';
import { registerEmbed } from './commands/embed';
import { registerIndex } from './commands/indexCommand';
import { registerNeighbours } from './commands/neighbours';
import { registerEval } from './commands/eval';
import { registerStats } from './commands/stats';
import { registerSynthesize } from './commands/synthesize';
import { registerTemplates } from './commands/templates';
import { registerTrain } from './commands/train';
import { registerCorrupt } from './commands/corrupt';
import { registerFlag } from './commands/flag';
import { registerAnnotate } from './commands/annotate';
import { registerExperiment } from './commands/experiment';
import { registerAttention } from './commands/attention';
import { registerExport } from './commands/export';
import { writeStderr } from './terminal';

/** One module per command under ./commands, each adding itself to the program. */
const COMMANDS = [
  registerStats,
  registerDemo,
  registerAccelerator,
  registerTrain,
  registerEval,
  registerCompare,
  registerSynthesize,
  registerEmbed,
  registerIndex,
  registerNeighbours,
  registerTemplates,
  registerCorrupt,
  registerExperiment,
  registerFlag,
  registerAnnotate,
  registerAttention,
  registerExport,
];

function buildProgram(): Command {
  const program = new Command('grasp')
    .description('GRASP Lab: LLM world knowledge for sequential recommendation, with hallucinations in check.')
    .version(process.env.GRASP_VERSION ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // Usage errors quote the arguments; set before the commands are added, which copy it.
    .configureOutput({ writeErr: writeStderr })
    .exitOverride();

  for (const register of COMMANDS) register(program);
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
    // Stacks are for developers: GRASP_DEBUG=1 shows them.
    const message =
      error instanceof Error ? (process.env.GRASP_DEBUG && !(error instanceof DataError) ? (error.stack ?? error.message) : error.message) : String(error);
    writeStderr(`grasp: ${message}\n`);
    return 1;
  }
}
