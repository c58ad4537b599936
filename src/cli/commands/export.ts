import type { Command } from 'commander';
import { exportJob, type ExportJobResult } from '../../core/jobs/export';
import { datasetAction, printable, type DatasetFlags } from '../datasetOptions';

interface ExportFlags extends DatasetFlags {
  out?: string;
  json?: boolean;
}

export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description(
      "Write a dataset's or a run's text side for Python: vectors as .npy (float32) with an id map, neighbour tables as TSV, descriptions as RecBole .item/.user files, and a run's per-user ranks and metrics as CSV.",
    )
    .argument('<dataset-or-run>', 'a dataset file or folder (exports what `grasp synthesize / embed / index` cached), or a finished run folder')
    .option('--out <dir>', 'where to write (a new or empty folder, or an earlier export; default <cache>/exports/<name>)')
    .option('--json', 'print one JSON object');
  datasetAction(
    command,
    ({ dataset: target, load, cacheDir }, flags: ExportFlags, ctx) => exportJob({ target, out: flags.out, cacheDir, load }, ctx),
    formatExport,
  );
}

function formatExport(result: ExportJobResult): string {
  const lines = [`${result.kind} ${printable(result.target)} → ${printable(result.out)}`];
  for (const file of result.files) {
    const size = file.shape ? ` [${file.shape.join(' × ')}]` : file.rows !== undefined ? ` (${file.rows} rows)` : '';
    lines.push(`  ${printable(file.file)}${size}: ${printable(file.what)}`);
  }
  for (const note of result.notes) lines.push(`  note: ${printable(note)}`);
  return lines.join('\n');
}
