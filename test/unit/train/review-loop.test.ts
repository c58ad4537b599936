// The healing loop in a run (flag → review → retrain): corruption is applied before the verdicts, so a
// verdict on a corrupted text meets it; the simulated reviewer reads the top K of the detector's ranking
// and marks the truly corrupted ones, in the run's own annotations file; the config refuses what cannot
// work. On the demo world (metadata-provider descriptions, real categories and brands to falsify).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { leaveOneOut } from '../../../src/core/data/split';
import { loadDataset } from '../../../src/core/data/load';
import type { Dataset, Split } from '../../../src/core/data/types';
import { entityTexts } from '../../../src/core/embed/texts';
import { annotationProblem, appendAnnotation, readAnnotations } from '../../../src/core/hallucination/annotations';
import { metadataOnlyOutput } from '../../../src/core/hallucination/descriptions';
import { detect, riskiestFirst, textHash, widestReachFirst } from '../../../src/core/hallucination/detect';
import { simulateReview } from '../../../src/core/hallucination/review';
import { annotatedEntityTexts, corruptEntityTexts } from '../../../src/core/hallucination/training';
import { silentContext } from '../../../src/core/util/jobContext';
import { buildInputs } from '../../../src/core/llm/inputs';
import { outputText } from '../../../src/core/llm/schema';
import { validateConfig, type RunConfig } from '../../../src/core/train/config';
import { ConfigError } from '../../../src/core/util/errors';
import { trainJob } from '../../../src/core/jobs/train';
import { claimRunFolder, RUN_FILES } from '../../../src/core/train/runFolder';
import { buildTextArtifacts, describeEntities, runTexts, textsChoice, withFields, writeRunAnnotations } from '../../../src/core/train/textArtifacts';
import { cachePaths } from '../../../src/core/data/cachePaths';
import { tempFolder } from '../helpers';
import { demoData, sasrecConfig } from './fixtures';

let workspace: string;
let data: string;
let dataset: Dataset;
let split: Split;

before(async () => {
  workspace = tempFolder();
  mkdirSync(join(workspace, '.git')); // the workspace root: .grasp and grasp.annotations.jsonl go here
  data = await demoData(workspace, 120, 40, 5);
  dataset = await loadDataset(data);
  split = leaveOneOut(dataset.sequences);
  // what a run does before its texts: the metadata provider writes the descriptions and profiles into the synthesis cache
  const cfg = config();
  for (const entity of ['item', 'user'] as const) await describeEntities(dataset, split, cachePaths(data), entity, cfg.grasp, silentContext, silentContext);
});

const shared = () => join(workspace, 'grasp.annotations.jsonl');
const quiet = { log: () => {} };

/** The tests share one described world; each starts from an empty workspace annotations file. */
async function clearShared(): Promise<void> {
  rmSync(shared(), { force: true });
}

function config(grasp: Record<string, unknown> = {}): RunConfig {
  return validateConfig(
    {
      ...sasrecConfig(data),
      variant: 'llm-init',
      grasp: { dims: 8, width: 16, kItems: 4, kUsers: 3, ...grasp },
    },
    'run.json',
  );
}

const CORRUPTION = { fraction: 0.25, seed: 3 };

