// The jobs behind the part-2 views, through the worker as the extension runs them: entityList and
// inspect (neighbours with texts, overlap and flags), and compareRuns over two finished run folders.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { demoJob } from '../../../src/core/jobs/demo';
import { leaveOneOut } from '../../../src/core/data/split';
import { loadDataset } from '../../../src/core/data/load';
import { WorkerClient } from '../../../src/worker/client';
import { tempFolder } from '../helpers';
import { recordingContext } from '../llm/fixtures';
import { WORKER, ensureBuilt } from './harness';

let dataset: string;

before(async () => {
  ensureBuilt();
  dataset = tempFolder();
  await demoJob({ outDir: dataset, users: 60, items: 40, seed: 4, retrieval: false }, recordingContext());
});

/** Synthesises (metadata provider), embeds and indexes one entity into a fresh cache folder, and returns the folder. */
async function indexed(client: WorkerClient, entity: 'item' | 'user'): Promise<string> {
  const cacheDir = tempFolder();
  await client.run('synthesize', { dataset, cacheDir, entity, provider: 'metadata' });
  await client.run('embed', { dataset, cacheDir, entity, width: 8, pcaDim: 4 });
  await client.run('index', { dataset, cacheDir, entity, k: 5 });
  return cacheDir;
}

test('inspect gives the index’s neighbours with their texts and the true co-interaction overlap', async () => {
  const client = await WorkerClient.start({ workerPath: WORKER, client: 'test' });
  try {
    const cacheDir = await indexed(client, 'item');
    const list = await client.run('entityList', { dataset, entity: 'item' });
    assert.equal(list.ids.length, 40);
    assert.equal(list.labels.length, 40);
    const id = list.ids[3];
    const expected = await client.run('neighbours', { dataset, cacheDir, entity: 'item', id, k: 5 });
    const inspected = await client.run('inspect', { dataset, cacheDir, entity: 'item', id, k: 5 });
    assert.deepEqual(
      inspected.neighbours.map((n) => n.id),
      expected.neighbours.map((n) => n.id),
    );
    assert.deepEqual(
      inspected.neighbours.map((n) => n.similarity),
      expected.neighbours.map((n) => n.similarity),
    );
    assert.ok(inspected.query.text.length > 0 && inspected.neighbours.every((n) => n.text.length > 0));
    assert.equal(inspected.flags.available, true);
    assert.equal(inspected.attention.available, false, 'no GRASP run: no weights, and a reason');
    // Overlap recomputed here from the training prefixes.
    const data = await loadDataset(dataset);
    const { train } = leaveOneOut(data.sequences);
    const usersOf = (raw: string) => new Set(train.flatMap((prefix, user) => (prefix.includes(data.itemIds.indexOf(raw)) ? [user] : [])));
    const mine = usersOf(id);
    for (const n of inspected.neighbours) {
      const theirs = usersOf(n.id);
      assert.equal(n.overlap.shared, [...mine].filter((u) => theirs.has(u)).length, `shared users with ${n.id}`);
      assert.equal(n.interactions, theirs.size);
    }
    await assert.rejects(client.run('inspect', { dataset, cacheDir, entity: 'item', id: 'no-such-item' }), /no item with id/);
  } finally {
    await client.stop();
  }
});

test('inspect on users: shared training items as the overlap, profiles as texts', async () => {
  const client = await WorkerClient.start({ workerPath: WORKER, client: 'test' });
  try {
    const cacheDir = await indexed(client, 'user');
    const list = await client.run('entityList', { dataset, entity: 'user' });
    assert.equal(list.ids.length, 60);
    const id = list.ids[7];
    const inspected = await client.run('inspect', { dataset, cacheDir, entity: 'user', id, k: 4 });
    assert.equal(inspected.neighbours.length, 4);
    const data = await loadDataset(dataset);
    const { train } = leaveOneOut(data.sequences);
    const itemsOf = (raw: string) => new Set(train[data.userIds.indexOf(raw)]);
    const mine = itemsOf(id);
    assert.equal(inspected.query.interactions, mine.size);
    for (const n of inspected.neighbours) {
      const theirs = itemsOf(n.id);
      const shared = [...mine].filter((item) => theirs.has(item)).length;
      assert.equal(n.overlap.shared, shared);
      assert.ok(Math.abs(n.overlap.jaccard - shared / (mine.size + theirs.size - shared)) < 1e-12);
    }
  } finally {
    await client.stop();
  }
});
