// GRASP and the LLM baselines as runs: the config section, the text side built from training data
// only (DESIGN §3), and a short end-to-end run on the demo world with its attention read back.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cachePaths } from '../../../src/core/data/cachePaths';
import { leaveOneOut } from '../../../src/core/data/split';
import { loadDataset } from '../../../src/core/data/load';
import { initEngine } from '../../../src/core/engine/backend';
import { evalJob } from '../../../src/core/jobs/evaluate';
import { attentionDiagnostics } from '../../../src/core/experiment/diagnostics';
import { silentContext } from '../../../src/core/util/jobContext';
import { readAttention } from '../../../src/core/train/attention';
import { validateConfig } from '../../../src/core/train/config';
import { ConfigError } from '../../../src/core/util/errors';
import { trainJob } from '../../../src/core/jobs/train';
import { refreshedUserArtifacts } from '../../../src/core/train/refreshedUsers';
import { testTimeSplit } from '../../../src/core/data/split';
import { buildTextArtifacts } from '../../../src/core/train/textArtifacts';
import { buildModel, graspInputs } from '../../../src/core/train/variant';
import type { TextArtifacts } from '../../../src/core/train/textArtifacts';
import { entityTexts } from '../../../src/core/embed/texts';
import { Random } from '../../../src/core/util/random';
import { tempFolder } from '../helpers';
import { demoWorkspace, sasrecConfig } from './fixtures';

test('the grasp section and variant get defaults; errors name the file and the field', () => {
  const config = validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec' } }, 'run.json');
  assert.equal(config.variant, 'plain');
  assert.deepEqual(
    [
      config.grasp.texts.provider,
      config.grasp.embedder,
      config.grasp.dims,
      config.grasp.kItems,
      config.grasp.kUsers,
      config.grasp.itemLevel,
      config.grasp.userLevel,
      config.grasp.gate,
      config.grasp.randomEmbeddings,
      config.grasp.corruption.fraction,
    ],
    ['metadata', 'lsa', 64, 10, 10, true, false, true, false, 0],
  );
  assert.deepEqual(
    [config.grasp.initFromText, config.grasp.itemAdapter, config.grasp.itemNorm, config.grasp.userText, config.grasp.testRetrieval, config.grasp.whiten],
    [true, false, false, false, 'history', true],
  );
  const cases: Array<[unknown, RegExp]> = [
    [{ variant: 'graps' }, /run\.json: variant must be one of "plain", "grasp", "llm-init", "llm-esr"/],
    [{ variant: 'grasp', grasp: { kItems: 0 } }, /run\.json: grasp\.kItems must be >= 1/],
    [{ variant: 'grasp', grasp: { gates: false } }, /run\.json: grasp\.gates is not a known setting/],
    [{ variant: 'grasp', grasp: { corruption: { fraction: 1.5 } } }, /run\.json: grasp\.corruption\.fraction must be <= 1/],
    [{ variant: 'grasp', grasp: { texts: { provider: 'gpt' } } }, /run\.json: grasp\.texts\.provider must be one of "metadata", "anthropic", "raw"/],
    [{ variant: 'grasp', train: { sparseEmbedding: true, loss: 'bce' } }, /run\.json: train\.sparseEmbedding cannot be used with variant "grasp"/],
    [{ variant: 'llm-init', grasp: { dims: 128 } }, /run\.json: grasp\.dims must be at most model\.d \(64\)/],
  ];
  for (const [extra, message] of cases) {
    assert.throws(
      () => validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec' }, ...(extra as object) }, 'run.json'),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
      `${JSON.stringify(extra)} → ${message}`,
    );
  }
});

