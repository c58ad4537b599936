// A cache belongs to exactly one dataset (the canonical path of its interactions file): folders whose
// readable names agree never share one, a folder and the file it loads do, a cache of another dataset is
// refused, an embedding of other entities is refused, and a cache from before identities is adopted.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { CACHE_IDENTITY_FILE, cachePaths } from '../../../src/core/data/cachePaths';
import { silentContext } from '../../../src/core/util/jobContext';
import { embedJob } from '../../../src/core/jobs/embed';
import { indexJob } from '../../../src/core/jobs/indexJob';
import { neighboursJob } from '../../../src/core/jobs/neighbours';
import { ConfigError } from '../../../src/core/util/errors';
import { tempFolder } from '../helpers';

/** Three pairs of look-alike titles: each item's nearest neighbour is its pair. */
const PAIRS_12 = ['apple banana', 'apple banana cherry', 'dog elephant', 'dog elephant fox', 'green house', 'green house ink'];
/** The same ids and interactions, other titles: i1's pair is i4 here. */
const PAIRS_14 = ['apple banana', 'dog elephant', 'green house', 'apple banana cherry', 'dog elephant fox', 'green house ink'];

/** A workspace (it holds `.git`) so every dataset below shares `<workspace>/.grasp`. */
function workspace(): string {
  const dir = tempFolder();
  mkdirSync(join(dir, '.git'));
  return dir;
}

/** A RecBole dataset folder: 8 users over items i1..i6 (every item in some training prefix), titles given. */
function dataset(folder: string, titles: string[], ids = titles.map((_, i) => `i${i + 1}`)): string {
  mkdirSync(folder, { recursive: true });
  const rows = ['user_id:token\titem_id:token\ttimestamp:float'];
  for (let u = 0; u < 8; u++) for (let step = 0; step < 6; step++) rows.push(`u${u}\t${ids[(u + step) % 6]}\t${step}`);
  writeFileSync(join(folder, 'data.inter'), `${rows.join('\n')}\n`);
  writeFileSync(join(folder, 'data.item'), `item_id:token\ttitle:token_seq\n${titles.map((title, i) => `${ids[i]}\t${title}`).join('\n')}\n`);
  return folder;
}

async function embedAndIndex(path: string): Promise<void> {
  await embedJob({ dataset: path, entity: 'item', texts: 'none', width: 4, pcaDim: 2 }, silentContext);
  await indexJob({ dataset: path, entity: 'item', k: 3 }, silentContext);
}

async function nearest(path: string, id: string): Promise<string> {
  return (await neighboursJob({ dataset: path, entity: 'item', id, k: 1 }, silentContext)).neighbours[0].id;
}

