import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectFormat, loadDataset } from '../../../src/core/data';
import { FIXTURES, tempFolder } from '../helpers';

const sequencesOf = (ds: Awaited<ReturnType<typeof loadDataset>>) =>
  ds.sequences.map((sequence, user) => `${ds.userIds[user]}:${Array.from(sequence, (item) => ds.itemIds[item]).join(',')}`);

test('s3rec: one user per line, items in file order, dense ids by first appearance', async () => {
  const dir = tempFolder({ 'data.txt': '7 3 1 2\n8 1 5\n\n' });
  const ds = await loadDataset(join(dir, 'data.txt'));
  assert.equal(ds.format, 's3rec');
  assert.deepEqual(ds.userIds, ['7', '8']);
  assert.deepEqual(ds.itemIds, ['3', '1', '2', '5']);
  assert.deepEqual(sequencesOf(ds), ['7:3,1,2', '8:1,5']);
  assert.equal(ds.timestamps, undefined);
});

test('pairs: user item per line, file order is time order', async () => {
  const dir = tempFolder({ 'pairs.txt': 'a x\nb y\na z\nb x\n' });
  const ds = await loadDataset(join(dir, 'pairs.txt'));
  assert.equal(ds.format, 'pairs');
  assert.deepEqual(sequencesOf(ds), ['a:x,z', 'b:y,x']);
});

test('recbole: header by name, sorted by timestamp per user, metadata from the folder', async () => {
  const ds = await loadDataset(join(FIXTURES, 'tiny'), { metadataPaths: [join(FIXTURES, 'tiny', 'tiny.item')] });
  assert.equal(ds.format, 'recbole');
  assert.deepEqual(sequencesOf(ds), ['1:11,12,10', '2:10,13']);
  assert.deepEqual(Array.from(ds.timestamps![0]), [100, 200, 300]);
  assert.deepEqual(ds.metadata!.fields, ['title', 'genre']);
  assert.equal(ds.metadata!.rows[ds.itemIds.indexOf('11')]!.title, 'Beta');
  assert.equal(ds.metadata!.rows[ds.itemIds.indexOf('13')], undefined);
  assert.equal(ds.metadata!.unmatchedItems, 1);
});

test('a folder picks the .inter file and collects the .item file', async () => {
  const ds = await loadDataset(join(FIXTURES, 'tiny'));
  assert.equal(ds.source, join(FIXTURES, 'tiny', 'tiny.inter'));
  assert.deepEqual(ds.metadata!.sources, [join(FIXTURES, 'tiny', 'tiny.item')]);
  assert.equal(ds.name, 'tiny');
});

test('a single .inter file brings the .item file of the same name beside it', async () => {
  const ds = await loadDataset(join(FIXTURES, 'tiny', 'tiny.inter'));
  assert.deepEqual(ds.metadata?.sources, [join(FIXTURES, 'tiny', 'tiny.item')]);
});

test('csv with a column mapping, quoted fields, ISO dates and ties kept in file order', async () => {
  const csv = 'when,who,what,stars\n2024-01-02,"Smith, J",b,4\n2024-01-01,"Smith, J",a,5\n2024-01-02,"Smith, J",c,3\n';
  const dir = tempFolder({ 'log.csv': csv });
  const ds = await loadDataset(join(dir, 'log.csv'), { columns: { user: 'who', item: 'what', timestamp: 'when', rating: 'stars' } });
  assert.equal(ds.format, 'csv');
  assert.deepEqual(sequencesOf(ds), ['Smith, J:a,b,c']);
});

test('tsv without a header uses columns 0 and 1', async () => {
  const dir = tempFolder({ 'u.data': '1\t5\t3\t10\n1\t6\t3\t5\n' });
  const ds = await loadDataset(join(dir, 'u.data'), { format: 'tsv', hasHeader: false, columns: { timestamp: '3' } });
  assert.deepEqual(sequencesOf(ds), ['1:6,5']);
});

test('jsonl with known key names', async () => {
  const dir = tempFolder({ 'events.jsonl': '{"user_id": 1, "item_id": "p", "timestamp": 2}\n{"user_id": 1, "item_id": "q", "timestamp": 1}\n' });
  const ds = await loadDataset(join(dir, 'events.jsonl'));
  assert.equal(ds.format, 'jsonl');
  assert.deepEqual(sequencesOf(ds), ['1:q,p']);
});

test('json-seq object of user → items, with JSON metadata keyed by item', async () => {
  const dir = tempFolder({
    'Toy.inter.json': '{"0": [0, 1, 2], "1": [2, 3]}',
    'Toy.item.json': '{"0": {"title": "Zero", "tags": ["a", "b"]}, "3": {"title": "Three", "brand": ""}}',
  });
  const ds = await loadDataset(dir);
  assert.equal(ds.format, 'json-seq');
  assert.deepEqual(sequencesOf(ds), ['0:0,1,2', '1:2,3']);
  assert.deepEqual(ds.metadata!.fields, ['title', 'tags', 'brand']);
  assert.equal(ds.metadata!.rows[0]!.tags, 'a b');
});

test('format detection from names and first lines', async () => {
  const dir = tempFolder({
    'a.txt': '1 2 3\n',
    'b.txt': '1 2\n1 3\n',
    'c.txt': 'user_id:token\titem_id:token\n1\t2\n',
    'd.dat': 'user\titem\n1\t2\n',
    'e.log': '{"user":1,"item":2}\n',
  });
  assert.equal(await detectFormat(join(dir, 'a.txt')), 's3rec');
  assert.equal(await detectFormat(join(dir, 'b.txt')), 'pairs');
  assert.equal(await detectFormat(join(dir, 'c.txt')), 'recbole');
  assert.equal(await detectFormat(join(dir, 'd.dat')), 'tsv');
  assert.equal(await detectFormat(join(dir, 'e.log')), 'jsonl');
});

test('the format can be overridden', async () => {
  const dir = tempFolder({ 'x.txt': '1 2\n1 3\n' });
  const ds = await loadDataset(join(dir, 'x.txt'), { format: 's3rec' });
  assert.equal(ds.format, 's3rec');
  assert.deepEqual(sequencesOf(ds), ['1:2,3']);
});

test('streaming across chunk boundaries gives the same result as one chunk', async () => {
  const lines = Array.from({ length: 500 }, (_, user) => `${user} ${user % 7} ${(user * 3) % 11} ${(user * 5) % 13}`);
  const dir = tempFolder({ 'big.txt': `${lines.join('\n')}\n` });
  const { readLineBatches } = await import('../../../src/core/data/lines');
  const small: string[] = [];
  for await (const batch of readLineBatches(join(dir, 'big.txt'), { chunkBytes: 17 }))
    small.push(...batch.lines.map((text, i) => `${batch.first + i}:${text}`));
  assert.deepEqual(
    small.filter((line) => !line.endsWith(':')),
    lines.map((line, i) => `${i + 1}:${line}`),
  );
});
