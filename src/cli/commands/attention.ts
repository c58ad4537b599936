import { Option, type Command } from 'commander';
import { readAttention, type AttentionExplanation } from '../../core/train/attention';
import { printable } from '../datasetOptions';
import { terminalContext } from '../progress';

/** The weights as a small table: weight, similarity, raw id, label (the item itself marked). */
export function formatAttention(result: AttentionExplanation): string {
  const lines = [`${result.entity} ${printable(result.query.id)}  ${printable(result.query.label)}`, `${result.run} (${result.model}, epoch ${result.epoch})`];
  if (result.note) lines.push(result.note);
  if (result.gate !== undefined && result.gate !== null) lines.push(`gate (mean σ at the last state): ${result.gate.toFixed(3)}`);
  lines.push('  weight  similarity  id');
  for (const neighbour of result.neighbours) {
    const similarity = neighbour.similarity === null ? '     —    ' : neighbour.similarity.toFixed(3).padStart(10);
    lines.push(
      `  ${neighbour.weight.toFixed(3).padStart(6)}  ${similarity}  ${printable(neighbour.id)}${neighbour.self ? ' (itself)' : ''}  ${printable(neighbour.label)}`,
    );
  }
  return lines.join('\n');
}

export function registerAttention(program: Command): void {
  program
    .command('attention')
    .description("Show a GRASP run's learned attention weights over an item's retrieved neighbours (and the item itself) or a user's similar users.")
    .requiredOption('--run <dir>', 'run folder of a GRASP run (written by grasp train)')
    .addOption(new Option('--item <rawId>', 'an item id as in the dataset file').conflicts('user'))
    .addOption(new Option('--user <rawId>', 'a user id as in the dataset file').conflicts('item'))
    .option('--json', 'print one JSON object')
    .action(async (flags: { run: string; item?: string; user?: string; json?: boolean }, command: Command) => {
      if (flags.item === undefined && flags.user === undefined)
        command.error('grasp attention: give --item <rawId> or --user <rawId>', { exitCode: 2, code: 'grasp.attention.target' });
      const ctx = terminalContext({ quiet: flags.json });
      try {
        const result = await readAttention(flags.run, flags.item !== undefined ? { item: flags.item } : { user: flags.user! }, ctx);
        ctx.dispose();
        process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${formatAttention(result)}\n`);
      } finally {
        ctx.dispose();
      }
    });
}
