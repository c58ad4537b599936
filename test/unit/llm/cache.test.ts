import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SynthesisCache, type SynthesisRecord } from '../../../src/core/llm/cache';
import { acquireLock } from '../../../src/core/util/lock';
import { JsonlAppender } from '../../../src/core/util/jsonl';
import { tempFolder } from '../helpers';

function record(key: string, status: 'ok' | 'failed'): SynthesisRecord {
  return {
    v: 1,
    key,
    entity: 'item',
    status,
    provider: 'p',
    model: 'm',
    template: 't',
    templateVersion: 1,
    templateHash: 'x',
    inputHash: 'h',
    ids: ['1'],
    worldKnowledge: true,
    mode: 'messages',
    attempts: 1,
    usage: { inputTokens: 1, outputTokens: 1 },
    ...(status === 'ok'
      ? { output: { summary: 's', claims: { category: '', brand: '', attributes: [], audience: '', price_tier: 'unknown' } } }
      : { reason: 'r' }),
    at: '',
  };
}

test('a torn last line (a run killed mid-append) is skipped, and the next append starts on a fresh line', async () => {
  const dir = tempFolder();
  const path = join(dir, 'items.jsonl');
  writeFileSync(path, `${JSON.stringify(record('a', 'ok'))}\n${JSON.stringify(record('b', 'ok')).slice(0, 30)}`);
  const cache = await SynthesisCache.openForWriting(path);
  assert.equal(cache.isDone('a'), true);
  assert.equal(cache.get('b'), undefined);
  assert.deepEqual(cache.badLines, [2]);
  cache.append(record('b', 'ok'));
  cache.close();
  const reread = await SynthesisCache.read(path);
  assert.equal(reread.isDone('b'), true);
  assert.deepEqual(reread.badLines, [2], 'only the torn line is bad; the new record is whole');
});

test('an ok record is final; a later failure does not hide it, a later success replaces a failure', async () => {
  const dir = tempFolder();
  const path = join(dir, 'users.jsonl');
  for (const line of [record('a', 'ok'), record('a', 'failed'), record('b', 'failed'), record('b', 'ok')]) appendFileSync(path, `${JSON.stringify(line)}\n`);
  const cache = await SynthesisCache.read(path);
  assert.equal(cache.isDone('a'), true);
  assert.equal(cache.isDone('b'), true);
});

test('the cache lock refuses a second live writer and takes over a dead one', () => {
  const dir = tempFolder();
  const lock = join(dir, 'x.lock');
  writeFileSync(lock, String(process.ppid)); // a live process that is not us
  assert.throws(() => acquireLock(lock, 'the cache'), /in use by process/);
  writeFileSync(lock, '999999999'); // no such process
  const release = acquireLock(lock, 'the cache');
  assert.equal(readFileSync(lock, 'utf8'), String(process.pid));
  release();
});

test('an append-only cache that is a symbolic link is refused, and the link target is left untouched', async () => {
  const dir = tempFolder();
  const outside = join(tempFolder(), 'elsewhere.jsonl');
  writeFileSync(outside, 'precious\n');
  const path = join(dir, 'items.jsonl');
  symlinkSync(outside, path);
  await assert.rejects(SynthesisCache.openForWriting(path), /items\.jsonl is a symbolic link: refusing to append/);
  assert.throws(() => new JsonlAppender(path), /symbolic link/);
  assert.equal(readFileSync(outside, 'utf8'), 'precious\n');
});
