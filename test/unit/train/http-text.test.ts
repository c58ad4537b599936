// Training on world knowledge from the servers researchers run: a GRASP run whose descriptions come from
// an OpenAI-compatible chat server and whose vectors come from an OpenAI-compatible embedding server
// (both the mock in test/mock/openaiServer.ts, which wants a key: it reaches the run through the job
// context's secret reader only). The config section, the cache keys, reruns that call nothing.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cachePaths } from '../../../src/core/data/cachePaths';
import { readEmbedding } from '../../../src/core/embed/store';
import { initEngine } from '../../../src/core/engine/backend';
import { evalJob } from '../../../src/core/jobs/evaluate';
import { silentContext, type JobContext } from '../../../src/core/util/jobContext';
import { outputText } from '../../../src/core/llm/schema';
import { validateConfig } from '../../../src/core/train/config';
import { ConfigError } from '../../../src/core/util/errors';
import { trainJob } from '../../../src/core/jobs/train';
import { MockOpenAI, mockVector } from '../../mock/openaiServer';
import { demoWorkspace, sasrecConfig } from './fixtures';

const KEY = ['sk', 'test', 'train-FAKE-24680135'].join('-');
let mock: MockOpenAI;

before(async () => {
  mock = await MockOpenAI.start({ apiKey: KEY, dim: 24, retryAfterMs: 5, hangMs: 60_000, seed: 2 });
});
after(() => mock.close());

/** A runner's context holding OPENAI_API_KEY (or, with `key` null, no key at all). */
function context(lines: string[] = [], key: string | null = KEY): JobContext {
  return { ...silentContext, log: (line) => void lines.push(line), secret: (name) => (name === 'OPENAI_API_KEY' && key !== null ? key : undefined) };
}

