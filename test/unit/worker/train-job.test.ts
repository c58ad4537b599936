// The worker's train and evaluate jobs: a tiny run through JSON-RPC, with progress and log events.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { silentContext } from '../../../src/core/jobs/context';
import { demoJob } from '../../../src/core/jobs/demo';
import { WorkerClient } from '../../../src/worker/client';
import { WORKER, ensureBuilt, tempDir } from './harness';

before(() => ensureBuilt());

test('the worker trains from a config and re-evaluates the run, streaming progress and JSON events', async () => {
  const { dir, cleanup } = tempDir();
  const data = (await demoJob({ outDir: join(dir, 'demo'), users: 60, items: 20, seed: 5, retrieval: false }, silentContext)).dir;
  const client = await WorkerClient.start({ workerPath: WORKER, client: 'test' });
  try {
    assert.equal(client.info?.tensorBackend, null, 'no backend before a training job');
    const logs: string[] = [];
    let progressed = false;
    const config = { data: { path: data }, model: { kind: 'sasrec', d: 8, layers: 1, maxLen: 6 }, train: { epochs: 2, batchSize: 16 }, engine: { backend: 'wasm' } };
    const result = await client.run('train', { config, outDir: join(dir, 'run') }, { onProgress: () => (progressed = true), onLog: (line) => logs.push(line) });
    assert.equal(result.event, 'result');
    assert.equal(result.backend, 'wasm');
    assert.ok(progressed);
    assert.ok(logs.some((line) => line.startsWith('{"event":"epoch"')), 'epoch events in the log');
    const evaluated = await client.run('evaluate', { run: join(dir, 'run') });
    assert.deepEqual(evaluated.metrics.test.full, result.metrics.test.full);
  } finally {
    await client.stop();
    cleanup();
  }
});
