import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataError, loadDataset, type LoadOptions } from '../../../src/core/data';
import { snapshot, tempFolder } from '../helpers';

/** Loads a file that must fail; checks the error names the file and line, and nothing was written. */
async function expectDataError(name: string, content: string | Buffer, line: number | undefined, expected: RegExp, options: LoadOptions = {}) {
  const dir = tempFolder({ [name]: content });
  const before = snapshot(dir);
  const path = join(dir, name);
  await assert.rejects(loadDataset(path, options), (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    assert.equal(error.file, path);
    assert.equal(error.line, line);
    assert.match(error.message, expected);
    assert.ok(error.message.startsWith(line === undefined ? `${path}: ` : `${path}:${line}: `), error.message);
    return true;
  });
  assert.equal(snapshot(dir), before, 'a failed load must not write anything');
}

test('missing file', async () => {
  const dir = tempFolder();
  await assert.rejects(loadDataset(join(dir, 'nope.txt')), /nope\.txt: expected an existing dataset file or folder, found no such file/);
});

test('empty file', () => expectDataError('empty.txt', '', undefined, /at least one interaction.*empty/));
test('only blank lines', () => expectDataError('blank.txt', '\n\n  \n', undefined, /empty/));
test('empty csv', () => expectDataError('empty.csv', '', undefined, /a header and interaction rows/));

test('non-UTF-8 bytes name their line', () =>
  expectDataError('latin1.txt', Buffer.concat([Buffer.from('1 2 3\n4 5 6\n7 '), Buffer.from([0xe9, 0x0a])]), 3, /UTF-8/));

test('non-numeric id in s3rec format', () => expectDataError('seq.txt', '1 2 3\n2 4 x5\n', 2, /non-negative integer ids.*"x5"/, { format: 's3rec' }));
test('s3rec line with a user and no items', () => expectDataError('seq.txt', '1 2 3\n9\n', 2, /a user id followed by at least one item/, { format: 's3rec' }));
test('pairs with a wrong column count', () => expectDataError('pairs.txt', 'a b\nc d e\n', 2, /2 columns \(user item\), found 3/, { format: 'pairs' }));

test('csv row with a wrong column count', () => expectDataError('x.csv', 'user,item,timestamp\n1,2,3\n1,2\n', 3, /3 columns like the header, found 2/));
test('csv with an unterminated quote', () => expectDataError('x.csv', 'user,item\n1,"2\n', 2, /closing quote/));
test('csv with a non-numeric timestamp', () => expectDataError('x.csv', 'user,item,timestamp\n1,2,3\n1,2,soon\n', 3, /numeric timestamp.*"soon"/));
test('csv with a non-numeric rating', () => expectDataError('x.csv', 'user,item,rating\n1,2,five\n', 2, /numeric rating.*"five"/));
test('csv without a user column', () => expectDataError('x.csv', 'who,item\n1,2\n', 1, /a user column/));
// The message names the option that maps a column (it said "or set it", and "a item column").
test('csv without an item column', () => expectDataError('x.csv', 'user,what\n1,2\n', 1, /an item column \(one of .*, or name yours with --item-col\)/));
test('csv with a mapped column that does not exist', () =>
  expectDataError('x.csv', 'user,item\n1,2\n', 1, /timestamp column "when"/, { columns: { timestamp: 'when' } }));
test('csv with an empty id', () => expectDataError('x.csv', 'user,item\n1,\n', 2, /non-empty user and item ids/));

test('recbole with a header that is not name:type', () => expectDataError('x.inter', 'user_id\titem_id\n1\t2\n', 1, /RecBole header/));
test('recbole row with a wrong column count', () =>
  expectDataError('x.inter', 'user_id:token\titem_id:token\n1\t2\n1\n', 3, /2 columns like the header, found 1/));

test('jsonl line that is not JSON', () => expectDataError('x.jsonl', '{"user":1,"item":2}\n{"user":1,\n', 2, /one JSON object per line/));
test('jsonl line that is an array', () => expectDataError('x.jsonl', '{"user":1,"item":2}\n[1,2]\n', 2, /a JSON object/));

test('json-seq that is not valid JSON names the line', () => expectDataError('x.inter.json', '{\n"1": [1, 2],\n"2": [3,, 4]\n}', 3, /valid JSON/));
test('json-seq with a user mapped to a non-array', () =>
  expectDataError('x.inter.json', '{\n"1": [1, 2],\n"2": "oops"\n}', 3, /an array of item ids for user "2"/));

test('k-core that removes everything is an error, not an empty dataset', () =>
  expectDataError('seq.txt', '1 2 3\n2 4 5\n', undefined, /interactions left after filtering/, { userCore: 5 }));

test('bad metadata rows name the metadata file and line', async () => {
  const dir = tempFolder({ 'd.inter': 'user_id:token\titem_id:token\n1\t2\n', 'd.item': 'item_id:token\ttitle:token_seq\n2\tok\n3\n' });
  await assert.rejects(loadDataset(dir), (error: unknown) => error instanceof DataError && error.file === join(dir, 'd.item') && error.line === 3);
});

test('a huge bad token is shortened in the message', async () => {
  const dir = tempFolder({ 's.txt': `1 2 ${'y'.repeat(10000)}\n` });
  await assert.rejects(loadDataset(join(dir, 's.txt'), { format: 's3rec' }), (error: unknown) => (error as Error).message.length < 300);
});