/** Users with training items from a shared catalogue and their own held-out items (never trained on). */
function leakWorld(): string {
  const dir = tempFolder();
  const data = join(dir, 'world');
  mkdirSync(data);
  mkdirSync(join(dir, '.git')); // the workspace root: caches go to <dir>/.grasp
  const random = new Random(4);
  const inter = ['user_id:token\titem_id:token\ttimestamp:float'];
  const items = ['item_id:token\ttitle:token_seq\tcategory:token_seq'];
  const families = ['lipstick', 'shampoo', 'razor', 'perfume'];
  for (let i = 0; i < 24; i++) items.push(`t${i}\t${families[i % 4]} shade ${i}\t${families[i % 4]}`);
  for (let u = 0; u < 40; u++) {
    const family = u % 4;
    const length = 3 + random.int(6);
    let time = 1;
    for (let j = 0; j < length; j++) inter.push(`u${u}\tt${family + 4 * random.int(6)}\t${time++}`);
    for (const kind of ['valid', 'test']) {
      inter.push(`u${u}\th${kind}${u}\t${time++}`);
      items.push(`h${kind}${u}\tsecret${kind}${u} ${families[family]}\t${families[family]}`);
    }
  }
  writeFileSync(join(data, 'world.inter'), `${inter.join('\n')}\n`);
  writeFileSync(join(data, 'world.item'), `${items.join('\n')}\n`);
  return data;
}

test('no leakage: profiles, neighbours, PCA and r_v see training data only', async () => {
  const data = leakWorld();
  const dataset = await loadDataset(data);
  const split = leaveOneOut(dataset.sequences);
  const heldOut = new Set(dataset.itemIds.flatMap((id, row) => (id.startsWith('h') ? [row] : [])));
  assert.equal(heldOut.size, 80);
  for (const row of heldOut)
    assert.ok(
      split.train.every((prefix) => !prefix.includes(row)),
      'held-out items are never in a training prefix',
    );
  const config = validateConfig(
    { data: { path: data }, model: { kind: 'sasrec', d: 16 }, variant: 'grasp', grasp: { dims: 8, width: 16, kItems: 5, kUsers: 4 } },
    'run.json',
  );
  const artifacts = await buildTextArtifacts(dataset, split, config, silentContext);
  for (const neighbour of artifacts.items.neighbours)
    assert.ok(neighbour < 0 || !heldOut.has(neighbour), `held-out item ${dataset.itemIds[neighbour]} retrieved as a neighbour`);
  assert.ok(
    artifacts.items.neighbours.some((n) => n >= 0),
    'training items do get neighbours',
  );
  const profiles = await entityTexts(dataset, split, cachePaths(data).dataset, 'user', 'metadata');
  assert.equal(profiles.fromSynthesis, 40, 'profiles come from the synthesis cache the run filled');
  for (const text of profiles.texts) assert.doesNotMatch(text, /secret/, 'a profile mentions a validation or test item');
  const manifest = JSON.parse((await import('node:fs')).readFileSync(artifacts.items.manifest, 'utf8'));
  assert.equal(manifest.reduced.fittedOn, 24, 'item PCA (and LSA) fitted on the 24 items with training interactions only');
  const inputs = graspInputs(artifacts, split);
  assert.equal(inputs.userItems, split.train, 'r_v averages training prefixes');
  // users are never their own neighbour
  for (let u = 0; u < 40; u++) for (let j = 0; j < 4; j++) assert.notEqual(artifacts.users.neighbours[u * 4 + j], u);
});