test('grasp.embedder, grasp.embedding and the openai-compatible texts are validated; errors name the file and the field', () => {
  const base = { data: { path: 'x' }, model: { kind: 'sasrec' }, variant: 'grasp' };
  const ok = validateConfig(
    {
      ...base,
      grasp: {
        embedder: 'openai-compatible',
        embedding: { baseUrl: 'http://127.0.0.1:8080', model: 'bge-small', dimensions: 256 },
        texts: { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000', model: 'qwen' },
      },
    },
    'run.json',
  );
  assert.equal(ok.grasp.embedder, 'openai-compatible');
  assert.equal(ok.grasp.embedding?.dimensions, 256);
  assert.equal(validateConfig({ ...base, grasp: { embedder: 'voyage' } }, 'run.json').grasp.embedding, undefined, 'voyage needs no server');
  const cases: Array<[object, RegExp]> = [
    [{ embedder: 'bert' }, /run\.json: grasp\.embedder must be one of "lsa", "voyage", "openai-compatible"/],
    [{ embedder: 'openai-compatible' }, /run\.json: grasp\.embedding\.baseUrl is required with grasp\.embedder "openai-compatible"/],
    [{ embedder: 'lsa', embedding: { model: 'm' } }, /run\.json: grasp\.embedding is read only by the voyage and openai-compatible embedders/],
    [{ embedder: 'voyage', embedding: { dimensions: 0 } }, /run\.json: grasp\.embedding\.dimensions must be >= 1/],
    [{ embedder: 'voyage', embedding: { apiKey: 'x' } }, /run\.json: grasp\.embedding\.apiKey is not a known setting/],
    [{ embedder: 'openai-compatible', embedding: { baseUrl: 'file:///etc' } }, /run\.json: grasp\.embedding\.baseUrl must match pattern/],
    [
      { embedder: 'openai-compatible', embedding: { baseUrl: 'http://me:secret@127.0.0.1:8080' } },
      /run\.json: grasp\.embedding\.baseUrl must not carry credentials/,
    ],
    [
      { embedder: 'openai-compatible', embedding: { baseUrl: 'http://127.0.0.1:8080/?api_key=abc' } },
      /run\.json: grasp\.embedding\.baseUrl must not carry credentials/,
    ],
    [
      { texts: { provider: 'openai-compatible', model: 'qwen' } },
      /run\.json: grasp\.texts\.baseUrl is required with grasp\.texts\.provider "openai-compatible"/,
    ],
    [{ texts: { provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:8000' } }, /run\.json: grasp\.texts\.model is required/],
    [
      { texts: { provider: 'metadata', baseUrl: 'http://127.0.0.1:8000' } },
      /run\.json: grasp\.texts\.baseUrl is read only with grasp\.texts\.provider "openai-compatible", not "metadata"/,
    ],
    [{ texts: { provider: 'raw', model: 'm' } }, /run\.json: grasp\.texts\.model is read only with grasp\.texts\.provider "openai-compatible" or "anthropic"/],
  ];
  for (const [grasp, message] of cases) {
    assert.throws(
      () => validateConfig({ ...base, grasp }, 'run.json'),
      (error: unknown) => error instanceof ConfigError && message.test(error.message),
      `${JSON.stringify(grasp)} → ${message}`,
    );
  }
});

test('a GRASP run trains on descriptions from a chat server and vectors from an embedding server; reruns and eval call nothing; another model gets its own vectors', async () => {
  await initEngine({});
  const { dir, data } = await demoWorkspace(100, 40, 5);
  const grasp = (embeddingModel: string) => ({
    texts: { provider: 'openai-compatible', baseUrl: mock.url, model: 'mock-chat' },
    embedder: 'openai-compatible',
    embedding: { baseUrl: mock.url, model: embeddingModel, batchSize: 16 },
    dims: 8,
    kItems: 4,
    kUsers: 3,
  });
  const config = (embeddingModel: string) => ({
    ...sasrecConfig(data, { epochs: 2 }),
    variant: 'grasp',
    grasp: grasp(embeddingModel),
  });
  // a few faults on the way: the run still gets every text and vector
  mock.configure({ faults: { rateLimit: 0.05, serverError: 0.05, malformed: 0.03, cutOff: 0.03, wrongWidth: 0.03, schemaBreak: 0.03 } });
  const since = mock.log.length;
  const lines: string[] = [];
  const result = await trainJob({ config: config('mock-embed'), outDir: join(dir, 'run') }, context(lines));
  assert.ok(result.best_epoch > 0 && Number.isFinite(result.metrics.test.full['NDCG@10']));
  const made = mock.log.slice(since);
  assert.ok(
    made.some((entry) => entry.kind === 'chat' && entry.outcome === 'ok'),
    'descriptions were written by the chat server',
  );
  assert.ok(
    made.some((entry) => entry.kind === 'embeddings' && entry.outcome === 'ok'),
    'vectors came from the embedding server',
  );
  assert.deepEqual(mock.sentAfterSuccess(since), []);
  assert.ok(lines.some((line) => /mock-chat wrote \d+ texts/.test(line)));

  // the synthesis cache holds the chat server's descriptions; the run's embedding says where its vectors came from
  const paths = cachePaths(data);
  const synthesis = readFileSync(join(paths.dataset, 'synthesis', 'items.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.ok(synthesis.some((record) => record.provider === 'openai-compatible' && record.model === 'mock-chat' && record.status === 'ok'));
  const keyDirs = readdirSync(join(paths.dataset, 'grasp'));
  assert.equal(keyDirs.length, 2, 'one folder per entity kind');
  const manifests = keyDirs
    .map((key) => join(paths.dataset, 'grasp', key, 'embeddings'))
    .flatMap((folder) =>
      readdirSync(folder)
        .filter((name) => name.endsWith('.json'))
        .map((name) => join(folder, name)),
    );
  const items = await readEmbedding(manifests.find((file) => file.includes('items.openai-compatible'))!);
  assert.deepEqual([items.manifest.embedder.name, items.manifest.embedder.model, items.manifest.vectors.dim], ['openai-compatible', 'mock-embed', 24]);
  assert.ok(items.manifest.texts.source?.provider === 'openai-compatible' && items.manifest.texts.fromSynthesis > 0);
  // the vectors are the server's, for the texts the run embedded, row by row
  assert.deepEqual(Array.from(items.vectors.subarray(0, 24)), mockVector(readFirstEmbeddedText(paths.dataset, items.manifest.ids[0]), 24).map(Math.fround));
  assert.ok(!JSON.stringify(items.manifest).includes(KEY));

  // everything is cached now: evaluating, and training the same config again, call no server at all
  mock.configure({ faults: {} });
  const sent = mock.log.length;
  const again = await evalJob({ run: join(dir, 'run') }, context());
  assert.deepEqual(again.metrics.test.full, result.metrics.test.full);
  const rerun = await trainJob({ config: config('mock-embed'), outDir: join(dir, 'rerun') }, context());
  assert.deepEqual(rerun.metrics.test.full, result.metrics.test.full, 'the same texts and vectors, the same run');
  assert.equal(mock.log.length, sent, 'a rerun makes 0 calls');

  // another embedding model: new vectors (the same texts, no chat call), in folders of their own
  const other = await trainJob({ config: config('mock-embed-2'), outDir: join(dir, 'other') }, context());
  assert.ok(Number.isFinite(other.metrics.test.full['NDCG@10']));
  assert.ok(
    mock.log.slice(sent).every((entry) => entry.kind === 'embeddings'),
    'the descriptions came from the cache',
  );
  assert.equal(readdirSync(join(paths.dataset, 'grasp')).length, 4, 'runs never share vectors of another model');
});

test('grasp.testRetrieval "history" with server texts and vectors: the test-time profiles are written and embedded the same way; eval reproduces the run', async () => {
  await initEngine({});
  mock.configure({ faults: {} });
  const { dir, data } = await demoWorkspace(80, 30, 6);
  const config = {
    ...sasrecConfig(data, { epochs: 2 }),
    variant: 'grasp',
    // a model name with a colon, as Ollama's are (`qwen2.5:7b`)
    grasp: {
      texts: { provider: 'openai-compatible', baseUrl: mock.url, model: 'mock-chat:7b' },
      embedder: 'openai-compatible',
      embedding: { baseUrl: mock.url, model: 'mock-embed' },
      dims: 8,
      kItems: 4,
      kUsers: 3,
      userLevel: true,
      testRetrieval: 'history',
    },
  };
  const lines: string[] = [];
  const result = await trainJob({ config, outDir: join(dir, 'run') }, context(lines));
  assert.ok(lines.some((line) => /test pass: similar users retrieved from training prefix \+ validation item/.test(line)));
  const profiles = readFileSync(join(cachePaths(data).dataset, 'synthesis', 'users.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((line) => JSON.parse(line).model === 'mock-chat:7b').length;
  assert.ok(profiles > 80, `profiles of the test-time histories were written too (${profiles} records for 80 users)`);
  const sent = mock.log.length;
  const again = await evalJob({ run: join(dir, 'run') }, context());
  assert.deepEqual(again.metrics.test.full, result.metrics.test.full);
  assert.equal(mock.log.length, sent, 'eval finds every text and vector in the caches');
});

test('a server that wants a key the runner does not hold stops the run before its folder holds a checkpoint, saying so', async () => {
  const { dir, data } = await demoWorkspace(40, 20, 8);
  const config = {
    ...sasrecConfig(data, { d: 8, maxLen: 6 }),
    variant: 'llm-init',
    grasp: { texts: { provider: 'raw' }, embedder: 'openai-compatible', embedding: { baseUrl: mock.url, model: 'mock-embed' }, dims: 8 },
  };
  await assert.rejects(trainJob({ config, outDir: join(dir, 'run') }, context([], null)), /embeddings stopped: HTTP 401.*no OPENAI_API_KEY was set/);
  assert.equal(existsSync(join(dir, 'run', 'checkpoint.json')), false);
});

/** The text the run embedded for an item: its description in the synthesis cache, flattened as the run flattens it. */
function readFirstEmbeddedText(datasetCache: string, id: string): string {
  const record = readFileSync(join(datasetCache, 'synthesis', 'items.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .find((line) => line.status === 'ok' && line.ids.includes(id));
  assert.ok(record, `item ${id} has a description`);
  return outputText(record.output);
}

test('an embedder narrower than grasp.dims: the text side keeps the components both sides have, and says so', async () => {
  await initEngine({});
  const { dir, data } = await demoWorkspace(60, 20, 7);
  mock.configure({ faults: {} });
  const lines: string[] = [];
  // the mock's vectors are 24 wide; 32 dims cannot come out of them
  const config = {
    ...sasrecConfig(data, { d: 32 }),
    variant: 'grasp',
    grasp: { embedder: 'openai-compatible', embedding: { baseUrl: mock.url, model: 'mock-embed-narrow' }, dims: 32, kItems: 3, kUsers: 3 },
  };
  const result = await trainJob({ config, outDir: join(dir, 'run') }, context(lines));
  assert.ok(result.best_epoch > 0 && Number.isFinite(result.metrics.test.full['NDCG@10']));
  assert.ok(
    lines.some((line) => /text side: (\d+) dims, not grasp\.dims 32/.test(line)),
    lines.join('\n'),
  );
});
