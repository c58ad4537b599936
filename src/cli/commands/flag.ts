import { Option, type Command } from 'commander';
import { flagJob, type FlagJobResult } from '../../core/jobs/flag';
import type { DemoFlagsResult } from '../../core/hallucination/demo';
import type { FlagRecord } from '../../core/hallucination/types';
import { datasetAction, entityOf, printable, type DatasetFlags } from '../datasetOptions';
import { nonNegativeInteger, unitInterval } from '../options';

interface FlagFlags extends DatasetFlags {
  entity: string;
  top: number;
  threshold?: number;
  texts: string;
  annotations?: string;
  run?: string | false;
  json?: boolean;
}

export function registerFlag(program: Command): void {
  const command = program
    .command('flag')
    .description('List the riskiest LLM texts (possible hallucinations) with their reasons; changes nothing.')
    .argument('<dataset>', 'dataset file or folder')
    .addOption(new Option('--entity <kind>', 'items or users').choices(['items', 'users', 'item', 'user']).default('items'))
    .option('--top <n>', 'how many to list (0 = all)', nonNegativeInteger, 20)
    .option('--threshold <risk>', 'risk at or above which a text is flagged (default 0.5)', unitInterval)
    .option('--texts <source>', 'descriptions to check: auto (the cached synthesis), provider[:model], or metadata-only', 'auto')
    .option('--annotations <file>', 'annotations file (default <workspace>/grasp.annotations.jsonl)')
    .option('--run <dir>', 'GRASP run whose attention gives the model-distrust signal (default: the newest on this dataset)')
    .option('--no-run', 'leave the model-distrust signal out')
    .option('--json', 'print one JSON object');
  datasetAction(
    command,
    (params, flags: FlagFlags, ctx) =>
      flagJob(
        {
          ...params,
          entity: entityOf(flags.entity),
          top: flags.top,
          texts: flags.texts,
          annotations: flags.annotations,
          run: flags.run === false ? null : flags.run,
          detector: flags.threshold === undefined ? {} : { threshold: flags.threshold },
        },
        ctx,
      ),
    formatFlags,
  );
}

function excerpt(text: string, max: number): string {
  const line = printable(text.replace(/\s+/g, ' '));
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

export function formatRecord(record: FlagRecord, reasons = 3): string[] {
  const verdict = record.annotation ? `  [${record.annotation.verdict}${record.annotation.stale ? ', stale' : ''}]` : '';
  const lines = [
    `${record.risk.toFixed(3)}  ${record.entity} ${printable(record.id)}${record.flagged ? '  FLAGGED' : ''}${verdict}  ${excerpt(record.text, 80)}`,
  ];
  for (const reason of record.reasons.slice(0, reasons))
    lines.push(
      `    ${reason.signal}/${reason.kind} @${reason.start}-${reason.end} ${JSON.stringify(excerpt(reason.text, 40))}: ${excerpt(reason.message, 120)}`,
    );
  if (record.reasons.length > reasons) lines.push(`    … ${record.reasons.length - reasons} more reason(s)`);
  return lines;
}

function formatFlags(result: FlagJobResult): string {
  const lines = [`${result.entity}s: ${result.flagged} of ${result.total} flagged at risk ≥ ${result.config.threshold} (texts: ${printable(result.source)})`];
  for (const [signal, why] of Object.entries(result.absent)) lines.push(`  signal ${signal} absent: ${printable(why ?? '')}`);
  const evaluation = result.annotations.evaluation;
  if (evaluation) {
    const c = evaluation.combined;
    const pct = (value: number | null): string => (value === null ? 'n/a' : value.toFixed(3));
    lines.push(
      `  against ${evaluation.texts} human verdicts (${evaluation.positives} hallucinated/edited): AUC ${pct(c.auc)}, precision ${pct(c.precision)}, recall ${pct(c.recall)}`,
    );
  }
  if (result.annotations.stale > 0)
    lines.push(`  ${result.annotations.stale} annotation(s) in ${result.annotations.file} judged an older text (stale, not applied)`);
  lines.push('');
  for (const record of result.records) lines.push(...formatRecord(record));
  return lines.join('\n');
}

/** The demo's flag stage: the riskiest descriptions, each marked when it was one the demo corrupted. */
export function formatDemoFlags(flags: DemoFlagsResult): string {
  const lines = [
    `Hallucination flags: ${flags.injected} of ${flags.items} descriptions given false claims on purpose; ${flags.injectedInTop} of them are among the ${flags.injected} riskiest; ${flags.flagged} flagged (${flags.seconds.toFixed(1)} s)`,
  ];
  for (const record of flags.top) {
    const [first, ...rest] = formatRecord(record, 2);
    lines.push(`${first}${record.injected ? '  (injected)' : ''}`, ...rest);
  }
  return lines.join('\n');
}
