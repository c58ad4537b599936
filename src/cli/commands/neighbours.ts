import { type Command } from 'commander';
import { neighboursJob } from '../../core/jobs/neighbours';
import { addDatasetOptions, datasetLoadParams, printable, type DatasetFlags } from '../datasetOptions';
import { nonNegativeInteger } from '../options';
import { terminalContext } from '../progress';

interface NeighboursFlags extends DatasetFlags {
  item?: string;
  user?: string;
  k: number;
  embedder?: string;
  json?: boolean;
}

export function registerNeighbours(program: Command): void {
  const command = program
    .command('neighbours')
    .alias('neighbors')
    .description('Print the most similar items of an item, or users of a user, from the stored index.')
    .argument('<dataset>', 'dataset file or folder')
    .option('--item <id>', 'item id, as in the dataset')
    .option('--user <id>', 'user id, as in the dataset')
    .option('--k <n>', 'how many neighbours', nonNegativeInteger, 10)
    .option('--embedder <name>', 'which embedding\'s index (default: the newest)')
    .option('--json', 'print one JSON object');
  addDatasetOptions(command).action(async (dataset: string, flags: NeighboursFlags) => {
    if ((flags.item === undefined) === (flags.user === undefined)) command.error('error: give exactly one of --item <id> or --user <id>', { exitCode: 2 });
    const ctx = terminalContext({ quiet: flags.json });
    try {
      const result = await neighboursJob(
        {
          dataset,
          load: datasetLoadParams(flags),
          cacheDir: flags.cacheDir,
          entity: flags.item !== undefined ? 'item' : 'user',
          id: flags.item ?? flags.user!,
          k: Math.max(1, flags.k),
          embedder: flags.embedder,
        },
        ctx,
      );
      ctx.dispose();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      const lines = [`${result.entity} ${printable(result.query.id)}: ${printable(result.query.label)}`];
      result.neighbours.forEach((neighbour, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${neighbour.similarity.toFixed(3)}  ${printable(neighbour.id)}  ${printable(neighbour.label)}`));
      lines.push(`  (${result.index.method}, ${result.index.embedding.embedder}/${result.index.embedding.model}, ${result.index.space} ${result.index.dim}-d)`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      ctx.dispose();
    }
  });
}
