import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  CORRUPTION_FAMILIES,
  CORRUPTION_TARGETS,
  SPECIFIC_KINDS,
  type CorruptionFamily,
  type CorruptionMix,
  type CorruptionTarget,
  type SpecificKind,
} from '../../core/hallucination/corrupt';
import { corruptJob } from '../../core/jobs/corrupt';
import { datasetAction, type DatasetFlags } from '../datasetOptions';
import { nonNegativeInteger, unitInterval } from '../options';

interface CorruptFlags extends DatasetFlags {
  fraction: number;
  seed: number;
  out?: string;
  kinds?: SpecificKind[];
  mix?: Partial<CorruptionMix>;
  target: CorruptionTarget;
  texts: string;
  json?: boolean;
}

export function registerCorrupt(program: Command): void {
  const command = program
    .command('corrupt')
    .description(
      "Plant known hallucinations in a fraction of item descriptions (another product's description, invented specifics, generic filler); write the ground truth.",
    )
    .argument('<dataset>', 'dataset file or folder')
    .requiredOption('--fraction <share>', 'share of items to corrupt, in [0, 1]', unitInterval)
    .option('--seed <n>', 'random seed (same seed, same corruption)', nonNegativeInteger, 1)
    .option('--out <file>', 'ground-truth JSON (default <cache>/corruption/items.f<fraction>.s<seed>.json)')
    .addOption(new Option('--kinds <kind...>', 'invented-specifics kinds to draw from').choices([...SPECIFIC_KINDS]))
    .option(
      '--mix <shares>',
      `share per family, e.g. wrong-product=0.4,specifics=0.3,generic=0.3 (families: ${CORRUPTION_FAMILIES.join(', ')}; default specifics=1)`,
      parseMix,
    )
    .addOption(
      new Option('--target <which>', 'which items are hit: uniform (head as likely as tail) or head (∝ training interactions)')
        .choices([...CORRUPTION_TARGETS])
        .default('uniform'),
    )
    .option('--texts <source>', 'descriptions to corrupt: auto (the cached synthesis), provider[:model], or metadata-only', 'auto')
    .option('--json', 'print one JSON object');
  datasetAction(
    command,
    (params, flags: CorruptFlags, ctx) =>
      corruptJob(
        { ...params, fraction: flags.fraction, seed: flags.seed, kinds: flags.kinds, mix: flags.mix, target: flags.target, out: flags.out, texts: flags.texts },
        ctx,
      ),
    (result) => {
      const kinds = Object.entries(result.byKind)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ');
      return `corrupted ${result.corrupted} of ${result.total} item descriptions (${kinds}; ${result.fromSynthesis} from the cached synthesis, ${result.metadataOnly} metadata-only; categories from the ${result.categorySource})\nground truth: ${result.out}`;
    },
  );
}

/** `family=share,…` → shares (normalised later; each family at most once). */
function parseMix(value: string): Partial<CorruptionMix> {
  const mix: Partial<CorruptionMix> = {};
  for (const part of value.split(',')) {
    const [family, share, extra] = part.split('=').map((piece) => piece.trim());
    if (!CORRUPTION_FAMILIES.includes(family as CorruptionFamily) || share === undefined || extra !== undefined || !/^\d+(\.\d+)?$/.test(share)) {
      throw new InvalidArgumentError(`expected family=share pairs with families ${CORRUPTION_FAMILIES.join(', ')} and shares ≥ 0, got "${part}"`);
    }
    if (mix[family as CorruptionFamily] !== undefined) throw new InvalidArgumentError(`${family} is given twice`);
    mix[family as CorruptionFamily] = Number(share);
  }
  return mix;
}
