// The results table in Markdown, and the report files (docs/results.md + results.json) that collect
// several experiments: each experiment owns one marked section of the Markdown file and one key of the
// JSON file, rewritten whole by its own command, so the numbers are never edited by hand while the
// prose around the sections is left alone.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomicWrite';
import type { MeanStd, UserTest } from './stats';
import { SIGNIFICANCE, type ComparisonResult, type ExperimentTable, type RecoveryResult } from './table';

export interface ExperimentResults {
  format: 'grasp-experiment/1';
  experiment: string;
  description?: string;
  command: string;
  generated: string;
  /** the output folder, relative to the working folder */
  outputLabel: string;
  data: string[];
  seeds: number[];
  machine: { cpu: string; cores: number; node: string; backends: string[] };
  table: ExperimentTable;
}

const f4 = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '—');
const cell = (m: MeanStd | undefined) => (!m || m.n === 0 ? '—' : m.n === 1 ? f4(m.mean) : `${f4(m.mean)} ± ${f4(m.std)}`);

export function formatP(p: number | undefined): string {
  if (p === undefined || !Number.isFinite(p)) return '—';
  if (p < 1e-4) return p === 0 ? '< 1e-16' : p.toExponential(1);
  return p.toFixed(4);
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;
}

function comparisonRow(c: ComparisonResult): string {
  if (c.seeds.length === 0) return `| ${c.variant} vs ${c.baseline} | not run | | | | | |`;
  const perSeed = c.perSeed.map((s) => `${s.seed}: ${formatP(s.p)}`).join(', ');
  const verdict = c.significant
    ? 'yes'
    : c.difference <= 0
      ? 'no (not better)'
      : c.overSeeds === null
        ? 'untested (1 seed: no test over seeds)'
        : 'no (not significant)';
  return `| ${c.variant} vs ${c.baseline} | ${f4(c.variantMean)} vs ${f4(c.baselineMean)} | ${signed(c.difference)} (${c.relative >= 0 ? '+' : '−'}${Math.abs(100 * c.relative).toFixed(1)} %) | ${formatP(c.overUsers?.p)} (n=${c.overUsers?.n ?? 0}) | ${perSeed} | ${c.overSeeds ? `${formatP(c.overSeeds.p)} (n=${c.overSeeds.n})` : '— (1 seed)'} | ${verdict} |`;
}

function recoveryRow(r: RecoveryResult): string {
  if (r.seeds.length === 0 || r.cleanMean === null || r.corruptedMean === null || r.reviewedMean === null)
    return `| ${r.reviewed} | ${r.corrupted} | ${r.clean} | not run | | | | |`;
  const share = r.share === null ? (r.note ?? 'n/a') : `${(100 * r.share).toFixed(1)} %`;
  return `| ${r.reviewed} | ${r.corrupted} | ${r.clean} | ${f4(r.cleanMean)} / ${f4(r.corruptedMean)} / ${f4(r.reviewedMean)} | ${signed(r.drop!)}${r.dropP !== undefined ? ` (p ${formatP(r.dropP)})` : ''} | ${signed(r.recovered!)} | ${share} | ${r.seeds.join(', ')} |`;
}

