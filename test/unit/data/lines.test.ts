import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataError, excerpt } from '../../../src/core/data/errors';
import { readLineBatches, type ReadLinesOptions } from '../../../src/core/data/lines';
import { snapshot, tempFolder } from '../helpers';

/** Every line the reader yields, with its 1-based number, or the error it stopped with. */
async function readAll(path: string, options: ReadLinesOptions): Promise<{ lines: Array<[number, string]>; error?: unknown }> {
  const lines: Array<[number, string]> = [];
  try {
    for await (const batch of readLineBatches(path, options)) batch.lines.forEach((line, i) => lines.push([batch.first + i, line]));
  } catch (error) {
    return { lines, error };
  }
  return { lines };
}

test('lines split across many small chunks come out whole and numbered', async () => {
  const text = 'first line\r\nsecond, a little longer\n\nfourth ünïcödé\nlast without a line break';
  const dir = tempFolder({ 'x.txt': `\ufeff${text}` });
  const { lines, error } = await readAll(join(dir, 'x.txt'), { chunkBytes: 3, lineLimitBytes: 64 });
  assert.equal(error, undefined);
  assert.deepEqual(
    lines,
    text.split(/\r?\n/).map((line, i) => [i + 1, line]),
  );
});

test('a line at the limit is an error naming the file and line; the lines before it are read first', async () => {
  const dir = tempFolder({ 'x.txt': `short\nok\n${'y'.repeat(10)}\nend\n` });
  const path = join(dir, 'x.txt');
  const before = snapshot(dir);
  for (const chunkBytes of [4, 64]) {
    const { lines, error } = await readAll(path, { chunkBytes, lineLimitBytes: 10 });
    assert.deepEqual(
      lines,
      [
        [1, 'short'],
        [2, 'ok'],
      ],
      `chunks of ${chunkBytes}`,
    );
    assert.ok(error instanceof DataError, String(error));
    assert.equal(error.line, 3);
    assert.ok(error.message.startsWith(`${path}:3: expected a line shorter than 10 bytes, found `), error.message);
  }
  const { error } = await readAll(path, { chunkBytes: 4, lineLimitBytes: 11 });
  assert.equal(error, undefined, 'a line one byte under the limit is fine');
  assert.equal(snapshot(dir), before);
});

test('a file with no line break stops at the limit, not at the end of the file', async () => {
  const dir = tempFolder({ 'x.txt': 'z'.repeat(1000) });
  const path = join(dir, 'x.txt');
  let bytesSeen = 0;
  const { lines, error } = await readAll(path, { chunkBytes: 16, lineLimitBytes: 100, isCancelled: () => ((bytesSeen += 16), false) });
  assert.deepEqual(lines, []);
  assert.ok(error instanceof DataError);
  assert.match(error.message, /x\.txt:1: expected a line shorter than 100 bytes, found 112 bytes without a line break$/);
  assert.ok(bytesSeen < 200, `read ${bytesSeen} of 1000 bytes`);
});

test('excerpt shortens without quoting the whole text and never cuts an escape in half', () => {
  for (const text of ['\u0001'.repeat(100), `a${'\u001b[2J'.repeat(30)}`, '😀'.repeat(50), 'x'.repeat(100)]) {
    const shown = excerpt(text);
    assert.ok(shown.length <= 60, shown);
    assert.ok(shown.endsWith('…"'), shown);
    const kept = JSON.parse(`${shown.slice(0, -2)}"`) as string;
    assert.ok(text.startsWith(kept) && kept.length > 0, shown);
  }
  assert.equal(excerpt('short "one"'), '"short \\"one\\""');
});
