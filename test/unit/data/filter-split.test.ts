import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaveOneOut } from '../../../src/core/data';
import { applyDuplicatePolicy, applyKCore, compact, countRepeats, type Sequences } from '../../../src/core/data/filter';

const make = (rows: number[][], items = 10): Sequences => ({
  userIds: rows.map((_, u) => `u${u}`),
  itemIds: Array.from({ length: items }, (_, i) => `i${i}`),
  sequences: rows.map((row) => Int32Array.from(row)),
});
const plain = (data: Sequences) => data.sequences.map((s) => Array.from(s));

test('repeats are counted per user', () => {
  assert.equal(
    countRepeats(
      make([
        [1, 2, 1, 1],
        [1, 2],
        [3, 3],
      ]).sequences,
      10,
    ),
    3,
  );
});

test('duplicate policies', () => {
  const rows = [[1, 2, 1, 1, 3, 2]];
  const keep = make(rows);
  assert.equal(applyDuplicatePolicy(keep, 'keep'), 0);
  assert.deepEqual(plain(keep), rows);
  const first = make(rows);
  assert.equal(applyDuplicatePolicy(first, 'first'), 3);
  assert.deepEqual(plain(first), [[1, 2, 3]]);
  const last = make(rows);
  assert.equal(applyDuplicatePolicy(last, 'last'), 3);
  assert.deepEqual(plain(last), [[1, 3, 2]]);
  const consecutive = make(rows);
  assert.equal(applyDuplicatePolicy(consecutive, 'drop-consecutive'), 1);
  assert.deepEqual(plain(consecutive), [[1, 2, 1, 3, 2]]);
});

test('timestamps follow the duplicate policy', () => {
  const data = make([[1, 1, 2]]);
  data.timestamps = [Float64Array.from([10, 20, 30])];
  applyDuplicatePolicy(data, 'last');
  assert.deepEqual(Array.from(data.timestamps[0]), [20, 30]);
});

test('k-core is iterative: removing a user can push an item below k, and back', () => {
  // Item 5 has 2 interactions, but one is from user 2, who has only 1 interaction: after
  // user 2 goes, item 5 falls below 2, and then user 1 (3 items → 2 left) still stays.
  const data = make([[1, 2, 3], [1, 2, 5], [5], [1, 2, 3]]);
  const removed = applyKCore(data, 2, 2);
  assert.deepEqual(plain(data), [[1, 2, 3], [1, 2], [], [1, 2, 3]]);
  assert.equal(removed, 2);
  const compacted = compact(data);
  assert.deepEqual(compacted.userIds, ['u0', 'u1', 'u3']);
  assert.deepEqual(compacted.itemIds, ['i1', 'i2', 'i3']);
  assert.deepEqual(plain(compacted), [
    [0, 1, 2],
    [0, 1],
    [0, 1, 2],
  ]);
});

test('k-core cascade until stable', () => {
  // 3-core: user 0 loses item 9 (count 1) → 2 items < 3 → removed → items 1, 2 drop to 2 → all go.
  const data = make([
    [1, 2, 9],
    [1, 2, 4],
    [1, 2, 4],
  ]);
  applyKCore(data, 3, 3);
  assert.deepEqual(plain(data), [[], [], []]);
});

test('k-core of 0 or 1 changes nothing', () => {
  const data = make([[1], [2, 3]]);
  assert.equal(applyKCore(data, 1, 0), 0);
  assert.deepEqual(plain(data), [[1], [2, 3]]);
});

test('leave-one-out: last = test, second-to-last = valid, rest = train; short users train only', () => {
  const split = leaveOneOut([Int32Array.from([4, 5, 6, 7]), Int32Array.from([1, 2, 3]), Int32Array.from([8, 9]), Int32Array.from([3])]);
  assert.deepEqual(
    split.train.map((s) => Array.from(s)),
    [[4, 5], [1], [8, 9], [3]],
  );
  assert.deepEqual(Array.from(split.valid), [6, 2, -1, -1]);
  assert.deepEqual(Array.from(split.test), [7, 3, -1, -1]);
});

test('leave-one-out never puts a validation or test item in the training prefix positions', () => {
  const sequences = Array.from({ length: 50 }, (_, u) => Int32Array.from({ length: 3 + (u % 7) }, (_, i) => u * 100 + i));
  const split = leaveOneOut(sequences);
  sequences.forEach((sequence, u) => {
    assert.equal(split.train[u].length, sequence.length - 2);
    assert.ok(!split.train[u].includes(split.valid[u]));
    assert.ok(!split.train[u].includes(split.test[u]));
  });
});
