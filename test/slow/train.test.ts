// Real training runs (slow suite): SASRec on Beauty for a few epochs through the CLI, a
// checkpoint → eval round trip, and every backbone on the demo world. Beauty is read in place
// from ../shared/data and skipped, saying so, when it is not there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentContext } from '../../src/core/util/jobContext';
import { demoJob } from '../../src/core/jobs/demo';
import { trainJob } from '../../src/core/jobs/train';
import { tempFolder } from '../unit/helpers';

const ROOT = join(__dirname, '..', '..');
const BEAUTY = join(ROOT, '..', 'shared', 'data', 'beauty', 'Beauty.txt');
const grasp = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'grasp.js'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

test(
  'grasp train on Beauty (SASRec, 3 epochs) learns, and grasp eval reproduces its test metrics from the checkpoint',
  { skip: existsSync(BEAUTY) ? false : `${BEAUTY} not found` },
  () => {
    const dir = tempFolder();
    const config = join(dir, 'beauty-sasrec.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'beauty-sasrec',
        data: { path: BEAUTY },
        model: { kind: 'sasrec' },
        train: { epochs: 3, evalEvery: 3, seed: 1 },
        eval: { unmasked: true },
      }),
    );
    const run = grasp('train', '--config', config, '--out', join(dir, 'run'), '--quiet');
    assert.equal(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
    assert.equal(result.event, 'result');
    assert.ok(['wasm', 'tensorflow', 'cpu'].includes(result.backend));
    // After 3 epochs SASRec is far above popularity-free chance (HR@10 of a random ranking: 10/12101).
    assert.ok(result.metrics.test.full['HR@10'] > 0.01, `HR@10 ${result.metrics.test.full['HR@10']}`);
    assert.ok(result.metrics.test.sampled100.uniform['HR@10'] > 0.2);
    for (const group of ['headUsers', 'tailUsers', 'headItems', 'tailItems']) assert.ok(result.metrics.test.groups[group]['NDCG@10'] >= 0);
    const evaluated = grasp('eval', '--run', join(dir, 'run'));
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const again = JSON.parse(evaluated.stdout.trim().split('\n').pop()!);
    assert.deepEqual(again.metrics.test.full, result.metrics.test.full);
  },
);

test('every backbone trains on the demo world and beats a random ranking; several seeds give mean ± std', async () => {
  const data = (await demoJob({ outDir: join(tempFolder(), 'demo'), users: 600, items: 200, seed: 7, retrieval: false }, silentContext)).dir;
  for (const kind of ['sasrec', 'gru4rec', 'bert4rec'] as const) {
    const result = await trainJob(
      {
        config: {
          data: { path: data },
          model: { kind, d: 32, layers: 1, heads: 1, maxLen: 20 },
          train: { epochs: 4, evalEvery: 2, batchSize: 64, seeds: [1, 2], patience: 0 },
          eval: { sampled: 50 },
        },
        outDir: join(tempFolder(), kind),
      },
      silentContext,
    );
    assert.ok(result.seeds, 'two seeds summarised');
    const ndcg = result.seeds!.test['full.NDCG@10'];
    // random ranking over 200 items: NDCG@10 ≈ 0.02
    assert.ok(ndcg.mean > 0.03, `${kind}: NDCG@10 ${ndcg.mean}`);
    assert.ok(Number.isFinite(ndcg.std));
  }
});

test('grasp demo trains SASRec on the demo world and prints its test metrics', () => {
  const out = join(tempFolder(), 'demo');
  const run = grasp('demo', '--out', out, '--users', '500', '--items', '150', '--no-retrieval', '--json');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.ok(result.training, 'training result present');
  assert.ok(result.training.test.full['NDCG@10'] > 0.05, `NDCG@10 ${result.training.test.full['NDCG@10']}`);
  assert.ok(existsSync(join(result.training.run, 'checkpoint.json')));
  const table = grasp('demo', '--out', out, '--users', '500', '--items', '150', '--no-retrieval');
  // The closing comparison table: both models with their full-ranking metrics, then the paired test.
  assert.match(table.stdout, /Demo world, test split, full ranking \(\w+ backend/);
  assert.match(table.stdout, /\n\s+SASRec\s+\d\.\d{4}\s+\d\.\d{4}/);
  assert.match(table.stdout, /\n\s+GRASP-SASRec\s+\d\.\d{4}\s+\d\.\d{4}/);
  assert.match(table.stdout, /paired t-test over \d+ users, p = /);
});
