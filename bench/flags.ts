// Hallucination flags: on Beauty and Scientific (read in place from ../shared/data), metadata-provider
// item descriptions with 20 % corrupted by the corruption tool (ground truth known), scored by the
// detector. Prints one JSON line per dataset (ROC-AUC, precision and recall at the default threshold,
// per signal and combined), then a summary whose `auc_combined` is the lower of the two datasets.
// The detector's defaults were chosen on corruption seed 101; this bench evaluates on seed 1
// (override with --seed to look at others, never to choose defaults on the evaluation seed).
// Model distrust needs a GRASP run trained on the SAME corrupted texts: the bench trains a short one
// per dataset (GRASP-SASRec, maxLen 20, --epochs, default 10) into .grasp/bench/flags/, reuses it when
// it has finished, checks that its recorded corruption is the bench's ground truth, and reads its
// item-level attention. --no-distrust skips it (the distrust signal is then absent).
// --distrust-run DIR (repeatable) also scores any finished GRASP run trained with `grasp.corruption`
// (e.g. the robustness experiment's): ROC-AUC of its neighbour attention share against its own ground truth.
// --mix family=share,… corrupts with that mix of families (default specifics=1, the original tool).
// --grid: every family alone (wrong-product, specifics, generic) at every --fractions (default 0.2,0.4,0.6),
// detector signals only (no distrust runs: one GRASP training per cell would be needed); one line per cell
// with ROC-AUC per signal and combined, and precision at K = 1 %, 5 %, 10 % of the catalogue.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/core/data/load';
import { leaveOneOut } from '../src/core/data/split';
import { CORRUPTION_FAMILIES, corruptDescriptions, type CorruptionFamily, type CorruptionMix } from '../src/core/hallucination/corrupt';
import { DEFAULT_DETECTOR, detect, type AttentionLookup } from '../src/core/hallucination/detect';
import { evaluateFlags, precisionAtK, rocAuc } from '../src/core/hallucination/evaluate';
import { buildInputs, type ItemInput } from '../src/core/llm/inputs';
import { describeItem } from '../src/core/llm/metadataProvider';
import { initEngine } from '../src/core/engine/backend';
import type { CorruptionTruth } from '../src/core/hallucination/corrupt';
import { itemNeighbourAttention } from '../src/core/train/attention';
import { trainJob } from '../src/core/jobs/train';

const ROOT = join(__dirname, '..');
const DATA = join(ROOT, '..', 'shared', 'data');
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    fraction: { type: 'string', default: '0.2' },
    datasets: { type: 'string', default: 'beauty,scientific' },
    epochs: { type: 'string', default: '10' },
    'no-distrust': { type: 'boolean', default: false },
    'distrust-run': { type: 'string', multiple: true, default: [] },
    'distrust-below': { type: 'string' },
    mix: { type: 'string' },
    grid: { type: 'boolean', default: false },
    fractions: { type: 'string', default: '0.2,0.4,0.6' },
  },
});
const seed = Number(values.seed);
const fraction = Number(values.fraction);
const mix = values.mix === undefined ? undefined : parseMix(values.mix);

function parseMix(text: string): Partial<CorruptionMix> {
  const out: Partial<CorruptionMix> = {};
  for (const part of text.split(',')) {
    const [family, share] = part.split('=');
    if (!CORRUPTION_FAMILIES.includes(family as CorruptionFamily) || !(Number(share) >= 0))
      throw new Error(`--mix: expected family=share with families ${CORRUPTION_FAMILIES.join(', ')}, got "${part}"`);
    out[family as CorruptionFamily] = Number(share);
  }
  return out;
}
const epochs = Number(values.epochs);
// to look at other settings on the selection seed (101), never to pick them on the evaluation seed
const detector = values['distrust-below'] === undefined ? {} : { distrustBelow: Number(values['distrust-below']) };
const threshold = DEFAULT_DETECTOR.threshold;
const stderrContext = { progress: () => {}, log: (line: string) => process.stderr.write(`${line}\n`), isCancelled: () => false };

/** A GRASP run trained with `grasp.corruption`: its ground truth and each item's attention share on its neighbours. */
async function corruptedRunAttention(runDir: string): Promise<{ truth: CorruptionTruth } & Awaited<ReturnType<typeof itemNeighbourAttention>>> {
  const truth = JSON.parse(readFileSync(join(runDir, 'corruption.json'), 'utf8')) as CorruptionTruth;
  return { truth, ...(await itemNeighbourAttention(runDir, stderrContext)) };
}