test('test-time user retrieval: profiles from training prefix + validation item, the training fit reused, never the test item', async () => {
  const data = leakWorld();
  const dataset = await loadDataset(data);
  const split = leaveOneOut(dataset.sequences);
  const config = validateConfig(
    { data: { path: data }, model: { kind: 'sasrec', d: 16 }, variant: 'grasp', grasp: { dims: 8, width: 16, kItems: 5, kUsers: 4 } },
    'run.json',
  );
  const artifacts = await buildTextArtifacts(dataset, split, config, silentContext);
  const later = testTimeSplit(split);
  for (let u = 0; u < 40; u++) {
    assert.deepEqual(Array.from(later.train[u]), [...split.train[u], split.valid[u]]);
    assert.ok(!later.train[u].includes(split.test[u]));
  }
  const refreshed = await refreshedUserArtifacts(dataset, split, config, artifacts, silentContext);
  const profiles = await entityTexts(dataset, later, cachePaths(data).dataset, 'user', 'metadata');
  assert.equal(profiles.fromSynthesis, 40);
  for (let u = 0; u < 40; u++) {
    assert.match(profiles.texts[u], new RegExp(`secretvalid${u}\\b`), 'the profile names the validation item');
    assert.doesNotMatch(profiles.texts[u], /secrettest/, 'a test item reached a profile');
  }
  assert.ok(refreshed.refitError < 1e-6, `the training profiles re-project to the stored vectors (error ${refreshed.refitError})`);
  assert.equal(refreshed.users.vectors.length, artifacts.users.vectors.length);
  assert.notDeepEqual(refreshed.users.vectors, artifacts.users.vectors, 'the test-time profiles have their own vectors');
  for (let u = 0; u < 40; u++) {
    const found = Array.from(refreshed.users.neighbours.subarray(u * 4, u * 4 + 4));
    assert.ok(!found.includes(u), 'a user is never its own neighbour');
    assert.ok(found.filter((v) => v >= 0 && v % 4 === u % 4).length >= 3, `user ${u} found users of another family: ${found}`);
  }
});

test('grasp.testRetrieval "history" changes the test pass only; grasp eval reproduces it', async () => {
  await initEngine({});
  const { dir, data } = await demoWorkspace(120, 40, 5);
  const config = (testRetrieval: string) => ({
    ...sasrecConfig(data, { epochs: 8, lr: 0.01 }),
    variant: 'grasp',
    grasp: { dims: 8, width: 16, kItems: 4, kUsers: 3, userLevel: true, testRetrieval },
  });
  const stale = await trainJob({ config: config('training'), outDir: join(dir, 'stale') }, silentContext);
  const logs: string[] = [];
  const fresh = await trainJob({ config: config('history'), outDir: join(dir, 'fresh') }, { ...silentContext, log: (line) => logs.push(line) });
  assert.deepEqual(fresh.metrics.valid.full, stale.metrics.valid.full, 'training and validation do not depend on the setting');
  assert.ok(
    logs.some((line) => /test pass: similar users retrieved from training prefix \+ validation item/.test(line)),
    'the run says which retrieval its test pass used',
  );
  const ranks = (run: string) => JSON.parse(readFileSync(join(run, 'ranks.json'), 'utf8')).ranks as number[];
  assert.notDeepEqual(ranks(fresh.run), ranks(stale.run), 'the test pass read other similar users');
  const again = await evalJob({ run: fresh.run }, silentContext);
  assert.deepEqual(again.metrics.test.full, fresh.metrics.test.full, "grasp eval applies the run's own test retrieval");
  assert.equal((await attentionDiagnostics(fresh.run, silentContext, 50, 20)).reproduced, 1, "the diagnostics read the weights of the run's own test pass");
  assert.throws(() => validateConfig({ ...config('latest'), data: { path: 'x' } }, 'run.json'), /grasp\.testRetrieval must be one of "training", "history"/);
});