test('corruption first, verdicts after: a verdict on a corrupted text applies, one on the text before corruption is stale, untouched rows as before', async () => {
  await clearShared();
  const cfg = config({ corruption: CORRUPTION });
  const view = withFields(dataset, cfg.grasp.texts);
  const plain = await runTexts(view, split, cfg, 'item', quiet);
  const truth = plain.corruption!;
  assert.equal(truth.items.length, 10, 'round(0.25 × 40) descriptions corrupted');
  const [a, b] = truth.items;
  const corrupted = new Set(truth.items.map((item) => item.index));
  const c = plain.texts.ids.findIndex((_, row) => !corrupted.has(row));
  await appendAnnotation(shared(), { entity: 'item', id: a.id, text: a.corrupted, verdict: 'edited', editedText: 'A, as a person corrected it.' });
  await appendAnnotation(shared(), { entity: 'item', id: b.id, text: b.original, verdict: 'hallucinated' });
  await appendAnnotation(shared(), {
    entity: 'item',
    id: plain.texts.ids[c],
    text: plain.texts.texts[c],
    verdict: 'edited',
    editedText: 'C, as a person corrected it.',
  });

  const run = await runTexts(view, split, cfg, 'item', quiet);
  assert.equal(run.texts.texts[a.index], 'A, as a person corrected it.', 'the verdict on the corrupted text the run embeds applies');
  assert.equal(run.texts.texts[b.index], b.corrupted, 'a verdict on the text before corruption does not judge what the run embeds');
  assert.equal(run.texts.texts[c], 'C, as a person corrected it.');
  const [report] = run.annotations;
  assert.deepEqual(report.used.map((u) => u.id).sort(), [a.id, plain.texts.ids[c]].sort());
  assert.deepEqual(
    report.stale.map((s) => s.id),
    [b.id],
  );
  assert.equal(report.stale[0].currentHash, textHash(b.corrupted));

  // The order before this change (verdicts, then corruption): every row but the one whose corrupted text was judged comes out the same.
  const paths = cachePaths(data, cfg.grasp.cacheDir);
  const synthesis = await entityTexts(view, split, paths.dataset, 'item', textsChoice(cfg.grasp));
  const earlier = corruptEntityTexts((await annotatedEntityTexts(synthesis, view, split, shared())).texts, view, split, { ...CORRUPTION, target: 'uniform' });
  assert.deepEqual(
    earlier.truth.items.map((item) => item.id),
    truth.items.map((item) => item.id),
    'the same items are corrupted in either order',
  );
  run.texts.texts.forEach((text, row) => {
    if (row !== a.index) assert.equal(text, earlier.texts.texts[row], `row ${row}`);
  });
  assert.notEqual(earlier.texts.texts[a.index], run.texts.texts[a.index], 'before, corruption overwrote the corrected text');
});

test('without corruption a run embeds what it did before: the synthesis with the workspace verdicts applied', async () => {
  await clearShared();
  const cfg = config();
  const view = withFields(dataset, cfg.grasp.texts);
  const paths = cachePaths(data, cfg.grasp.cacheDir);
  const first = await runTexts(view, split, cfg, 'item', quiet);
  await appendAnnotation(shared(), { entity: 'item', id: first.texts.ids[0], text: first.texts.texts[0], verdict: 'hallucinated' });
  await appendAnnotation(shared(), { entity: 'item', id: first.texts.ids[1], text: first.texts.texts[1], verdict: 'edited', editedText: 'Better.' });
  for (const entity of ['item', 'user'] as const) {
    const run = await runTexts(view, split, cfg, entity, quiet);
    const expected = await annotatedEntityTexts(await entityTexts(view, split, paths.dataset, entity, textsChoice(cfg.grasp)), view, split, shared());
    assert.deepEqual(run.texts, expected.texts, entity);
    assert.deepEqual(run.annotations, expected.report ? [expected.report] : [], entity);
    assert.equal(run.corruption, undefined);
    assert.equal(run.reviewRecords, undefined);
  }
  const items = await runTexts(view, split, cfg, 'item', quiet);
  assert.equal(items.texts.texts[1], 'Better.');
  assert.equal(items.texts.texts[0], outputText(metadataOnlyOutput(buildInputs(view, split, 'item')[0])));
});