export function renderMarkdown(results: ExperimentResults): string {
  const { table } = results;
  const lines: string[] = [`### ${results.experiment}`, ''];
  if (results.description) lines.push(results.description, '');
  lines.push(
    `- Command: \`${results.command}\``,
    `- Data: \`${results.data.join('`, `')}\`; seeds ${results.seeds.join(', ')}`,
    `- Machine: ${results.machine.cpu} (${results.machine.cores} cores), Node ${results.machine.node}, backend ${results.machine.backends.join(', ') || '—'}`,
    `- Budget: ${[...new Set(table.variants.map((v) => `${v.budget.epochs} epochs max, validation every ${v.budget.evalEvery}, patience ${v.budget.patience} evaluations, batch ${v.budget.batchSize}, lr ${v.budget.lr}, loss ${v.budget.loss}`))].join('; ')}. Early stopping on validation NDCG@10; test at the best validation epoch.`,
    `- Generated ${results.generated} by \`grasp experiment\` from the run folders under \`${results.outputLabel}\``,
    '',
    'Test, full ranking over all items (training history masked); mean ± sample std over seeds. Tail users: the 80 % with the shortest training sequences; tail items: targets outside the 20 % most popular items. Valid NDCG@10: validation at the best epoch, the model-selection criterion.',
    '',
    '| variant | seeds | HR@10 | NDCG@10 | MRR | tail-user NDCG@10 | tail-item NDCG@10 | valid NDCG@10 | best epochs | train s/run | ms/step |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const v of table.variants) {
    if (v.seedsDone.length === 0) {
      lines.push(`| ${v.name} | not run | | | | | | | | | |`);
      continue;
    }
    const seconds = v.trainSeconds.reduce((a, b) => a + b, 0) / v.trainSeconds.length;
    lines.push(
      `| ${v.name} | ${v.seedsDone.length} | ${cell(v.test['HR@10'])} | ${cell(v.test['NDCG@10'])} | ${cell(v.test.MRR)} | ${cell(v.groups.tailUsers)} | ${cell(v.groups.tailItems)} | ${cell(v.validNdcg10)} | ${v.bestEpochs.join(', ')} | ${seconds.toFixed(0)} | ${v.msPerStep.mean.toFixed(0)} |`,
    );
  }
  if (table.comparisons.length > 0) {
    lines.push(
      '',
      `Paired tests on test NDCG@10 (two-sided paired t-tests). Over users: each user's NDCG@10 averaged over the seeds both sides finished (seed s against seed s), then paired over users; per-seed p: the same test within each seed. Over seeds: per-seed NDCG@10, paired over seeds. "Better" needs p < ${SIGNIFICANCE} in both.`,
      '',
      '| comparison | NDCG@10 | difference | p over users | p per seed (over users) | p over seeds | better with p < 0.05 |',
      '|---|---|---|---|---|---|---|',
      ...table.comparisons.map(comparisonRow),
    );
  }
  const ran = table.comparisons.filter((c) => c.seeds.length > 0);
  if (ran.length > 0)
    lines.push(
      '',
      'The same comparisons on validation NDCG@10 at the best epoch (the model-selection criterion: validation screens decide on this ratio, never on test); means over the paired seeds.',
      '',
      '| comparison | valid NDCG@10 | ratio |',
      '|---|---|---|',
      ...ran.map(
        (c) =>
          `| ${c.variant} vs ${c.baseline} | ${f4(c.valid.variantMean)} vs ${f4(c.valid.baselineMean)} | ${Number.isFinite(c.valid.ratio) ? c.valid.ratio.toFixed(3) : '—'} |`,
      ),
    );
  const tails = table.comparisons.filter((c) => c.tails && c.seeds.length > 0);
  if (tails.length > 0) {
    lines.push(
      '',
      'The same test over users, within the tail groups: tail users (the 80 % with the shortest training sequences) and tail items (users whose test target is outside the 20 % most popular items); per-user NDCG@10 averaged over the paired seeds.',
      '',
      '| comparison | tail users: NDCG@10 | difference | p (n) | tail items: NDCG@10 | difference | p (n) |',
      '|---|---|---|---|---|---|---|',
      ...tails.map((c) => {
        const cells = (test: UserTest | null | undefined): string =>
          test
            ? `${f4(test.variantMean)} vs ${f4(test.baselineMean)} | ${signed(test.variantMean - test.baselineMean)} | ${formatP(test.p)} (n=${test.n})`
            : '— | — | —';
        return `| ${c.variant} vs ${c.baseline} | ${cells(c.tails!.users)} | ${cells(c.tails!.items)} |`;
      }),
    );
  }
  const recoveries = table.recoveries ?? [];
  if (recoveries.length > 0) {
    lines.push(
      '',
      'Recovery after review, on test NDCG@10 (full ranking): means over the seeds all three variants finished. Share of the drop recovered = (reviewed − corrupted) / (clean − corrupted): 1 = back to the clean run, 0 = no better than the corrupted one; n/a when the corruption caused no drop (clean − corrupted ≤ 0: nothing to recover) or a drop that is not significant (p ≥ 0.05 in the paired test over users beside it: a share of noise is noise).',
      '',
      '| reviewed | corrupted | clean | NDCG@10 clean / corrupted / reviewed | drop (clean − corrupted) | recovered (reviewed − corrupted) | share of the drop recovered | seeds |',
      '|---|---|---|---|---|---|---|---|',
      ...recoveries.map(recoveryRow),
    );
  }
  const attention = table.variants.filter((v) => v.attention && v.attention.length > 0);
  if (attention.length > 0) {
    const mean = (values: Array<number | null>) => {
      const real = values.filter((x): x is number => x !== null);
      return real.length === 0 ? '—' : (real.reduce((a, b) => a + b, 0) / real.length).toFixed(3);
    };
    lines.push(
      '',
      "Attention diagnostics (best checkpoints, test inputs of an evenly spaced sample of users; mean over seeds). Item self: weight the item-level attention keeps on the item itself (uniform would be 1 / (1 + neighbours)); top neighbour: the largest single neighbour weight; top is nearest: share of items whose most-weighted neighbour is their nearest retrieved one; user entropy: entropy of the weights over similar users at the last position / log(#neighbours), 1 = uniform; gate: mean σ of the fusion gate; ranks reproduced: share of the sampled users whose test rank this build recomputes exactly from the checkpoint (1 = the weights shown are the run's own).",
      '',
      '| variant | items | item self | uniform self | top neighbour | top is nearest | users | user entropy | gate | ranks reproduced |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...attention.map((v) => {
        const a = v.attention!;
        const neighbours = a.map((x) => x.itemNeighbours).filter((x): x is number => x !== null);
        const uniform = neighbours.length ? (1 / (1 + neighbours.reduce((p, q) => p + q, 0) / neighbours.length)).toFixed(3) : '—';
        return `| ${v.name} | ${a[0].items} | ${mean(a.map((x) => x.itemSelf))} | ${uniform} | ${mean(a.map((x) => x.itemTopNeighbour))} | ${mean(a.map((x) => x.itemTopIsNearest ?? null))} | ${a[0].users} | ${mean(a.map((x) => x.userEntropy))} | ${mean(a.map((x) => x.gate))} | ${mean(a.map((x) => x.reproduced))} |`;
      }),
    );
  }
  if (table.notRun.length > 0) lines.push('', `Not run: ${table.notRun.map((r) => `${r.variant} seed ${r.seed}`).join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

const begin = (name: string) => `<!-- grasp-experiment:${name} begin (generated by grasp experiment; do not edit) -->`;
const end = (name: string) => `<!-- grasp-experiment:${name} end -->`;

/** Replaces (or appends) the experiment's section of a Markdown report. */
export function spliceSection(document: string, name: string, section: string): string {
  const block = `${begin(name)}\n${section.trimEnd()}\n${end(name)}`;
  const start = document.indexOf(begin(name));
  const stop = document.indexOf(end(name));
  if (start >= 0 && stop > start) return document.slice(0, start) + block + document.slice(stop + end(name).length);
  const base = document.trimEnd();
  return `${base}${base ? '\n\n' : ''}${block}\n`;
}

/** The JSON file beside a Markdown report: results.md → results.json. */
export function reportJsonPath(markdownPath: string): string {
  return markdownPath.replace(/\.md$/i, '') + '.json';
}

export async function writeReport(markdownPath: string, results: ExperimentResults): Promise<{ markdown: string; json: string }> {
  const document = existsSync(markdownPath) ? await readFile(markdownPath, 'utf8') : '# Results\n';
  await writeFileAtomic(markdownPath, spliceSection(document, results.experiment, renderMarkdown(results)));
  const jsonPath = reportJsonPath(markdownPath);
  const collected = existsSync(jsonPath) ? (JSON.parse(await readFile(jsonPath, 'utf8')) as { experiments?: Record<string, unknown> }) : {};
  const experiments = { ...(collected.experiments ?? {}), [results.experiment]: results };
  await writeFileAtomic(jsonPath, `${JSON.stringify({ format: 'grasp-results/1', experiments }, null, 2)}\n`);
  return { markdown: markdownPath, json: jsonPath };
}
