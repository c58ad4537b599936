// Stages 1-3 through the worker, as the extension will run them: synthesis (against the mock
// Anthropic server, the key in the worker's environment only), embedding, indexing, neighbours.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { demoJob } from '../../../src/core/jobs/demo';
import { WorkerClient } from '../../../src/worker/client';
import { MockAnthropic } from '../../mock/anthropicServer';
import { tempFolder } from '../helpers';
import { FAKE_KEY, recordingContext } from '../llm/fixtures';
import { WORKER, ensureBuilt } from './harness';

let mock: MockAnthropic;
let dataset: string;

before(async () => {
  ensureBuilt();
  mock = await MockAnthropic.start({ apiKey: FAKE_KEY });
  dataset = tempFolder();
  await demoJob({ outDir: dataset, users: 60, items: 40, seed: 4, retrieval: false }, recordingContext());
});
after(() => mock.close());

test('synthesize, embed, index and neighbours run in the worker; the key never leaves its environment', async () => {
  const stderr: string[] = [];
  const logs: string[] = [];
  const client = await WorkerClient.start({
    workerPath: WORKER,
    client: 'test',
    env: { ...process.env, ANTHROPIC_API_KEY: FAKE_KEY },
    onStderr: (line: string) => stderr.push(line),
  });
  try {
    const cacheDir = tempFolder();
    const synthesis = await client.run(
      'synthesize',
      { dataset, cacheDir, entity: 'item', provider: 'anthropic', baseURL: mock.url },
      { onLog: (line) => logs.push(line) },
    );
    assert.equal(synthesis.provider, 'anthropic');
    assert.equal(synthesis.counts.done, synthesis.counts.total);
    const embedding = await client.run('embed', { dataset, cacheDir, entity: 'item', width: 8, pcaDim: 4 });
    assert.equal(embedding.manifest.texts.source?.provider, 'anthropic');
    const index = await client.run('index', { dataset, cacheDir, entity: 'item', k: 5 });
    assert.equal(index.manifest.method, 'exact');
    const neighbours = await client.run('neighbours', { dataset, cacheDir, entity: 'item', id: 'i1', k: 3 });
    assert.equal(neighbours.neighbours.length, 3);
  } finally {
    await client.stop();
  }
  assert.ok(![...stderr, ...logs].join('\n').includes(FAKE_KEY));
});
