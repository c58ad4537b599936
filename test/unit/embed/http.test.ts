// The openai-compatible embedder against a local mock /v1/embeddings: retries (429 with retry-after,
// 500), the cache (a second run sends nothing), and the key kept out of files and errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { httpEmbed } from '../../../src/core/embed/httpEmbedder';
import { silentContext } from '../../../src/core/util/jobContext';
import { tempFolder } from '../helpers';

const KEY = 'sk-test-embedding-FAKE-000111';
let server: Server;
let url = '';
let requests = 0;
let fail: number[] = [];

before(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests++;
      const status = fail.shift();
      if (request.headers.authorization !== `Bearer ${KEY}`) return void response.writeHead(401).end('{"error":"bad key"}');
      if (status) return void response.writeHead(status, { 'retry-after-ms': '5' }).end('{"error":"busy"}');
      const input = (JSON.parse(body) as { input: string[] }).input;
      const data = input.map((text, index) => ({ index, embedding: [text.length, 1, text.charCodeAt(0) / 100] })).reverse();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data, usage: { total_tokens: input.length * 3 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('embeds in batches through retries, in input order, then serves a second run from the cache', async () => {
  const cache = join(tempFolder(), 'cache.jsonl');
  const texts = ['alpha', 'be', 'gamma ray', 'alpha', 'delta'];
  fail = [429, 500];
  const options = { provider: 'openai-compatible' as const, model: 'mock-embed', baseURL: url, apiKey: KEY, batchSize: 2, concurrency: 1, backoffBaseMs: 5 };
  const first = await httpEmbed(texts, options, cache, silentContext);
  assert.equal(first.dim, 3);
  assert.deepEqual(Array.from(first.vectors.subarray(0, 3)), [5, 1, Math.fround(0.97)]);
  assert.deepEqual(Array.from(first.vectors.subarray(9, 12)), Array.from(first.vectors.subarray(0, 3)), 'a repeated text reuses its vector');
  assert.equal(first.calls, 4, '2 batches of unique texts + 2 retries');
  const sent = requests;
  const second = await httpEmbed(texts, options, cache, silentContext);
  assert.equal(requests, sent);
  assert.equal(second.cached, texts.length);
  assert.deepEqual(second.vectors, first.vectors);
  assert.ok(!readFileSync(cache, 'utf8').includes(KEY));
});

test('voyage requests go to the same endpoint shape with input_type document', async () => {
  const result = await httpEmbed(
    ['one', 'two'],
    { provider: 'voyage', model: 'voyage-mock', baseURL: url, apiKey: KEY },
    join(tempFolder(), 'v.jsonl'),
    silentContext,
  );
  assert.equal(result.dim, 3);
  assert.equal(result.calls, 1);
});

test('a rejected key fails at once, without the key in the message', async () => {
  await assert.rejects(
    httpEmbed(
      ['x'],
      { provider: 'openai-compatible', model: 'm', baseURL: `${url}/v1`, apiKey: 'sk-test-WRONG-key-123456' },
      join(tempFolder(), 'c.jsonl'),
      silentContext,
    ),
    (error: Error) => {
      assert.match(error.message, /embeddings stopped: HTTP 401/);
      assert.ok(!error.message.includes('WRONG-key'));
      return true;
    },
  );
});
