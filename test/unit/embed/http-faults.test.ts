// The HTTP embedder against the mock OpenAI-compatible server (test/mock/openaiServer.ts) under faults:
// 429 with retry-after, 500, timeouts, malformed and cut-off bodies, vectors of the wrong width. The
// figures the synthesis path meets: every text ends embedded or failed (none lost), nothing is sent
// again after it succeeded, a cached rerun sends nothing; plus the concurrency limit, the width checks,
// a text the server refuses failing alone, cancelling, and the key kept out of files and messages.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { httpEmbed, type HttpEmbedderOptions } from '../../../src/core/embed/httpEmbedder';
import { silentContext } from '../../../src/core/util/jobContext';
import { MockOpenAI, mockVector, textHash } from '../../mock/openaiServer';
import { tempFolder } from '../helpers';
import { recordingContext } from '../llm/fixtures';

// Built at run time, so no committed line looks like a real key; the mock checks it.
const KEY = ['sk', 'test', 'embed-FAKE-0123456789'].join('-');
let mock: MockOpenAI;

before(async () => {
  // A timeout fault holds its request until the client gives up; the client's timeout is far above any
  // answer time of a loaded machine, so only injected hangs time out.
  mock = await MockOpenAI.start({ apiKey: KEY, retryAfterMs: 5, hangMs: 60_000, dim: 12, seed: 3 });
});
after(() => mock.close());

const texts = (n: number, tag = 't') => Array.from({ length: n }, (_, i) => `${tag} text number ${i}: ${'word '.repeat(i % 7)}`);

function options(extra: Partial<HttpEmbedderOptions> = {}): HttpEmbedderOptions {
  return {
    provider: 'openai-compatible',
    model: 'mock-embed',
    baseURL: mock.url,
    apiKey: KEY,
    batchSize: 8,
    concurrency: 6,
    maxAttempts: 6,
    timeoutMs: 3000,
    backoffBaseMs: 5,
    ...extra,
  };
}

function cachedKeys(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { key: string }).key);
}

test('with a third of the requests faulted, every text ends embedded or failed, none is sent again after success, and a cached rerun sends nothing', async () => {
  mock.configure({ faults: { rateLimit: 0.06, serverError: 0.06, timeout: 0.03, malformed: 0.06, cutOff: 0.06, wrongWidth: 0.06 } });
  const cache = join(tempFolder(), 'vectors.jsonl');
  const input = [...texts(400), ...texts(40)]; // 40 repeats: one request each, one vector each
  const since = mock.log.length;
  let first: Awaited<ReturnType<typeof httpEmbed>> | undefined;
  let failed = 0;
  try {
    first = await httpEmbed(input, options(), cache, silentContext);
  } catch (error) {
    // a batch can fail six times running: then the job names how many texts failed, and keeps the rest
    const match = /^(\d+) of 400 texts could not be embedded/.exec((error as Error).message);
    assert.ok(match, (error as Error).message);
    failed = Number(match[1]);
  }
  const outcomes = mock.stats().byOutcome;
  for (const fault of ['rate-limit', 'server-error', 'malformed', 'cut-off', 'wrong-width'])
    assert.ok((outcomes[fault] ?? 0) > 0, `the mock injected ${fault}: ${JSON.stringify(outcomes)}`);
  const keys = cachedKeys(cache);
  assert.equal(new Set(keys).size, keys.length, 'each text recorded once');
  assert.equal(keys.length + failed, 400, 'every distinct text is embedded or failed');
  assert.deepEqual(mock.sentAfterSuccess(since), [], 'no text was sent again after its request succeeded');
  assert.ok(mock.stats().maxInFlight <= 6, `at most 6 requests in flight (saw ${mock.stats().maxInFlight})`);
  if (first) {
    assert.equal(first.dim, 12);
    assert.equal(first.embedded, 400);
    assert.equal(first.cached, 0, 'nothing was in the cache before');
    // every row is its own text's vector: answers out of order and wrong-width replies never land in a row
    input.forEach((text, row) =>
      assert.deepEqual(Array.from(first!.vectors.subarray(row * 12, (row + 1) * 12)), mockVector(text, 12).map(Math.fround), `row ${row}`),
    );
  }

  mock.configure({ faults: {} });
  const sent = mock.log.length;
  const second = await httpEmbed(input, options(), cache, silentContext);
  assert.equal(second.embedded, failed, 'the rerun embeds only what had failed');
  assert.equal(mock.log.length - sent, Math.ceil(failed / 8), 'in as few requests as that takes');
  const third = await httpEmbed(input, options(), cache, silentContext);
  assert.equal(mock.log.length - sent, Math.ceil(failed / 8), 'a fully cached run sends nothing');
  assert.equal(third.calls, 0);
  assert.equal(third.cached, input.length);
  assert.deepEqual(third.vectors, second.vectors);
  assert.deepEqual(mock.sentAfterSuccess(since), []);
  assert.ok(!readFileSync(cache, 'utf8').includes(KEY));
});

test('a request left hanging times out and is sent again; its texts are embedded once', async () => {
  mock.configure({ faults: { timeout: 1 } });
  const cache = join(tempFolder(), 'vectors.jsonl');
  const since = mock.log.length;
  // the first request hangs; every later one is answered at once (switched on the event, not a timer)
  const ctx = recordingContext(() => {
    if (mock.log.length > since) mock.configure({ faults: {} });
    return false;
  });
  const result = await httpEmbed(texts(8), options({ batchSize: 8, concurrency: 1, timeoutMs: 1000 }), cache, ctx);
  assert.equal(result.embedded, 8);
  assert.deepEqual(
    mock.log.slice(since).map((entry) => entry.outcome),
    ['timeout', 'ok'],
  );
  assert.equal(result.calls, 2);
});

