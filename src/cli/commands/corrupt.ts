import { Option, type Command } from 'commander';
import { CORRUPTION_KINDS, type CorruptionKind } from '../../core/hallucination/corrupt';
import { corruptJob } from '../../core/hallucination/corruptJob';
import { addDatasetOptions, datasetLoadParams, type DatasetFlags } from '../datasetOptions';
import { nonNegativeInteger, unitInterval } from '../options';
import { terminalContext } from '../progress';

interface CorruptFlags extends DatasetFlags {
  fraction: number;
  seed: number;
  out?: string;
  kinds?: CorruptionKind[];
  texts: string;
  json?: boolean;
}

export function registerCorrupt(program: Command): void {
  const command = program
    .command('corrupt')
    .description('Plant known false claims (swapped category, invented brand and attributes) in a fraction of item descriptions; write the ground truth.')
    .argument('<dataset>', 'dataset file or folder')
    .requiredOption('--fraction <share>', 'share of items to corrupt, in [0, 1]', unitInterval)
    .option('--seed <n>', 'random seed (same seed, same corruption)', nonNegativeInteger, 1)
    .option('--out <file>', 'ground-truth JSON (default <cache>/corruption/items.f<fraction>.s<seed>.json)')
    .addOption(new Option('--kinds <kind...>', 'kinds of false claims to draw from').choices([...CORRUPTION_KINDS]))
    .option('--texts <source>', 'descriptions to corrupt: auto (the cached synthesis), provider[:model], or metadata-only', 'auto')
    .option('--json', 'print one JSON object');
  addDatasetOptions(command).action(async (dataset: string, flags: CorruptFlags) => {
    const ctx = terminalContext({ quiet: flags.json });
    try {
      const result = await corruptJob({ dataset, load: datasetLoadParams(flags), cacheDir: flags.cacheDir, fraction: flags.fraction, seed: flags.seed, kinds: flags.kinds, out: flags.out, texts: flags.texts }, ctx);
      ctx.dispose();
      const kinds = Object.entries(result.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ');
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(result)}\n`
          : `corrupted ${result.corrupted} of ${result.total} item descriptions (${kinds}; ${result.fromSynthesis} from the cached synthesis, ${result.metadataOnly} metadata-only; categories from the ${result.categorySource})\nground truth: ${result.out}\n`,
      );
    } finally {
      ctx.dispose();
    }
  });
}
