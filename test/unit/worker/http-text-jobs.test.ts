// What the extension's palette runs, through the real worker: a GRASP training whose descriptions come
// from an OpenAI-compatible chat server and whose vectors come from an OpenAI-compatible embedding
// server (the mock), with the key given to the worker's environment only (as the run manager does from
// secret storage), never in params; then the run exported for Python with the `export` job.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WorkerClient } from '../../../src/worker/client';
import { OPENAI_KEY_ENV } from '../../../src/worker/protocol';
import { MockOpenAI } from '../../mock/openaiServer';
import { WORKER, ensureBuilt, tempDir } from './harness';
import { demoData, sasrecConfig } from '../train/fixtures';

const KEY = ['sk', 'test', 'worker-FAKE-13579246'].join('-');
let mock: MockOpenAI;

before(async () => {
  ensureBuilt();
  mock = await MockOpenAI.start({ apiKey: KEY, dim: 16 });
});
after(() => mock.close());

test('the worker trains on server texts and vectors with the key from its environment, then exports the run', async () => {
  const { dir, cleanup } = tempDir();
  const data = await demoData(dir, 60, 20, 5);
  const { VOYAGE_API_KEY: _voyage, ...inherited } = process.env;
  const client = await WorkerClient.start({ workerPath: WORKER, client: 'test', env: { ...inherited, [OPENAI_KEY_ENV]: KEY } });
  try {
    const logs: string[] = [];
    const config = {
      ...sasrecConfig(data, { d: 8, maxLen: 6, batchSize: 16 }),
      engine: { backend: 'wasm' },
      variant: 'grasp',
      grasp: {
        texts: { provider: 'openai-compatible', baseUrl: mock.url, model: 'mock-chat' },
        embedder: 'openai-compatible',
        embedding: { baseUrl: mock.url, model: 'mock-embed' },
        dims: 4,
        kItems: 3,
        kUsers: 3,
        cacheDir: join(dir, 'cache'),
      },
    };
    // what the extension's key check sees: a hash prefix, never the key
    const seen = await client.run('keyCheck', { key: 'OPENAI_API_KEY' });
    assert.equal(seen.present, true);
    assert.equal(seen.sha256Prefix?.length, 12);
    assert.deepEqual(await client.run('keyCheck', { key: 'VOYAGE_API_KEY' }), { present: false });
    const since = mock.log.length;
    const result = await client.run('train', { config, outDir: join(dir, 'run') }, { onLog: (line) => logs.push(line) });
    assert.equal(result.event, 'result');
    const made = mock.log.slice(since);
    assert.ok(
      made.some((entry) => entry.kind === 'chat' && entry.outcome === 'ok') && made.some((entry) => entry.kind === 'embeddings' && entry.outcome === 'ok'),
    );
    assert.ok(
      made.every((entry) => entry.outcome !== 'unauthorized'),
      'the key reached both servers',
    );
    assert.ok(!logs.join('\n').includes(KEY));

    const exported = await client.run('export', { target: join(dir, 'run'), out: join(dir, 'export') });
    assert.equal(exported.kind, 'run');
    for (const file of ['items.npy', 'users.npy', 'items.neighbours.tsv', 'ranks.csv', 'metrics.csv', 'export.json'])
      assert.ok(existsSync(join(dir, 'export', file)), file);
  } finally {
    await client.stop();
    cleanup();
  }
});

test('without the key in its environment the worker refuses the run, naming the missing key', async () => {
  const { dir, cleanup } = tempDir();
  const data = await demoData(dir, 40, 15, 6);
  const env = { ...process.env };
  delete env[OPENAI_KEY_ENV];
  const client = await WorkerClient.start({ workerPath: WORKER, client: 'test', env });
  try {
    const config = {
      data: { path: data },
      model: { kind: 'sasrec', d: 8, layers: 1, maxLen: 6 },
      train: { epochs: 1, batchSize: 16 },
      engine: { backend: 'wasm' },
      variant: 'llm-init',
      grasp: {
        texts: { provider: 'raw' },
        embedder: 'openai-compatible',
        embedding: { baseUrl: mock.url, model: 'mock-embed' },
        dims: 4,
        cacheDir: join(dir, 'cache'),
      },
    };
    await assert.rejects(client.run('train', { config, outDir: join(dir, 'run') }), /embeddings stopped: HTTP 401.*no OPENAI_API_KEY was set/);
  } finally {
    await client.stop();
    cleanup();
  }
});
