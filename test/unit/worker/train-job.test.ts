// The worker's train and evaluate jobs: a tiny run through JSON-RPC, with progress, log lines and typed events.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { silentContext } from '../../../src/core/util/jobContext';
import { demoJob } from '../../../src/core/jobs/demo';
import { WorkerClient } from '../../../src/worker/client';
import type { JobEvent } from '../../../src/worker/protocol';
import { WORKER, ensureBuilt, tempDir } from './harness';

before(() => ensureBuilt());

test('the worker trains from a config and re-evaluates the run, streaming progress and typed events', async () => {
  const { dir, cleanup } = tempDir();
  const data = (await demoJob({ outDir: join(dir, 'demo'), users: 60, items: 20, seed: 5, retrieval: false }, silentContext)).dir;
  const client = await WorkerClient.start({ workerPath: WORKER, client: 'test' });
  try {
    assert.equal(client.info?.tensorBackend, null, 'no backend before a training job');
    const logs: string[] = [];
    const events: JobEvent[] = [];
    let progressed = false;
    const config = {
      data: { path: data },
      model: { kind: 'sasrec', d: 8, layers: 1, maxLen: 6 },
      train: { epochs: 2, batchSize: 16, evalEvery: 1 },
      engine: { backend: 'wasm' },
    };
    const result = await client.run(
      'train',
      { config, outDir: join(dir, 'run') },
      { onProgress: () => (progressed = true), onLog: (line) => logs.push(line), onEvent: (event) => events.push(event) },
    );
    assert.equal(result.event, 'result');
    assert.equal(result.backend, 'wasm');
    assert.ok(progressed);
    // The engine first, then each epoch followed by its validation (evalEvery 1), as the trainer emits them.
    assert.deepEqual(
      events.map((event) => event.event),
      ['engine', 'epoch', 'eval', 'epoch', 'eval'],
    );
    const engine = events[0];
    assert.ok(engine.event === 'engine' && engine.description.startsWith('wasm'), JSON.stringify(engine));
    const lastEval = events[4];
    assert.ok(lastEval.event === 'eval' && typeof lastEval.valid['NDCG@10'] === 'number' && lastEval.epoch === 2, JSON.stringify(lastEval));
    // Each event travels once, typed: the log keeps the lines meant for people.
    assert.ok(!logs.some((line) => line.startsWith('{"event":') || line.startsWith('engine: ')), `no event in the log: ${logs.join(' | ')}`);
    const evaluated = await client.run('evaluate', { run: join(dir, 'run') });
    assert.deepEqual(evaluated.metrics.test.full, result.metrics.test.full);
  } finally {
    await client.stop();
    cleanup();
  }
});