test('the simulated reviewer reads the top K of the detector ranking and marks exactly the truly corrupted ones', async () => {
  await clearShared();
  const cfg = config({ corruption: CORRUPTION, review: { simulated: { k: 0.25 } } });
  const view = withFields(dataset, cfg.grasp.texts);
  const clean = await runTexts(view, split, config(), 'item', quiet);
  const corruptedOnly = await runTexts(view, split, config({ corruption: CORRUPTION }), 'item', quiet);
  const truth = corruptedOnly.corruption!;
  const logs: string[] = [];
  const run = await runTexts(view, split, cfg, 'item', { log: (line) => logs.push(line) });

  // What the reviewer should have read: grasp flag's detector on the corrupted descriptions, riskiest first, round(0.25 × 40) of them.
  const inputs = buildInputs(view, split, 'item');
  const outputs = corruptedOnly.texts.outputs.map((output, row) => output ?? metadataOnlyOutput(inputs[row]));
  const top = riskiestFirst(detect({ entity: 'item', ids: corruptedOnly.texts.ids, inputs, outputs, train: split.train })).slice(0, 10);
  const byIndex = new Map(truth.items.map((item) => [item.index, item]));
  const expected = top.filter((flag) => byIndex.has(flag.index));
  assert.ok(expected.length > 0 && expected.length <= 10);
  assert.deepEqual(
    run.reviewRecords!.map((r) => r.id),
    expected.map((flag) => flag.id),
    'the truly corrupted among the top K, riskiest first',
  );
  for (const record of run.reviewRecords!) {
    const item = truth.items.find((t) => t.id === record.id)!;
    assert.equal(annotationProblem(record), undefined);
    assert.deepEqual([record.verdict, record.textHash, record.note], ['hallucinated', textHash(item.corrupted), 'simulated reviewer, top 25 %']);
  }
  const summary = run.annotations.at(-1)!.review!;
  assert.deepEqual(
    { reviewed: summary.reviewed, corrupted: summary.corrupted, marked: summary.marked, total: summary.corruptedTotal, catalogue: summary.catalogue },
    { reviewed: 10, corrupted: expected.length, marked: expected.length, total: 10, catalogue: 40 },
  );
  assert.equal(run.annotations.at(-1)!.file, RUN_FILES.reviewAnnotations);
  assert.equal(run.annotations.at(-1)!.used.length, expected.length);
  assert.ok(
    logs.some((line) => /simulated reviewer read 10 of 40 descriptions \(top 25 %, riskiest first\)/.test(line)),
    logs.join('\n'),
  );

  // What training embeds: marked → the metadata-only description (for metadata-provider texts, the description before corruption); the rest as corrupted.
  const marked = new Set(run.reviewRecords!.map((r) => r.id));
  run.texts.texts.forEach((text, row) => {
    const id = run.texts.ids[row];
    if (marked.has(id)) assert.equal(text, clean.texts.texts[row], `${id}: healed`);
    else assert.equal(text, corruptedOnly.texts.texts[row], `${id}: as the corruption left it`);
  });
  assert.ok(!existsSync(shared()), 'the workspace annotations file is never written');

  // Reading everything heals everything: the texts are the clean run's, byte for byte (same embedding cache key).
  const all = await runTexts(view, split, config({ corruption: CORRUPTION, review: { simulated: { k: 1 } } }), 'item', quiet);
  assert.equal(all.reviewRecords!.length, 10);
  assert.equal(all.texts.sha256, clean.texts.sha256);
  // Users are never reviewed (nothing corrupts them).
  assert.equal((await runTexts(view, split, cfg, 'user', quiet)).reviewRecords, undefined);
});

