import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeStats, leaveOneOut, loadDataset } from '../../../src/core/data';

// Research data is read in place from ../shared/data (DESIGN §5), never copied into the repo.
const SHARED = join(__dirname, '..', '..', '..', '..', 'shared', 'data');
const missing = existsSync(SHARED) ? false : `../shared/data is absent (looked in ${SHARED}); the real-data checks need it`;

const cases = [
  { path: 'beauty/Beauty.txt', format: 's3rec', users: 22363, items: 12101, interactions: 198502 },
  { path: 'beauty', format: 's3rec', users: 22363, items: 12101, interactions: 198502 },
  { path: 'ml-100k', format: 'recbole', users: 943, items: 1682, interactions: 100000 },
  { path: 'scientific', format: 'json-seq', users: 8317, items: 4344, interactions: 58492 },
];

for (const expected of cases) {
  test(
    `real data: ${expected.path} has ${expected.users} users, ${expected.items} items, ${expected.interactions} interactions`,
    { skip: missing },
    async () => {
      const stats = computeStats(await loadDataset(join(SHARED, expected.path)));
      assert.equal(stats.format, expected.format);
      assert.equal(stats.users, expected.users);
      assert.equal(stats.items, expected.items);
      assert.equal(stats.interactions, expected.interactions);
    },
  );
}

test('real data: Beauty titles and ml-100k genres are found beside the interactions', { skip: missing }, async () => {
  const beauty = computeStats(await loadDataset(join(SHARED, 'beauty')));
  assert.ok(
    beauty.metadataCoverage.some((field) => field.field === 'title' && field.covered === 12094),
    JSON.stringify(beauty.metadataCoverage),
  );
  const movies = computeStats(await loadDataset(join(SHARED, 'ml-100k')));
  assert.ok(movies.metadataCoverage.some((field) => field.field === 'class' && field.share === 1));
});

test('real data: ml-100k sequences are in timestamp order', { skip: missing }, async () => {
  const dataset = await loadDataset(join(SHARED, 'ml-100k'));
  for (const times of dataset.timestamps!) for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] <= times[i]);
  const split = leaveOneOut(dataset.sequences);
  assert.equal(Array.from(split.test).filter((item) => item >= 0).length, 943);
});
