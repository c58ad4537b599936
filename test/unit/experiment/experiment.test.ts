// `grasp experiment` end to end on a tiny generated dataset with a 2-epoch budget: runs, reuse,
// recovery of an interrupted run, cancellation, the table against the run folders, and the errors.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { experimentJob, type ExperimentResults } from '../../../src/core/jobs/experiment';
import { loadExperiment } from '../../../src/core/experiment/config';
import { CancelledError, silentContext, type JobContext } from '../../../src/core/util/jobContext';
import { demoJob } from '../../../src/core/jobs/demo';
import { inspectRun } from '../../../src/core/experiment/runs';
import { summarise } from '../../../src/core/experiment/stats';
import { validateConfig } from '../../../src/core/train/config';
import { tempFolder } from '../helpers';

let data: string;
before(async () => {
  data = (await demoJob({ outDir: join(tempFolder(), 'demo'), users: 50, items: 20, seed: 11, retrieval: false }, silentContext)).dir;
});

function experiment(overrides: Record<string, unknown> = {}) {
  return {
    name: 'tiny',
    base: {
      data: { path: data },
      model: { kind: 'sasrec', d: 8, layers: 1, heads: 1, maxLen: 6, dropout: 0.1 },
      train: { epochs: 2, batchSize: 16, evalEvery: 1, patience: 0 },
      eval: { sampled: 0 },
      engine: { backend: 'wasm' },
    },
    seeds: [1, 2],
    variants: [{ name: 'A' }, { name: 'B', overrides: { model: { kind: 'gru4rec' } } }],
    comparisons: [{ variant: 'B', baseline: 'A' }],
    output: 'out',
    ...overrides,
  };
}

function write(dir: string, value: unknown): string {
  const file = join(dir, 'experiment.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}

test('runs variants × seeds as run folders, tabulates them, reuses finished runs and retrains an interrupted one', async () => {
  const dir = tempFolder();
  const file = write(dir, experiment());
  const first = await experimentJob({ configPath: file, report: join(dir, 'docs', 'results.md') }, silentContext);
  assert.equal(first.trained, 4);
  assert.equal(first.reused, 0);
  assert.equal(first.notRun, 0);
  for (const v of ['A', 'B']) for (const s of [1, 2]) assert.ok(existsSync(join(dir, 'out', 'runs', v, `seed-${s}`, 'ranks.json')), `${v} seed ${s}`);

  // The table is what the run folders say.
  const results = JSON.parse(readFileSync(join(dir, 'out', 'tiny.results.json'), 'utf8')) as ExperimentResults;
  for (const variant of results.table.variants) {
    const perSeed = [1, 2].map((s) => JSON.parse(readFileSync(join(dir, 'out', 'runs', variant.name, `seed-${s}`, 'metrics.json'), 'utf8')).metrics.test);
    const ndcg = summarise(perSeed.map((m) => m.full['NDCG@10']));
    assert.equal(variant.test['NDCG@10'].mean, ndcg.mean);
    assert.equal(variant.test['NDCG@10'].std, ndcg.std);
    assert.equal(variant.groups.tailUsers.mean, summarise(perSeed.map((m) => m.groups.tailUsers['NDCG@10'])).mean);
    assert.ok('HR@5' in variant.test && 'HR@20' in variant.test && 'MRR' in variant.test);
  }
  const [comparison] = results.table.comparisons;
  assert.deepEqual(comparison.seeds, [1, 2]);
  assert.equal(comparison.overUsers?.n, 50, 'one observation per user');
  assert.equal(comparison.overSeeds?.n, 2);
  assert.ok(comparison.overUsers!.p >= 0 && comparison.overUsers!.p <= 1);
  const markdown = readFileSync(join(dir, 'out', 'tiny.results.md'), 'utf8');
  assert.match(markdown, /\| B vs A \|/);
  assert.match(markdown, /within the tail groups[\s\S]*\| B vs A \| \d\.\d{4} vs \d\.\d{4} \|/, 'the tail groups get their own paired tests');
  assert.ok(comparison.tails?.users && comparison.tails.users.n > 0);
  assert.match(readFileSync(join(dir, 'docs', 'results.md'), 'utf8'), /grasp-experiment:tiny begin[\s\S]*\| A \| 2 \|/);
  assert.ok(JSON.parse(readFileSync(join(dir, 'docs', 'results.json'), 'utf8')).experiments.tiny);

  // Nothing to train the second time; the finished runs are not touched.
  const metricsFile = join(dir, 'out', 'runs', 'A', 'seed-1', 'metrics.json');
  const mtime = statSync(metricsFile).mtimeMs;
  const second = await experimentJob({ configPath: file }, silentContext);
  assert.deepEqual([second.trained, second.reused], [0, 4]);
  assert.equal(statSync(metricsFile).mtimeMs, mtime);
  assert.deepEqual(
    second.results.table.variants.map((v) => v.test['NDCG@10']),
    results.table.variants.map((v) => v.test['NDCG@10']),
  );

  // A run without its result (a crash mid-training) is trained again, alone; same seed, same numbers.
  const before = JSON.parse(readFileSync(join(dir, 'out', 'runs', 'B', 'seed-2', 'metrics.json'), 'utf8')).metrics.test.full;
  rmSync(join(dir, 'out', 'runs', 'B', 'seed-2', 'metrics.json'));
  const third = await experimentJob({ configPath: file }, silentContext);
  assert.deepEqual([third.trained, third.reused], [1, 3]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'out', 'runs', 'B', 'seed-2', 'metrics.json'), 'utf8')).metrics.test.full, before);

  // A finished run is never reported under a variant whose config changed since.
  const changed = experiment({
    variants: [
      { name: 'A', overrides: { model: { d: 16 } } },
      { name: 'B', overrides: { model: { kind: 'gru4rec' } } },
    ],
  });
  await assert.rejects(experimentJob({ configPath: write(dir, changed) }, silentContext), /another config \(model\.d differs\)/);
});