test('a text the server refuses fails alone: its batch is split until it stands alone, and the rest are cached', async () => {
  mock.configure({ faults: {}, rejectText: 'POISON' });
  const cache = join(tempFolder(), 'vectors.jsonl');
  const input = texts(20, 'p');
  input[11] = 'a POISON text the model cannot take';
  await assert.rejects(
    httpEmbed(input, options({ batchSize: 8 }), cache, silentContext),
    /: 1 of 20 texts could not be embedded by openai-compatible\/mock-embed \(HTTP 400: .*input too long.*\); the 19 embedded are cached/,
  );
  assert.equal(cachedKeys(cache).length, 19);
  mock.configure({ rejectText: undefined });
  const since = mock.log.length;
  const rerun = await httpEmbed(input, options(), cache, silentContext);
  assert.equal(rerun.embedded, 1);
  assert.deepEqual(
    mock.log.slice(since).map((entry) => entry.inputs),
    [[textHash(input[11])]],
    'only the refused text is sent again',
  );
});

test('dimensions are asked for and every vector is checked against them; a server that ignores them fails the texts, never storing a wrong width', async () => {
  mock.configure({ faults: {}, dimensionsParam: true });
  const cache = join(tempFolder(), 'vectors.jsonl');
  const shortened = await httpEmbed(texts(10), options({ dimensions: 6 }), cache, silentContext);
  assert.equal(shortened.dim, 6);
  mock.configure({ dimensionsParam: false });
  const other = join(tempFolder(), 'vectors.jsonl');
  await assert.rejects(
    httpEmbed(texts(10), options({ dimensions: 6, maxAttempts: 2 }), other, silentContext),
    /10 of 10 texts could not be embedded .*vectors of 12 dimensions where 6 were expected/,
  );
  assert.equal(readFileSync(other, 'utf8'), '', 'no vector of the wrong width was cached');
  // the width is part of the cache key: the 6-wide vectors are not served for the 12-wide model output
  mock.configure({ dimensionsParam: true });
  const full = await httpEmbed(texts(10), options(), cache, silentContext);
  assert.equal(full.dim, 12);
  assert.equal(full.embedded, 10);
});

test('a rejected key or an unknown model stops the job at once, with a message that names the cause and not the key', async () => {
  mock.configure({ faults: {} });
  const wrong = ['sk', 'test', 'WRONG-key-55555555'].join('-');
  const since = mock.log.length;
  await assert.rejects(httpEmbed(texts(40), options({ apiKey: wrong, concurrency: 1 }), join(tempFolder(), 'c.jsonl'), silentContext), (error: Error) => {
    assert.match(error.message, /embeddings stopped: HTTP 401/);
    assert.ok(!error.message.includes('WRONG-key'));
    return true;
  });
  assert.equal(mock.log.length - since, 1, 'no request after the 401');
  await assert.rejects(
    httpEmbed(texts(3), options({ apiKey: undefined }), join(tempFolder(), 'c.jsonl'), silentContext),
    /HTTP 401.*no OPENAI_API_KEY was set/,
  );
  mock.configure({ models: ['other-model'] });
  await assert.rejects(httpEmbed(texts(3), options(), join(tempFolder(), 'c.jsonl'), silentContext), /HTTP 404.*does it serve the model "mock-embed"/);
  mock.configure({ models: undefined });
  await assert.rejects(
    httpEmbed(texts(3), options({ baseURL: 'ftp://127.0.0.1' }), join(tempFolder(), 'c.jsonl'), silentContext),
    /must be an http:\/\/ or https:\/\/ URL/,
  );
});

test('cancelling stops taking requests, records nothing as failed, and the next run sends only what is missing', async () => {
  mock.configure({ faults: {}, latencyMs: 20 });
  const cache = join(tempFolder(), 'vectors.jsonl');
  const since = mock.log.length;
  // cancelled once the mock has answered three requests (an event, not a timer)
  const ctx = recordingContext(() => mock.log.slice(since).filter((entry) => entry.answeredAt !== undefined).length >= 3);
  await assert.rejects(httpEmbed(texts(200), options({ concurrency: 2, cancelGraceMs: 1000 }), cache, ctx), /cancelled/);
  const kept = cachedKeys(cache).length;
  assert.ok(kept >= 16 && kept < 200, `${kept} cached before the cancel`);
  const resumed = await httpEmbed(texts(200), options(), cache, silentContext);
  assert.equal(resumed.embedded, 200 - kept);
  assert.deepEqual(mock.sentAfterSuccess(since), []);
  mock.configure({ latencyMs: 0 });
});

test('one job at a time writes a cache: a second one in flight is refused, a cached one reads freely', async () => {
  mock.configure({ faults: {}, latencyMs: 30 });
  const cache = join(tempFolder(), 'vectors.jsonl');
  const running = httpEmbed(texts(40), options({ concurrency: 1 }), cache, silentContext);
  await assert.rejects(httpEmbed(texts(40), options(), cache, silentContext), /the embedding cache .* is in use/);
  await running;
  mock.configure({ latencyMs: 0 });
  const reader = await httpEmbed(texts(40), options(), cache, silentContext);
  assert.equal(reader.calls, 0);
});
