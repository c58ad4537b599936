import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CancelledError, silentContext, type JobContext } from '../../../src/core/util/jobContext';
import { demoJob } from '../../../src/core/jobs/demo';
import { readManifest } from '../../../src/core/train/checkpoint';
import { trainJob } from '../../../src/core/jobs/train';
import { evalJob } from '../../../src/core/jobs/evaluate';
import { tempFolder } from '../helpers';

const tiny = (data: string) => ({
  data: { path: data },
  model: { kind: 'sasrec', d: 8, layers: 1, heads: 1, maxLen: 6, dropout: 0.1 },
  train: { epochs: 3, batchSize: 16, evalEvery: 1, patience: 0, seed: 1 },
  eval: { sampled: 10 },
  engine: { backend: 'wasm' },
});

test('a run writes config, log, metrics, ranks and a checkpoint that evaluates to the same test metrics', async () => {
  const data = (await demoJob({ outDir: join(tempFolder(), 'demo'), users: 60, items: 20, seed: 3, retrieval: false }, silentContext)).dir;
  const out = join(tempFolder(), 'run');
  const result = await trainJob({ config: tiny(data), outDir: out }, silentContext);
  assert.equal(result.event, 'result');
  assert.equal(result.backend, 'wasm');
  for (const file of ['config.json', 'log.jsonl', 'metrics.json', 'ranks.json', 'checkpoint.json']) assert.ok(existsSync(join(out, file)), file);
  assert.ok(result.metrics.test.full['NDCG@10'] >= 0 && result.metrics.test.full['NDCG@10'] <= 1);
  assert.ok(result.metrics.test.sampled100, 'sampled protocol reported');
  const again = await evalJob({ run: out }, silentContext);
  assert.deepEqual(again.metrics.test.full, result.metrics.test.full);
  assert.equal(again.epoch, result.best_epoch);
});

test('cancelling stops within one step and leaves the last good checkpoint intact', async () => {
  const data = (await demoJob({ outDir: join(tempFolder(), 'demo'), users: 60, items: 20, seed: 4, retrieval: false }, silentContext)).dir;
  const out = join(tempFolder(), 'run');
  // The trainer asks before every step (and the evaluator between batches). Cancel at the first question
  // after epoch 1's checkpoint exists, i.e. just before epoch 2's first step.
  let cancelled = false;
  let askedAfterCancel = 0;
  const ctx: JobContext = {
    ...silentContext,
    isCancelled: () => {
      if (cancelled) askedAfterCancel++;
      cancelled ||= existsSync(join(out, 'checkpoint.json'));
      return cancelled;
    },
  };
  await assert.rejects(trainJob({ config: tiny(data), outDir: out }, ctx), CancelledError);
  assert.equal(askedAfterCancel, 0, 'no further step after the cancel was seen');
  const manifest = await readManifest(out);
  assert.equal(manifest.epoch, 1, 'the epoch-1 checkpoint survives');
  assert.ok(existsSync(join(out, manifest.weights)));
  assert.deepEqual(
    readdirSync(out).filter((name) => name.includes('.tmp-')),
    [],
    'no temporary files left',
  );
  const evaluated = await evalJob({ run: out }, silentContext);
  assert.equal(evaluated.epoch, 1);
});

test('the same seed on the same backend gives the same run; another seed another one', async () => {
  const data = (await demoJob({ outDir: join(tempFolder(), 'demo'), users: 60, items: 20, seed: 6, retrieval: false }, silentContext)).dir;
  const run = (seed: number) =>
    trainJob({ config: { ...tiny(data), train: { ...tiny(data).train, epochs: 2, seed } }, outDir: join(tempFolder(), 'run') }, silentContext);
  const [a, b, c] = [await run(3), await run(3), await run(4)];
  assert.deepEqual(a.metrics.test.full, b.metrics.test.full);
  assert.deepEqual(a.metrics.valid.full, b.metrics.valid.full);
  assert.notDeepEqual(a.metrics.valid.full, c.metrics.valid.full);
});