test('only the chosen variants and seeds train; the rest are listed as not run', async () => {
  const dir = tempFolder();
  const file = write(dir, experiment());
  const tabulated = await experimentJob({ configPath: file, tabulateOnly: true }, silentContext);
  assert.equal(tabulated.trained, 0);
  assert.equal(tabulated.notRun, 4);
  assert.match(readFileSync(tabulated.resultsMarkdown, 'utf8'), /\| A \| not run \|/);
  const some = await experimentJob({ configPath: file, variants: ['A'], seeds: [2] }, silentContext);
  assert.equal(some.trained, 1);
  assert.deepEqual(some.results.table.notRun, [
    { variant: 'A', seed: 1 },
    { variant: 'B', seed: 1 },
    { variant: 'B', seed: 2 },
  ]);
  assert.deepEqual(some.results.table.comparisons[0].seeds, [], 'nothing to pair yet');
  await assert.rejects(experimentJob({ configPath: file, variants: ['C'] }, silentContext), /no variant "C"/);
});

test('cancelling stops the current run; finished runs stay and are reused next time', async () => {
  const dir = tempFolder();
  const file = write(dir, experiment({ seeds: [1] }));
  const ctx: JobContext = { ...silentContext, isCancelled: () => existsSync(join(dir, 'out', 'runs', 'B', 'seed-1', 'checkpoint.json')) };
  await assert.rejects(experimentJob({ configPath: file }, ctx), CancelledError);
  assert.ok(existsSync(join(dir, 'out', 'runs', 'A', 'seed-1', 'metrics.json')), 'the first run finished');
  assert.ok(!existsSync(join(dir, 'out', 'runs', 'B', 'seed-1', 'metrics.json')), 'the cancelled run has no result');
  const resumed = await experimentJob({ configPath: file }, silentContext);
  assert.deepEqual([resumed.trained, resumed.reused], [1, 1]);
});

test('progress covers the whole experiment', async () => {
  const dir = tempFolder();
  const fractions: number[] = [];
  const ctx: JobContext = { ...silentContext, progress: ({ fraction }) => fraction !== undefined && fractions.push(fraction) };
  await experimentJob({ configPath: write(dir, experiment({ seeds: [1], variants: [{ name: 'A' }, { name: 'B' }], comparisons: [] })) }, ctx);
  assert.ok(fractions.some((f) => f < 0.5) && fractions.some((f) => f > 0.5), 'both halves reported');
  assert.ok(fractions.every((f) => f >= 0 && f <= 1));
});

test('experiment file errors name the file and the field', async () => {
  const dir = tempFolder();
  const cases: Array<[unknown, RegExp]> = [
    [{ ...experiment(), variants: undefined }, /experiment\.json: variants is required/],
    [{ ...experiment(), seeds: [1, 1] }, /experiment\.json: seeds /],
    [{ ...experiment(), extra: 1 }, /experiment\.json: extra is not a known setting/],
    [
      experiment({ variants: [{ name: 'A' }, { name: 'B', overrides: { model: { kind: 'lstm' } } }] }),
      /experiment\.json: variants\[1\] \(B\): model\.kind must be one of/,
    ],
    [experiment({ variants: [{ name: 'A' }, { name: 'A' }] }), /variants\[1\]\.name repeats/],
    [experiment({ variants: [{ name: 'a/b' }] }), /variants\[0\]\.name must match/],
    [experiment({ comparisons: [{ variant: 'B', baseline: 'Z' }] }), /comparisons\[0\]\.baseline names no variant/],
    [experiment({ variants: [{ name: 'A', overrides: { train: { seeds: [1, 2] } } }], comparisons: [] }), /variants\[0\] \(A\): train\.seeds must not be set/],
  ];
  for (const [value, expected] of cases) await assert.rejects(loadExperiment(write(dir, value)), expected);
  await assert.rejects(loadExperiment(join(dir, 'missing.json')), /missing\.json: \(top level\) cannot be read/);
});

test('relative paths are relative to the experiment file', async () => {
  const dir = tempFolder();
  const file = write(dir, experiment({ base: { ...experiment().base, data: { path: 'data/x.txt' } }, output: 'results/here' }));
  const loaded = await loadExperiment(file);
  assert.equal(loaded.variants[0].config.data.path, join(dir, 'data', 'x.txt'));
  assert.equal(loaded.output, join(dir, 'results', 'here'));
});