test('GRASP-SASRec trains end to end on the demo world; eval reloads it; attention reads back from the checkpoint', async () => {
  await initEngine({});
  const { dir, data } = await demoWorkspace(120, 40, 5);
  const config = {
    ...sasrecConfig(data, { epochs: 2 }),
    variant: 'grasp',
    grasp: { dims: 8, width: 16, kItems: 4, kUsers: 3, userLevel: true },
  };
  const run = join(dir, 'run');
  const result = await trainJob({ config, outDir: run }, silentContext);
  assert.equal(result.best_epoch > 0, true);
  assert.ok(result.metrics.test.full['NDCG@10'] >= 0 && result.metrics.test.full['NDCG@10'] <= 1);
  const again = await evalJob({ run }, silentContext);
  assert.deepEqual(again.metrics.test.full, result.metrics.test.full, 'the checkpoint reloads into the same GRASP model');

  const dataset = await loadDataset(data);
  const item = dataset.itemIds[3];
  const explained = await readAttention(run, { item });
  assert.equal(explained.entity, 'item');
  assert.equal(explained.neighbours[0].id, item);
  assert.equal(explained.neighbours[0].self, true);
  assert.equal(explained.neighbours.length, 5, 'the item and its 4 neighbours');
  assert.ok(Math.abs(explained.neighbours.reduce((s, n) => s + n.weight, 0) - 1) < 1e-5);
  for (const neighbour of explained.neighbours.slice(1)) {
    assert.ok(dataset.itemIds.includes(neighbour.id), 'raw ids');
    assert.ok(neighbour.similarity !== null && neighbour.similarity <= 1.0001);
  }
  const user = dataset.userIds[7];
  const userView = await readAttention(run, { user });
  assert.equal(userView.query.id, user);
  assert.ok(userView.neighbours.length > 0 && userView.neighbours.length <= 3);
  assert.ok(Math.abs(userView.neighbours.reduce((s, n) => s + n.weight, 0) - 1) < 1e-5);
  assert.ok(userView.neighbours.every((n) => n.id !== user && dataset.userIds.includes(n.id)));
  assert.ok(typeof userView.gate === 'number');
  await assert.rejects(readAttention(run, { item: 'no-such-item' }), /no item with id "no-such-item"/);

  // the baselines and the other backbones run through the same trainer
  for (const extra of [
    { variant: 'llm-init' },
    { variant: 'llm-esr' },
    { variant: 'grasp', model: { kind: 'gru4rec', d: 16, layers: 1, maxLen: 8 } },
    { variant: 'grasp', model: { kind: 'bert4rec', d: 16, layers: 1, maxLen: 8 } },
  ]) {
    const other = await trainJob(
      { config: { ...config, ...extra, train: { epochs: 1, batchSize: 32 } }, outDir: join(dir, `run-${extra.variant}-${extra.model?.kind ?? 'sasrec'}`) },
      silentContext,
    );
    assert.ok(Number.isFinite(other.metrics.test.full['NDCG@10']), JSON.stringify(extra));
  }
  const plainRun = join(dir, 'run-llm-init-sasrec');
  await assert.rejects(readAttention(plainRun, { item }), /a llm-init run has no GRASP attention weights/);
});

test("GRASP's E starts from the text vectors (as llm-init's), unless initFromText is false", async () => {
  await initEngine({});
  const numItems = 6;
  const dims = 4;
  const random = new Random(9);
  const side = (count: number) => ({
    count,
    vectors: Float32Array.from({ length: count * dims }, () => random.next() * 2 - 1),
    k: 2,
    neighbours: Int32Array.from({ length: count * 2 }, (_, i) => (Math.floor(i / 2) + 1 + (i % 2)) % count),
    similarities: new Float32Array(count * 2),
    manifest: 'test',
  });
  const artifacts: TextArtifacts = { dims, items: side(numItems), users: side(3) };
  const split = leaveOneOut([Int32Array.from([0, 1, 2, 3, 4]), Int32Array.from([5, 4, 3, 2]), Int32Array.from([1, 3, 5, 0])]);
  const table = (overrides: object): number[][] => {
    const config = validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec', d: 8, maxLen: 4 }, ...overrides }, 'run.json');
    const { model } = buildModel(config, numItems, split, artifacts, 3);
    try {
      return model.itemEmbedding.arraySync() as number[][];
    } finally {
      model.dispose();
    }
  };
  const plain = table({});
  const grasp = table({ variant: 'grasp' });
  const llmInit = table({ variant: 'llm-init', grasp: { dims } });
  assert.deepEqual(grasp, llmInit, 'the same starting table as llm-init');
  assert.notDeepEqual(grasp, plain);
  // proportional to the text vectors in the first d_s columns
  const ratio = grasp[1][0] / artifacts.items.vectors[0];
  assert.ok(Math.abs(grasp[3][2] / artifacts.items.vectors[2 * dims + 2] - ratio) < 1e-4);
  assert.deepEqual(table({ variant: 'grasp', grasp: { initFromText: false } }), plain, 'initFromText: false keeps the seeded random table');
  // a checkpoint's config as stored by an earlier GRASP module (without the module's settings) is not rebuilt as this one
  const stored = validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec', d: 8, maxLen: 4 }, variant: 'grasp' }, 'run.json');
  delete (stored.grasp as Partial<typeof stored.grasp>).itemAdapter;
  assert.throws(() => buildModel(stored, numItems, split, artifacts, 3), /trained before grasp\.itemAdapter existed/);
});

