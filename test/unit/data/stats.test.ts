import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { computeStats, gini, histogram, loadDataset, median, percentile } from '../../../src/core/data';
import { tempFolder } from '../helpers';

test('median, nearest-rank percentile, Gini on hand-computed values', () => {
  assert.equal(median([1, 2, 3]), 2);
  assert.equal(median([1, 2, 3, 10]), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
  assert.equal(percentile([5, 6, 7], 0.9), 7);
  assert.equal(gini([5, 5, 5, 5]), 0);
  // [0, 0, 0, 4]: Σ(2i−n−1)x_i = (2·4−5)·4 = 12; n·Σx = 16 → 0.75
  assert.equal(gini([0, 0, 0, 4]), 0.75);
  // [1, 2, 3]: (−2·1 + 0·2 + 2·3) / (3·6) = 4/18
  assert.ok(Math.abs(gini([1, 2, 3]) - 4 / 18) < 1e-12);
});

test('histogram bins are equal-width and cover every value', () => {
  assert.deepEqual(histogram([2, 3, 3, 5]), { edges: [2, 3, 4, 5, 6], counts: [1, 2, 0, 1] });
  const wide = histogram(Array.from({ length: 100 }, (_, i) => i));
  assert.ok(wide.counts.length <= 30);
  assert.equal(
    wide.counts.reduce((a, b) => a + b, 0),
    100,
  );
});

test('dataset statistics on a hand-checked dataset', async () => {
  // users: a (4 items), b (3), c (3), d (1), e (2) → 13 interactions; items p q r s t
  const dir = tempFolder({
    'd.inter':
      'user_id:token\titem_id:token\n' +
      ['a p', 'a q', 'a r', 'a p', 'b p', 'b q', 'b s', 'c p', 'c r', 'c t', 'd p', 'e q', 'e p'].map((row) => row.replace(' ', '\t')).join('\n') +
      '\n',
    'd.item': 'item_id:token\ttitle:token_seq\tbrand:token\np\tP\tX\nq\tQ\t\nr\tR\tY\nz\tZ\tW\n',
  });
  const stats = computeStats(await loadDataset(dir));
  assert.equal(stats.users, 5);
  assert.equal(stats.items, 5);
  assert.equal(stats.interactions, 13);
  assert.equal(stats.density, 13 / 25);
  // lengths sorted: 1 2 3 3 4
  assert.deepEqual({ ...stats.sequenceLength, histogram: undefined }, { min: 1, median: 3, mean: 13 / 5, p90: 4, max: 4, histogram: undefined });
  assert.deepEqual(stats.sequenceLength.histogram, { edges: [1, 2, 3, 4, 5], counts: [1, 1, 2, 1] });
  // popularity: p 6, q 3, r 2, s 1, t 1 → sorted ascending 1 1 2 3 6
  assert.equal(stats.popularity.max, 6);
  assert.equal(stats.popularity.median, 2);
  assert.equal(stats.popularity.headItems, 1);
  assert.equal(stats.popularity.tailItems, 4);
  assert.equal(stats.popularity.top20Share, 6 / 13);
  // Σ(2i−6)x_i over 1 1 2 3 6 = −4·1 −2·1 +0·2 +2·3 +4·6 = 24 → 24 / (5·13)
  assert.ok(Math.abs(stats.popularity.gini - 24 / 65) < 1e-12);
  assert.deepEqual(stats.popularity.curve[0], [1, 6]);
  assert.deepEqual(stats.users80_20, { headUsers: 1, tailUsers: 4, headMinLength: 4 });
  // a repeats p once
  assert.deepEqual(stats.duplicates, { found: 1, removed: 0 });
  // training prefixes: a [p q], b [p], c [p], d [p], e [q p] → r, s, t never in training
  assert.equal(stats.coldItems.noTrainInteractions, 3);
  assert.equal(stats.coldItems.catalogueOnly, 1);
  assert.deepEqual(stats.topItems, [
    { id: 'p', interactions: 6, title: 'P' },
    { id: 'q', interactions: 3, title: 'Q' },
    { id: 'r', interactions: 2, title: 'R' },
    { id: 's', interactions: 1 },
    { id: 't', interactions: 1 },
  ]);
  assert.deepEqual(stats.metadataCoverage, [
    { field: 'title', covered: 3, share: 3 / 5 },
    { field: 'brand', covered: 2, share: 2 / 5 },
  ]);
});

test('the duplicate policy shows in the statistics', async () => {
  const dir = tempFolder({ 's.txt': '1 5 5 6 5\n2 5 6 7\n' });
  const stats = computeStats(await loadDataset(join(dir, 's.txt'), { duplicates: 'first' }));
  assert.deepEqual(stats.duplicates, { found: 2, removed: 2 });
  assert.equal(stats.interactions, 5);
});