test('--diagnostics reads GRASP attention from the best checkpoints (self vs neighbours, gate)', async () => {
  const dir = tempFolder();
  const grasp = { variant: 'grasp', grasp: { dims: 8, width: 16, kItems: 4, kUsers: 4, userLevel: true, cacheDir: 'cache' } };
  const file = write(
    dir,
    experiment({ seeds: [1], variants: [{ name: 'A' }, { name: 'G', overrides: grasp }], comparisons: [{ variant: 'G', baseline: 'A' }] }),
  );
  const result = await experimentJob({ configPath: file, diagnostics: true }, silentContext);
  const [plain, withGrasp] = result.results.table.variants;
  assert.equal(plain.attention, undefined, 'only GRASP variants have attention');
  const [a] = withGrasp.attention!;
  assert.equal(a.seed, 1);
  assert.ok(a.items > 0 && a.users > 0);
  assert.ok(a.itemSelf! > 0 && a.itemSelf! < 1, `self weight ${a.itemSelf}`);
  assert.ok(a.itemSelf! + a.itemTopNeighbour! <= 1 + 1e-6);
  assert.ok(a.itemTopIsNearest! >= 0 && a.itemTopIsNearest! <= 1);
  assert.ok(a.itemNeighbours! > 0 && a.itemNeighbours! <= 4);
  assert.ok(a.gate! > 0 && a.gate! < 1, JSON.stringify(a));
  assert.ok(a.userEntropy! > 0 && a.userEntropy! <= 1 + 1e-6);
  assert.equal(a.reproduced, 1, 'the checkpoint reproduces every sampled test rank');
  assert.ok(existsSync(join(dir, 'out', 'runs', 'G', 'seed-1', 'attention.json')), 'stored beside the checkpoint');
  assert.match(readFileSync(result.resultsMarkdown, 'utf8'), /\| G \| \d+ \| 0\.\d{3} \| 0\.\d{3} \| 0\.\d{3} \| [01]\.\d{3} \|/);
});

test('one training experiment per output folder; tabulating may run beside it', async () => {
  const dir = tempFolder();
  const file = write(dir, experiment({ seeds: [1] }));
  mkdirSync(join(dir, 'out'), { recursive: true });
  writeFileSync(join(dir, 'out', '.lock'), '1'); // pid 1 is always alive: another experiment holds the folder
  await assert.rejects(experimentJob({ configPath: file }, silentContext), /in use by process 1/);
  const tabulated = await experimentJob({ configPath: file, tabulateOnly: true }, silentContext);
  assert.equal(tabulated.notRun, 2);
});

test('a GRASP run from before the current module (its stored config lacks the module settings) is refused, not reused', async () => {
  const dir = tempFolder();
  const expected = validateConfig({ data: { path: join(dir, 'data') }, model: { kind: 'sasrec' }, variant: 'grasp' }, 'run.json');
  const store = (config: unknown): string => {
    const run = join(dir, `run-${Math.random().toString(36).slice(2)}`);
    mkdirSync(run);
    writeFileSync(join(run, 'config.json'), JSON.stringify(config));
    writeFileSync(join(run, 'metrics.json'), JSON.stringify({ event: 'result' }));
    writeFileSync(join(run, 'ranks.json'), JSON.stringify({ users: [0], ranks: [1] }));
    return run;
  };
  const current = store(expected);
  assert.equal((await inspectRun(current, 'GRASP', expected)).state, 'finished');
  const older = structuredClone(expected) as unknown as { grasp: Record<string, unknown> };
  delete older.grasp.itemAdapter;
  delete older.grasp.itemNorm;
  await assert.rejects(inspectRun(store(older), 'GRASP', expected), /trained before grasp\.itemAdapter existed/);
  // other variants are not concerned
  const plain = validateConfig({ data: { path: join(dir, 'data') }, model: { kind: 'sasrec' } }, 'run.json');
  assert.equal((await inspectRun(store(plain), 'SASRec', plain)).state, 'finished');
});

test('a finished run is the same run when its data or cache folder is reached through a link (another checkout of the workspace)', async () => {
  const dir = tempFolder();
  const grasp = { variant: 'llm-init', grasp: { dims: 8, width: 16, kItems: 4, kUsers: 4, cacheDir: 'cache' } };
  const body = experiment({ seeds: [1], variants: [{ name: 'L', overrides: grasp }], comparisons: [], output: join(dir, 'out') });
  await experimentJob({ configPath: write(dir, body) }, silentContext);
  // the same experiment from a second checkout whose cache folder is a link to the first one's
  const other = tempFolder();
  symlinkSync(join(dir, 'cache'), join(other, 'cache'));
  const again = await experimentJob({ configPath: write(other, body) }, silentContext);
  assert.equal(again.trained, 0);
  assert.equal(again.reused, 1);
  // a real difference still refuses
  const elsewhere = tempFolder();
  mkdirSync(join(elsewhere, 'cache'));
  await assert.rejects(experimentJob({ configPath: write(elsewhere, body) }, silentContext), /another config \(grasp\.cacheDir differs\)/);
});
