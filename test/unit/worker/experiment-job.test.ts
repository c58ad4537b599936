// The worker's experiment job: a tiny experiment through JSON-RPC, with progress and its runs' training
// events (cancellation and reuse are tested on the core job, test/unit/experiment).
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { WorkerClient } from '../../../src/worker/client';
import type { JobEvent } from '../../../src/worker/protocol';
import { WORKER, ensureBuilt, tempDir } from './harness';
import { demoData, sasrecConfig } from '../train/fixtures';

before(() => ensureBuilt());

test('the worker runs an experiment file and reports progress over the whole experiment', async () => {
  const { dir, cleanup } = tempDir();
  const data = await demoData(dir, 40, 15, 9);
  const file = join(dir, 'experiment.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'worker-tiny',
      base: {
        ...sasrecConfig(data, { d: 8, maxLen: 5, batchSize: 16 }),
        engine: { backend: 'wasm' },
      },
      seeds: [1, 2],
      variants: [{ name: 'A' }, { name: 'B', overrides: { model: { dropout: 0.3 } } }],
      comparisons: [{ variant: 'B', baseline: 'A' }],
      output: 'out',
    }),
  );
  const client = await WorkerClient.start({ workerPath: WORKER, client: 'test' });
  try {
    const fractions: number[] = [];
    const epochs: number[] = [];
    const onEvent = (event: JobEvent) => event.event === 'epoch' && epochs.push(event.epoch);
    const result = await client.run('experiment', { configPath: file }, { onProgress: (p) => p.fraction !== undefined && fractions.push(p.fraction), onEvent });
    assert.equal(result.trained, 4);
    assert.equal(result.results.table.comparisons[0].seeds.length, 2);
    assert.ok(existsSync(result.resultsMarkdown));
    assert.ok(
      fractions.some((f) => f > 0.75),
      'progress reaches the last run',
    );
    assert.deepEqual(epochs, [1, 1, 1, 1], "each of the four runs' epoch reaches the experiment's runner as an event");
  } finally {
    await client.stop();
    cleanup();
  }
});