test('reach order: the reviewer reads the flagged texts of the most-bought items first, then the rest riskiest first', async () => {
  await clearShared();
  const view = withFields(dataset, config().grasp.texts);
  const corruptedOnly = await runTexts(view, split, config({ corruption: CORRUPTION }), 'item', quiet);
  const truth = corruptedOnly.corruption!;
  const inputs = buildInputs(view, split, 'item');
  const outputs = corruptedOnly.texts.outputs.map((output, row) => output ?? metadataOnlyOutput(inputs[row]));
  const flags = detect({ entity: 'item', ids: corruptedOnly.texts.ids, inputs, outputs, train: split.train });
  const bought = new Int32Array(flags.length);
  for (const sequence of split.train) for (const item of sequence) bought[item]++;
  // the order itself, written out: flagged by interactions (then risk, then row), then unflagged by risk
  const byHand = [
    ...flags.filter((f) => f.flagged).sort((a, b) => bought[b.index] - bought[a.index] || b.risk - a.risk || a.index - b.index),
    ...flags.filter((f) => !f.flagged).sort((a, b) => b.risk - a.risk || a.index - b.index),
  ];
  assert.deepEqual(
    widestReachFirst(flags, bought).map((f) => f.index),
    byHand.map((f) => f.index),
  );
  const logs: string[] = [];
  const run = await runTexts(view, split, config({ corruption: CORRUPTION, review: { simulated: { k: 0.1, order: 'reach' } } }), 'item', {
    log: (line) => logs.push(line),
  });
  const corrupted = new Set(truth.items.map((item) => item.index));
  const expected = byHand.slice(0, 4).filter((flag) => corrupted.has(flag.index));
  assert.ok(expected.length > 0, 'the demo world flags some corrupted texts among the 4 most-bought');
  assert.deepEqual(
    run.reviewRecords!.map((r) => r.id),
    expected.map((flag) => flag.id),
  );
  const risky = new Set(
    riskiestFirst(flags)
      .slice(0, 4)
      .map((f) => f.id),
  );
  assert.ok(
    expected.some((flag) => !risky.has(flag.id)),
    'on this world the reach order reads texts the risk order would not (else the test would not tell them apart)',
  );
  assert.equal(run.annotations.at(-1)!.review!.order, 'reach');
  assert.ok(
    logs.some((line) => /read 4 of 40 descriptions \(top 10 %, flagged ones of the most-bought items first\)/.test(line)),
    logs.join('\n'),
  );
});

test("the reviewer's records are the review view's: the same bytes appendAnnotation writes", async () => {
  await clearShared();
  const cfg = config({ corruption: CORRUPTION });
  const view = withFields(dataset, cfg.grasp.texts);
  const corrupted = await runTexts(view, split, cfg, 'item', quiet);
  const now = new Date('2026-03-04T05:06:07Z');
  const review = simulateReview(corrupted.texts, corrupted.texts.texts, view, split, corrupted.corruption!, { k: 0.05 }, now);
  assert.equal(review.summary.reviewed, 2, 'round(0.05 × 40)');
  assert.equal(review.summary.note, 'simulated reviewer, top 5 %');
  const file = join(tempFolder(), 'grasp.annotations.jsonl');
  for (const record of review.records) {
    const row = corrupted.texts.ids.indexOf(record.id);
    await appendAnnotation(file, { entity: 'item', id: record.id, text: corrupted.texts.texts[row], verdict: 'hallucinated', note: review.summary.note }, now);
  }
  const runDir = tempFolder();
  const written = await writeRunAnnotations(runDir, { reviewRecords: review.records });
  assert.equal(written, join(runDir, RUN_FILES.reviewAnnotations));
  assert.equal(readFileSync(written, 'utf8'), readFileSync(file, 'utf8'));
  assert.equal((await readAnnotations(written)).length, review.records.length);
  assert.equal(await writeRunAnnotations(tempFolder(), { reviewRecords: undefined }), undefined);
  // A shared verdict that already replaced a corrupted text: read and counted, not marked again.
  const first = review.records[0];
  const replaced = corrupted.texts.texts.slice();
  replaced[corrupted.texts.ids.indexOf(first.id)] = 'replaced by a person';
  const again = simulateReview(corrupted.texts, replaced, view, split, corrupted.corruption!, { k: 0.05 }, now);
  assert.deepEqual([again.summary.corrupted, again.summary.marked], [review.summary.corrupted, review.summary.marked - 1]);
});