test('GRASP with the semantic term and whitened text: trains, scores through its own table (eval and the diagnostics reproduce the run), differs from without it', async () => {
  await initEngine({});
  const { dir, data } = await demoWorkspace(120, 40, 5);
  const config = (semanticScore: boolean) => ({
    ...sasrecConfig(data, { epochs: 3, lr: 0.01 }),
    variant: 'grasp',
    grasp: { dims: 8, width: 16, kItems: 4, kUsers: 3, whiten: true, semanticScore },
  });
  const plain = await trainJob({ config: config(false), outDir: join(dir, 'without') }, silentContext);
  const semantic = await trainJob({ config: config(true), outDir: join(dir, 'with') }, silentContext);
  assert.notDeepEqual(semantic.metrics.valid.full, plain.metrics.valid.full, 'the term changes what the model learns');
  const again = await evalJob({ run: semantic.run }, silentContext);
  assert.deepEqual(again.metrics.test.full, semantic.metrics.test.full, 'eval scores with the semantic table the run trained with');
  assert.equal((await attentionDiagnostics(semantic.run, silentContext, 50, 20)).reproduced, 1, 'the diagnostics rank with the same table');
});

test('GRASP with similar users per position: SASRec and GRU4Rec train, eval and the diagnostics reproduce the test pass, attention reads back, and it differs from one list per user', async () => {
  await initEngine({});
  const { dir, data } = await demoWorkspace(120, 40, 5);
  const config = (userRetrieval: string, kind = 'sasrec') => ({
    ...sasrecConfig(data, { epochs: 2, lr: 0.01 }),
    model: { kind, d: 16, layers: 1, maxLen: 8 },
    variant: 'grasp',
    grasp: { dims: 8, width: 16, kItems: 4, kUsers: 3, userLevel: true, userRetrieval },
  });
  const sequence = await trainJob({ config: config('sequence'), outDir: join(dir, 'sequence') }, silentContext);
  for (const kind of ['sasrec', 'gru4rec']) {
    const run = join(dir, `position-${kind}`);
    const result = await trainJob({ config: config('position', kind), outDir: run }, silentContext);
    if (kind === 'sasrec') assert.notDeepEqual(result.metrics.valid.full, sequence.metrics.valid.full, 'the per-position users change what the model learns');
    const again = await evalJob({ run }, silentContext);
    assert.deepEqual(again.metrics.test.full, result.metrics.test.full, `${kind}: eval reproduces the test pass`);
    assert.equal((await attentionDiagnostics(run, silentContext, 50, 20)).reproduced, 1, `${kind}: the diagnostics rank as the test pass did`);
    const dataset = await loadDataset(data);
    const user = dataset.userIds[7];
    const view = await readAttention(run, { user });
    assert.ok(view.neighbours.length > 0 && view.neighbours.length <= 3);
    assert.ok(view.neighbours.every((n) => n.id !== user && n.similarity === null));
    assert.ok(Math.abs(view.neighbours.reduce((s, n) => s + n.weight, 0) - 1) < 1e-5);
  }
});
