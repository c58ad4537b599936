import { type Command } from 'commander';
import { neighboursJob } from '../../core/jobs/neighbours';
import { datasetAction, printable, type DatasetFlags } from '../datasetOptions';
import { nonNegativeInteger } from '../options';

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
    .option('--embedder <name>', "which embedding's index (default: the newest)")
    .option('--json', 'print one JSON object');
  datasetAction(
    command,
    (params, flags: NeighboursFlags, ctx) => {
      if ((flags.item === undefined) === (flags.user === undefined)) command.error('error: give exactly one of --item <id> or --user <id>', { exitCode: 2 });
      return neighboursJob(
        { ...params, entity: flags.item !== undefined ? 'item' : 'user', id: flags.item ?? flags.user!, k: Math.max(1, flags.k), embedder: flags.embedder },
        ctx,
      );
    },
    (result) => {
      const lines = [`${result.entity} ${printable(result.query.id)}: ${printable(result.query.label)}`];
      result.neighbours.forEach((neighbour, i) =>
        lines.push(`  ${String(i + 1).padStart(2)}. ${neighbour.similarity.toFixed(3)}  ${printable(neighbour.id)}  ${printable(neighbour.label)}`),
      );
      lines.push(`  (${result.index.method}, ${result.index.embedding.embedder}/${result.index.embedding.model}, ${result.index.space} ${result.index.dim}-d)`);
      return lines.join('\n');
    },
  );
}