test('a workspace verdict on a corrupted text comes first; the reviewer does not mark that text again', async () => {
  await clearShared();
  const cfg = config({ corruption: CORRUPTION, review: { simulated: { k: 1 } } });
  const view = withFields(dataset, cfg.grasp.texts);
  const truth = (await runTexts(view, split, config({ corruption: CORRUPTION }), 'item', quiet)).corruption!;
  const [item] = truth.items;
  await appendAnnotation(shared(), { entity: 'item', id: item.id, text: item.corrupted, verdict: 'edited', editedText: 'A person fixed this one.' });
  const run = await runTexts(view, split, cfg, 'item', quiet);
  assert.equal(run.texts.texts[item.index], 'A person fixed this one.');
  assert.deepEqual([run.annotations[0].file, run.annotations[0].used.map((u) => u.id)], [shared(), [item.id]]);
  const review = run.annotations[1].review!;
  assert.deepEqual([review.reviewed, review.corrupted, review.marked], [40, 10, 9]);
  assert.ok(!run.reviewRecords!.some((r) => r.id === item.id));
});

test('grasp.review: validated, clear errors naming the field; refused without corruption', () => {
  const base = { data: { path: 'x' }, model: { kind: 'sasrec' }, variant: 'llm-init' };
  const ok = validateConfig({ ...base, grasp: { corruption: { fraction: 0.2 }, review: { simulated: { k: 0.05 } } } }, 'run.json');
  assert.deepEqual(ok.grasp.review, { simulated: { k: 0.05, order: 'risk' } });
  assert.equal(validateConfig(base, 'run.json').grasp.review, undefined, 'off by default, and absent from the written config');
  const cases: Array<[unknown, RegExp]> = [
    [{ review: { simulated: { k: 0.05 } } }, /^run\.json: grasp\.review\.simulated needs grasp\.corruption\.fraction > 0/],
    [{ corruption: { fraction: 0.2 }, review: { simulated: { k: 0 } } }, /^run\.json: grasp\.review\.simulated\.k must be > 0/],
    [{ corruption: { fraction: 0.2 }, review: { simulated: { k: 1.5 } } }, /^run\.json: grasp\.review\.simulated\.k must be <= 1/],
    [{ corruption: { fraction: 0.2 }, review: { simulated: {} } }, /^run\.json: grasp\.review\.simulated\.k is required/],
    [{ corruption: { fraction: 0.2 }, review: { simulated: { k: 0.05, top: 3 } } }, /^run\.json: grasp\.review\.simulated\.top is not a known setting/],
    [{ corruption: { fraction: 0.2 }, review: { manual: true } }, /^run\.json: grasp\.review\.manual is not a known setting/],
    [{ corruption: { fraction: 0.2 }, review: { simulated: { k: 0.05, order: 'popular' } } }, /^run\.json: grasp\.review\.simulated\.order must be one of/],
  ];
  for (const [grasp, message] of cases)
    assert.throws(
      () => validateConfig({ ...base, grasp }, 'run.json'),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
      `${JSON.stringify(grasp)} → ${message}`,
    );
});

test("the run's own annotations file is a run file: an overwrite removes it, and it never makes the folder foreign", async () => {
  const runDir = tempFolder();
  const cfg = config();
  await writeRunAnnotations(runDir, { reviewRecords: [] });
  assert.ok(existsSync(join(runDir, RUN_FILES.reviewAnnotations)));
  await assert.rejects(claimRunFolder(runDir, cfg), /holds a run of another config/, 'a run file, not a foreign one');
  const claimed = await claimRunFolder(runDir, cfg, { overwrite: true });
  claimed.release();
  assert.ok(!existsSync(join(runDir, RUN_FILES.reviewAnnotations)));
});

let trained: string | undefined;