/** A short GRASP-SASRec run on this dataset's corrupted texts (trained once, then reused), and its item-level attention. */
async function distrustFromRun(
  name: string,
  truth: CorruptionTruth,
): Promise<{ lookup: (id: string) => ReturnType<AttentionLookup>; run: string; trainSeconds: number }> {
  const runDir = join(ROOT, '.grasp', 'bench', 'flags', `${name}-f${fraction}-s${seed}-e${epochs}`);
  const started = performance.now();
  if (!existsSync(join(runDir, 'metrics.json'))) {
    await trainJob(
      {
        outDir: runDir,
        config: {
          data: { path: join(DATA, name) },
          model: { kind: 'sasrec', d: 64, layers: 2, heads: 1, dropout: 0.2, maxLen: 20 },
          train: { epochs, batchSize: 128, evalEvery: epochs, seed: 1 },
          eval: { sampled: 0 },
          variant: 'grasp',
          grasp: { texts: { provider: 'metadata' }, cacheDir: join(ROOT, '.grasp'), corruption: { fraction, seed, ...(mix ? { mix } : {}) } },
        },
      },
      stderrContext,
    );
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const { truth: recorded, itemIds, mass, median } = await corruptedRunAttention(runDir);
  // the run's texts must be the bench's: same items corrupted, with the same false claims
  const key = (t: CorruptionTruth): string => t.items.map((item) => `${item.id}\u0000${item.corrupted}`).join('\u0001');
  if (key(recorded) !== key(truth))
    throw new Error(
      `${runDir}: the run's corrupted descriptions are not the bench's (${recorded.items.length} vs ${truth.items.length} items); delete the folder to retrain`,
    );
  const rowOf = new Map(itemIds.map((id, row) => [id, row]));
  return {
    run: runDir,
    trainSeconds,
    lookup: (id) => {
      const row = rowOf.get(id);
      return row === undefined || Number.isNaN(mass[row]) ? undefined : { mass: mass[row], median };
    },
  };
}

const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 10_000) / 10_000);

async function run(name: string): Promise<number | null> {
  const started = performance.now();
  const dataset = await loadDataset(join(DATA, name));
  const split = leaveOneOut(dataset.sequences);
  const inputs = buildInputs(dataset, split, 'item');
  const { records, truth } = corruptDescriptions(
    inputs.map((input) => ({ id: input.id, description: describeItem(input.input as ItemInput) })),
    { fraction, seed, mix },
  );
  const corrupted = new Set(truth.items.map((item) => item.index));
  const ids = records.map((r) => r.id);
  const distrust = values['no-distrust'] ? undefined : await distrustFromRun(name, truth);
  const attention = distrust ? (index: number) => distrust.lookup(ids[index]) : undefined;
  const flags = detect(
    { entity: 'item', ids, inputs, outputs: records.map((r) => r.description), train: split.train, attention, attentionAbsent: 'skipped (--no-distrust)' },
    detector,
  );
  const evaluation = evaluateFlags(flags, (record) => corrupted.has(record.index), threshold);
  const signals = Object.fromEntries(
    Object.entries(evaluation.signals).map(([signal, e]) => [
      signal,
      { auc: round(e.auc), precision: round(e.precision), recall: round(e.recall), coverage: round(e.coverage) },
    ]),
  );
  const c = evaluation.combined;
  console.log(
    JSON.stringify({
      dataset: name,
      seed,
      fraction,
      mix: truth.mix,
      items: evaluation.texts,
      corrupted: evaluation.positives,
      threshold,
      distrust_below: detector.distrustBelow ?? DEFAULT_DETECTOR.distrustBelow,
      signals,
      combined: { auc: round(c.auc), precision: round(c.precision), recall: round(c.recall), flagged: c.flagged },
      distrust_run: distrust?.run ?? null,
      distrust_train_s: distrust ? round(distrust.trainSeconds) : null,
      seconds: round((performance.now() - started) / 1000),
    }),
  );
  return c.auc;
}

