// Kill `grasp embed --embedder openai-compatible` with SIGKILL mid-run and start it again: the vector
// cache must still read, the second run must send only the texts the first had not recorded, and a
// third run must send nothing (the mock OpenAI-compatible server, with faults, on 127.0.0.1).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cachePaths } from '../../src/core/data/cachePaths';
import { loadDataset } from '../../src/core/data/load';
import { leaveOneOut } from '../../src/core/data/split';
import { vectorKey } from '../../src/core/embed/httpEmbedder';
import { entityTexts } from '../../src/core/embed/texts';
import { MockOpenAI, textHash } from '../mock/openaiServer';
import { tempFolder } from '../unit/helpers';
import { demoForCli, killOnceWritten, runCli, wholeRecords } from './cliProcess';

const KEY = ['sk', 'test', 'kill-FAKE-11223344'].join('-');
let dataset: string;
let mock: MockOpenAI;

before(async () => {
  dataset = await demoForCli(200, 800);
  mock = await MockOpenAI.start({ apiKey: KEY, latencyMs: 30, dim: 32, faults: { serverError: 0.05, malformed: 0.05, rateLimit: 0.03 }, retryAfterMs: 20 });
});
after(() => mock.close());

function embed(cacheDir: string) {
  return runCli(
    [
      'embed',
      dataset,
      '--entity',
      'items',
      '--embedder',
      'openai-compatible',
      '--base-url',
      mock.url,
      '--model',
      'mock-embed',
      '--cache-dir',
      cacheDir,
      '--texts',
      'none',
      '--concurrency',
      '4',
      '--batch-size',
      '4',
      '--json',
    ],
    { OPENAI_API_KEY: KEY },
  );
}

test('SIGKILL mid-run, restart: the cache reads, nothing recorded before the kill is sent again, and a third run sends nothing', async () => {
  const cacheDir = tempFolder();
  const cacheFile = join(cachePaths(dataset, cacheDir).dataset, 'embeddings', 'cache', 'openai-compatible.jsonl');
  await killOnceWritten(embed(cacheDir), cacheFile, 200, 60_000);
  const logAtKill = mock.log.length;

  const before = new Set(wholeRecords<{ key: string }>(cacheFile).map((record) => record.key));
  assert.ok(before.size >= 150 && before.size < 800, `${before.size} recorded before the kill`);
  assert.ok(existsSync(`${cacheFile}.lock`), 'the killed run left its lock behind');

  const second = embed(cacheDir);
  assert.equal(await second.exited, 0, second.output().stderr);
  const result = JSON.parse(second.output().stdout) as { cached: number; manifest: { count: number } };
  assert.ok(result.cached >= before.size, 'the lock of a dead process is taken over, and the recorded vectors are reused');

  // each text recorded before the kill, by the mock's name for it: none was sent again
  const data = await loadDataset(dataset);
  const texts = await entityTexts(data, leaveOneOut(data.sequences), cachePaths(dataset, cacheDir).dataset, 'item', 'none');
  const hashOf = new Map(texts.texts.map((text) => [vectorKey({ provider: 'openai-compatible', model: 'mock-embed' }, text), textHash(text)]));
  const resent = new Set(mock.log.slice(logAtKill).flatMap((entry) => entry.inputs));
  assert.deepEqual(
    [...before].filter((key) => resent.has(hashOf.get(key)!)),
    [],
    'a text recorded before the kill was sent again',
  );
  assert.deepEqual(mock.sentAfterSuccess(logAtKill), []);

  const sent = mock.log.length;
  const third = embed(cacheDir);
  assert.equal(await third.exited, 0, third.output().stderr);
  assert.equal(mock.log.length, sent, 'a fully cached run sends nothing');
});