test('a run with the simulated reviewer logs what it read and marked, once, and never touches the workspace file', async () => {
  await clearShared();
  const out = join(tempFolder(), 'run');
  const logs: string[] = [];
  const grasp = { dims: 8, width: 16, kItems: 4, kUsers: 3, corruption: CORRUPTION, review: { simulated: { k: 0.25 } } };
  await trainJob(
    {
      config: {
        ...sasrecConfig(data),
        engine: { backend: 'wasm' },
        variant: 'llm-init',
        grasp,
      },
      outDir: out,
    },
    { ...silentContext, log: (line) => logs.push(line) },
  );
  trained = out;
  const lines = logs.filter((line) => /simulated reviewer read/.test(line));
  assert.equal(lines.length, 1, 'one line');
  assert.match(lines[0], /read 10 of 40 descriptions \(top 25 %, riskiest first\): \d+ corrupted, \d+ marked hallucinated, \d+ applied/);
  assert.ok(!existsSync(shared()), 'the workspace annotations file is never written');
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).grasp.review, { simulated: { k: 0.25, order: 'risk' } });
});

// A single-seed run trains in the run folder itself: clearing an earlier attempt must keep these run-level records.
test('the run folder keeps what the reviewer read and marked (annotations.json) and its verdicts (review.annotations.jsonl)', () => {
  assert.ok(trained, 'the run of the previous test');
  const reports = JSON.parse(readFileSync(join(trained, RUN_FILES.annotations), 'utf8')) as Array<{
    file: string;
    used: unknown[];
    review?: { reviewed: number; marked: number };
  }>;
  const review = reports.find((report) => report.review)!;
  assert.equal(review.file, RUN_FILES.reviewAnnotations);
  assert.equal(review.review!.reviewed, 10);
  assert.equal(review.used.length, review.review!.marked);
  assert.ok(existsSync(join(trained, RUN_FILES.corruption)));
  assert.equal(readFileSync(join(trained, RUN_FILES.reviewAnnotations), 'utf8').trim().split('\n').length, review.review!.marked);
});

test("the distrust gate's input: GRASP runs with grasp.distrustGate get the detector's risk of each text they embed, corrupted texts the riskier", async () => {
  await clearShared();
  const grasp = { dims: 8, width: 16, kItems: 4, kUsers: 3, corruption: CORRUPTION, distrustGate: true };
  const cfg = validateConfig({ ...sasrecConfig(data), variant: 'grasp', grasp }, 'run.json');
  const logs: string[] = [];
  const artifacts = await buildTextArtifacts(dataset, split, cfg, { ...silentContext, log: (line) => logs.push(line) });
  const view = withFields(dataset, cfg.grasp.texts);
  const texts = await runTexts(view, split, cfg, 'item', quiet);
  const inputs = buildInputs(view, split, 'item');
  const flags = detect({
    entity: 'item',
    ids: texts.texts.ids,
    inputs,
    outputs: texts.texts.outputs.map((output, row) => output ?? metadataOnlyOutput(inputs[row])),
    train: split.train,
  });
  assert.deepEqual(Array.from(artifacts.itemRisk!), Array.from(Float32Array.from(flags, (flag) => flag.risk)));
  const corrupted = new Set(texts.corruption!.items.map((item) => item.index));
  const mean = (rows: number[]) => rows.reduce((sum, row) => sum + artifacts.itemRisk![row], 0) / rows.length;
  const all = flags.map((flag) => flag.index);
  assert.ok(mean(all.filter((row) => corrupted.has(row))) > mean(all.filter((row) => !corrupted.has(row))) + 0.3);
  assert.ok(logs.some((line) => /detector risk read for the distrust gate/.test(line)));
  const without = await buildTextArtifacts(
    dataset,
    split,
    validateConfig({ ...sasrecConfig(data), variant: 'grasp', grasp: { ...grasp, distrustGate: false } }, 'run.json'),
    silentContext,
  );
  assert.equal(without.itemRisk, undefined, 'read only for the gate');
});