/** Every file under a folder with its size and mtime: to assert that nothing was written. */
function tree(dir: string): string {
  const lines: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const info = statSync(path);
      lines.push(`${relative(dir, path)}:${info.isDirectory() ? 'dir' : info.size}:${info.mtimeMs}`);
      if (info.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return lines.join('\n');
}

test('folders a-b and a/b get different caches: each one’s neighbours stay its own', async () => {
  const ws = workspace();
  const flat = dataset(join(ws, 'a-b'), PAIRS_12);
  const nested = dataset(join(ws, 'a', 'b'), PAIRS_14);
  assert.notEqual(cachePaths(flat).dataset, cachePaths(nested).dataset);
  await embedAndIndex(flat);
  assert.equal(await nearest(flat, 'i1'), 'i2');
  // Embedding and indexing a/b must not overwrite what a-b reads.
  await embedAndIndex(nested);
  assert.equal(await nearest(nested, 'i1'), 'i4');
  assert.equal(await nearest(flat, 'i1'), 'i2', "a-b's neighbours, not a/b's under a-b's titles");
  const identity = JSON.parse(readFileSync(join(cachePaths(flat).dataset, CACHE_IDENTITY_FILE), 'utf8'));
  assert.equal(identity.interactions, realpathSync(join(flat, 'data.inter')));
});

test('a folder and the interactions file it loads are one dataset with one cache; another file in it is not', () => {
  const ws = workspace();
  const data = dataset(join(ws, 'data'), PAIRS_12);
  writeFileSync(join(data, 'other.csv'), 'user,item\nu1,i1\n');
  assert.equal(cachePaths(data).dataset, cachePaths(join(data, 'data.inter')).dataset);
  assert.equal(cachePaths(join(data, '.', 'data.inter'), join(ws, 'c')).dataset, cachePaths(data, join(ws, 'c')).dataset);
  assert.notEqual(cachePaths(join(data, 'other.csv')).dataset, cachePaths(data).dataset);
  // Resolving never creates anything: the folder appears when a cache is written.
  assert.ok(!existsSync(join(ws, '.grasp')));
});

test('a cache folder whose identity names another dataset is refused, naming both, and nothing is written', async () => {
  const ws = workspace();
  const first = dataset(join(ws, 'first'), PAIRS_12);
  const second = dataset(join(ws, 'second'), PAIRS_14);
  await embedAndIndex(first);
  cachePaths(first); // claims the folder the embedding created
  // The first dataset's claimed cache, moved to where the second one's would be (a copied or renamed cache).
  renameSync(cachePaths(first).dataset, cachePaths(second).dataset);
  const before = tree(join(ws, '.grasp'));
  const refused = (error: unknown): boolean =>
    error instanceof ConfigError &&
    error.message.includes(realpathSync(join(first, 'data.inter'))) &&
    error.message.includes(realpathSync(join(second, 'data.inter'))) &&
    /belongs to the dataset/.test(error.message);
  assert.throws(() => cachePaths(second), refused);
  await assert.rejects(embedJob({ dataset: second, entity: 'item', texts: 'none', width: 4, pcaDim: 2 }, silentContext), refused);
  await assert.rejects(neighboursJob({ dataset: second, entity: 'item', id: 'i1', k: 1 }, silentContext), refused);
  assert.equal(tree(join(ws, '.grasp')), before);
});

test('an embedding whose ids are not the dataset’s is refused with a rebuild hint', async () => {
  const ws = workspace();
  const data = dataset(join(ws, 'data'), PAIRS_12);
  await embedAndIndex(data);
  assert.equal(await nearest(data, 'i1'), 'i2');
  // The dataset changes under its cache: i5 becomes i9 (same count, i1 on the same row).
  dataset(data, PAIRS_12, ['i1', 'i2', 'i3', 'i4', 'i9', 'i6']);
  await assert.rejects(neighboursJob({ dataset: data, entity: 'item', id: 'i1', k: 1 }, silentContext), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /items\.lsa\.json was built for other items than this dataset's \(item 5 is "i5" there, "i9" in /);
    assert.match(error.message, /has changed since this cache was created/);
    assert.match(error.message, /rebuild it with `grasp embed` and `grasp index`/);
    return true;
  });
  await embedAndIndex(data);
  assert.equal(await nearest(data, 'i1'), 'i2', 'rebuilt, it is used again');
});

test('a cache folder from before identities (old name, no identity file) is adopted; an owned one is not', () => {
  const ws = workspace();
  const data = dataset(join(ws, 'data'), PAIRS_12);
  const legacy = join(ws, '.grasp', 'datasets', 'data');
  mkdirSync(join(legacy, 'synthesis'), { recursive: true });
  writeFileSync(join(legacy, 'synthesis', 'items.jsonl'), 'paid-for\n');
  const paths = cachePaths(data);
  assert.notEqual(paths.dataset, legacy);
  assert.ok(!existsSync(legacy), 'renamed, not copied');
  assert.equal(readFileSync(join(paths.dataset, 'synthesis', 'items.jsonl'), 'utf8'), 'paid-for\n');
  assert.equal(JSON.parse(readFileSync(join(paths.dataset, CACHE_IDENTITY_FILE), 'utf8')).interactions, realpathSync(join(data, 'data.inter')));
  assert.equal(cachePaths(join(data, 'data.inter')).dataset, paths.dataset);

  // A legacy-named folder that already has an owner, and one beside an existing new folder, stay where they are.
  const owned = dataset(join(ws, 'owned'), PAIRS_12);
  mkdirSync(join(ws, '.grasp', 'datasets', 'owned'));
  writeFileSync(join(ws, '.grasp', 'datasets', 'owned', CACHE_IDENTITY_FILE), '{}');
  assert.ok(!existsSync(cachePaths(owned).dataset));
  mkdirSync(join(ws, '.grasp', 'datasets', 'data'));
  assert.equal(cachePaths(data).dataset, paths.dataset);
  assert.ok(existsSync(join(ws, '.grasp', 'datasets', 'data')));
});