/** ROC-AUC of a corrupted-text GRASP run's neighbour attention share (lower share = more suspect) against the run's own truth. */
async function scoreRun(runDir: string): Promise<void> {
  const { truth, itemIds, mass, median } = await corruptedRunAttention(runDir);
  const corrupted = new Set(truth.items.map((item) => item.id));
  const rows = itemIds.map((_, row) => row).filter((row) => !Number.isNaN(mass[row]));
  const auc = rocAuc(
    rows.map((row) => -mass[row]),
    rows.map((row) => corrupted.has(itemIds[row])),
  );
  const mean = (flag: boolean): number => {
    const picked = rows.filter((row) => corrupted.has(itemIds[row]) === flag);
    return picked.reduce((sum, row) => sum + mass[row], 0) / Math.max(1, picked.length);
  };
  console.log(
    JSON.stringify({
      distrust_run: runDir,
      fraction: truth.fraction,
      seed: truth.seed,
      items: rows.length,
      corrupted: truth.items.length,
      distrust_auc: round(auc),
      neighbour_share_median: round(median),
      neighbour_share_corrupted: round(mean(true)),
      neighbour_share_clean: round(mean(false)),
    }),
  );
}

/** One cell of the grid: one family alone at one fraction, the detector's signals only. */
async function gridCell(
  name: string,
  family: CorruptionFamily,
  cellFraction: number,
  loaded: { inputs: ReturnType<typeof buildInputs>; train: Int32Array[] },
): Promise<number | null> {
  const started = performance.now();
  const { inputs, train } = loaded;
  const { records, truth } = corruptDescriptions(
    inputs.map((input) => ({ id: input.id, description: describeItem(input.input as ItemInput) })),
    { fraction: cellFraction, seed, mix: { [family]: 1 } },
  );
  const corrupted = new Set(truth.items.map((item) => item.index));
  const flags = detect(
    { entity: 'item', ids: records.map((r) => r.id), inputs, outputs: records.map((r) => r.description), train, attentionAbsent: 'skipped (--grid)' },
    detector,
  );
  const evaluation = evaluateFlags(flags, (record) => corrupted.has(record.index), threshold);
  const labels = flags.map((record) => corrupted.has(record.index));
  const risks = flags.map((record) => record.risk);
  const atK = Object.fromEntries([0.01, 0.05, 0.1].map((share) => [`p@${share * 100}%`, round(precisionAtK(risks, labels, share * flags.length))]));
  const signals = Object.fromEntries(Object.entries(evaluation.signals).map(([signal, e]) => [signal, round(e.auc)]));
  console.log(
    JSON.stringify({
      dataset: name,
      family,
      fraction: cellFraction,
      seed,
      items: evaluation.texts,
      corrupted: evaluation.positives,
      auc_by_signal: signals,
      combined: { auc: round(evaluation.combined.auc), ...atK },
      seconds: round((performance.now() - started) / 1000),
    }),
  );
  return evaluation.combined.auc;
}

async function grid(): Promise<void> {
  const fractions = values.fractions!.split(',').map(Number);
  const worst: Record<string, number | null> = {};
  for (const name of values.datasets!.split(',')) {
    const dataset = await loadDataset(join(DATA, name));
    const split = leaveOneOut(dataset.sequences);
    const loaded = { inputs: buildInputs(dataset, split, 'item'), train: split.train };
    for (const family of CORRUPTION_FAMILIES)
      for (const cellFraction of fractions) {
        const auc = await gridCell(name, family, cellFraction, loaded);
        worst[family] = auc === null || worst[family] === null ? null : Math.min(auc, worst[family] ?? Infinity);
      }
  }
  console.log(
    JSON.stringify({ worst_combined_auc_by_family: Object.fromEntries(Object.entries(worst).map(([family, auc]) => [family, round(auc)])), seed, goal: 0.9 }),
  );
}

async function main(): Promise<void> {
  if (values.grid) return grid();
  if (!values['no-distrust']) {
    const engine = await initEngine({});
    process.stderr.write(`engine: ${engine.backend}${engine.native ? ` + native ${engine.native.blas}` : ''}\n`);
  }
  const aucs: Array<number | null> = [];
  for (const name of values.datasets!.split(',')) aucs.push(await run(name));
  for (const runDir of values['distrust-run'] ?? []) await scoreRun(runDir);
  const known = aucs.filter((auc): auc is number => auc !== null);
  console.log(JSON.stringify({ auc_combined: known.length === aucs.length ? round(Math.min(...known)) : null, seed, fraction, goal: 0.9 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
