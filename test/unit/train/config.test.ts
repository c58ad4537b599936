import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, validateConfig } from '../../../src/core/train/config';
import { ConfigError } from '../../../src/core/util/errors';
import { PRESETS } from '../../../src/core/train/presets';
import { tempFolder } from '../helpers';

test('defaults fill a minimal config; relative data paths are relative to the config file', async () => {
  const dir = tempFolder({ 'run.json': JSON.stringify({ data: { path: 'data/Beauty.txt' }, model: { kind: 'sasrec' } }) });
  const config = await loadConfig(join(dir, 'run.json'));
  assert.equal(config.data.path, join(dir, 'data', 'Beauty.txt'));
  // SASRec's strong preset: full cross-entropy, 2 blocks, maxLen 50; the rest from the schema
  assert.deepEqual(
    [config.model.d, config.model.layers, config.model.maxLen, config.train.batchSize, config.train.loss, config.engine.backend],
    [64, 2, 50, 128, 'ce', 'auto'],
  );
  // BERT4Rec keeps its own objective (cloze with cross-entropy)
  assert.equal(validateConfig({ data: { path: 'x' }, model: { kind: 'bert4rec' } }, 'b.json').train.loss, 'ce');
});

test('errors name the config file and the field', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ data: { path: 'x' } }, /run\.json: model is required/],
    [{ data: { path: 'x' }, model: { kind: 'transformer' } }, /run\.json: model\.kind must be one of "sasrec", "gru4rec", "bert4rec"/],
    [{ data: { path: 'x' }, model: { kind: 'sasrec', d: 64.5 } }, /run\.json: model\.d must be integer/],
    [{ data: { path: 'x' }, model: { kind: 'sasrec', dropout: 1 } }, /run\.json: model\.dropout must be < 1/],
    [{ data: { path: 'x' }, model: { kind: 'sasrec' }, train: { lr: 0.001, epoch: 3 } }, /run\.json: train\.epoch is not a known setting/],
    [{ data: { path: 'x' }, model: { kind: 'sasrec', d: 64, heads: 3 } }, /run\.json: model\.heads must divide model\.d/],
    [{ data: { path: 'x' }, model: { kind: 'sasrec' }, eval: { ks: [5, 20] } }, /run\.json: eval\.ks must include 10/],
  ];
  for (const [config, message] of cases) {
    assert.throws(
      () => validateConfig(config, 'run.json'),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
      `${JSON.stringify(config)} → ${message}`,
    );
  }
  const dir = tempFolder({ 'broken.json': '{ "data": ' });
  await assert.rejects(loadConfig(join(dir, 'broken.json')), /broken\.json: \(top level\) is not valid JSON/);
  await assert.rejects(loadConfig(join(dir, 'missing.json')), /missing\.json: \(top level\) cannot be read \(ENOENT\)/);
});

test('grasp train with a bad config exits 1 naming the file and field, without a stack', () => {
  const dir = tempFolder();
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ data: { path: 'x' }, model: { kind: 'sasrec', layers: 0 } }));
  const run = spawnSync(process.execPath, [join(__dirname, '..', '..', '..', 'bin', 'grasp.js'), 'train', '--config', file], { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /bad\.json: model\.layers must be >= 1/);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});

test("a config takes its backbone's preset wherever it is silent; what it states wins", () => {
  for (const [kind, preset] of Object.entries(PRESETS)) {
    const config = validateConfig({ data: { path: 'x' }, model: { kind } }, `${kind}.json`) as unknown as Record<'model' | 'train', Record<string, unknown>>;
    for (const section of ['model', 'train'] as const) {
      for (const [key, value] of Object.entries(preset[section])) assert.deepEqual(config[section][key], value, `${kind}: ${section}.${key}`);
    }
    const stated = validateConfig({ data: { path: 'x' }, model: { kind, dropout: 0.35 }, train: { epochs: 3, loss: 'bce' } }, `${kind}.json`);
    assert.equal(stated.model.dropout, 0.35);
    assert.equal(stated.train.epochs, 3);
    assert.equal(stated.train.loss, 'bce');
  }
});

test('sampled softmax defaults to 256 shared negatives; BCE to one per position; a stated count wins', () => {
  const negatives = (train: object) => validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec' }, train }, 'n.json').train.negatives;
  assert.equal(negatives({ loss: 'sampled_softmax' }), 256);
  assert.equal(negatives({ loss: 'bce' }), 1);
  assert.equal(negatives({ loss: 'sampled_softmax', negatives: 64 }), 64);
});

test('resource limits: sizes, list lengths and nesting are refused naming the field, before any run folder exists', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ data: { path: 'x' }, model: { kind: 'sasrec', d: 1000000 } }, /run\.json: model\.d must be <= 4096/],
    [{ data: { path: 'x' }, model: { kind: 'sasrec', maxLen: 100000 } }, /run\.json: model\.maxLen must be <= 4096/],
    [
      { data: { path: 'x' }, model: { kind: 'sasrec' }, train: { seeds: Array.from({ length: 101 }, (_, i) => i) } },
      /run\.json: train\.seeds must NOT have more than 100 items/,
    ],
    [{ data: { path: 'x' }, model: { kind: 'sasrec' }, train: { batchSize: 10 ** 9 } }, /run\.json: train\.batchSize must be <= 65536/],
    [{ data: { path: 'x' }, model: { kind: 'sasrec' }, grasp: { kItems: 5000 } }, /run\.json: grasp\.kItems must be <= 1000/],
  ];
  for (const [config, message] of cases) assert.throws(() => validateConfig(config, 'run.json'), message);
  // 100,000 levels of nesting: an error naming where, not a stack overflow
  let deep: unknown = {};
  for (let i = 0; i < 100_000; i++) deep = { x: deep };
  assert.throws(
    () => validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec' }, extra: deep }, 'run.json'),
    /run\.json: extra(\.x)+ nests deeper than 32 levels/,
  );
  // the same through the CLI: exit 1 naming the file and field, and no run folder written
  const dir = tempFolder({ 'run.json': JSON.stringify({ data: { path: 'x' }, model: { kind: 'sasrec', d: 1000000 } }) });
  const result = spawnSync(
    process.execPath,
    [join(__dirname, '..', '..', '..', 'bin', 'grasp.js'), 'train', '--config', join(dir, 'run.json'), '--out', join(dir, 'out')],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 1);
  assert.match(result.stderr, /run\.json: model\.d must be <= 4096/);
  assert.equal(existsSync(join(dir, 'out')), false);
});

test(
  'a config path that is a FIFO is refused at once, not read (which would block for ever)',
  { skip: process.platform === 'win32' && 'no FIFOs' },
  async () => {
    const dir = tempFolder();
    const fifo = join(dir, 'run.json');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    await assert.rejects(loadConfig(fifo), /run\.json: \(top level\) is not a regular file/);
  },
);

test('a plain run is not "another config" when only its unused grasp section differs; a GRASP run is', async () => {
  const { firstDifference } = await import('../../../src/core/util/jsonCompare');
  const { effectiveConfig } = await import('../../../src/core/train/config');
  const plain = (itemNorm: boolean) => validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec' }, grasp: { itemNorm } }, 'run.json');
  assert.equal(firstDifference(effectiveConfig(plain(true)), effectiveConfig(plain(false))), undefined);
  const grasp = (itemNorm: boolean) => validateConfig({ data: { path: 'x' }, model: { kind: 'sasrec' }, variant: 'grasp', grasp: { itemNorm } }, 'run.json');
  assert.equal(firstDifference(effectiveConfig(grasp(true)), effectiveConfig(grasp(false))), 'grasp.itemNorm');
});
