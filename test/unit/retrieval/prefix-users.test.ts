// Similar users per position (src/core/retrieval/prefixUsers.ts): each position's neighbours against
// a brute-force search written here, the user itself and users without training items never
// returned, and the cache serving a row that begins with one already searched.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initEngine } from '../../../src/core/engine/backend';
import { PrefixUserRetrieval } from '../../../src/core/retrieval/prefixUsers';
import { Random } from '../../../src/core/util/random';

const ITEMS = 30;
const DIMS = 5;
const MAX_LEN = 4;

before(async () => {
  await initEngine({});
});

function world(seed: number) {
  const random = new Random(seed);
  const itemVectors = Float32Array.from({ length: ITEMS * DIMS }, () => random.next() * 2 - 1);
  const userItems = Array.from({ length: 25 }, (_, user) =>
    // users 3 and 11 have no training items: never anyone's neighbour
    user === 3 || user === 11 ? new Int32Array(0) : Int32Array.from({ length: 1 + Math.floor(random.next() * 9) }, () => Math.floor(random.next() * ITEMS)),
  );
  return { itemVectors, userItems };
}

const mean = (vectors: Float32Array, items: ArrayLike<number>): number[] => {
  const out = new Array<number>(DIMS).fill(0);
  for (let i = 0; i < items.length; i++) for (let c = 0; c < DIMS; c++) out[c] += vectors[items[i] * DIMS + c] / items.length;
  return out;
};
const cosine = (a: number[], b: number[]): number => {
  const dot = a.reduce((sum, x, c) => sum + x * b[c], 0);
  return dot / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
};

/** The k users whose last MAX_LEN training items' mean is closest (cosine) to the mean of the last MAX_LEN items up to each position. */
function bruteForce(itemVectors: Float32Array, userItems: Int32Array[], user: number, items: Int32Array, k: number): number[][] {
  return Array.from(items, (_, at) => {
    const query = mean(itemVectors, items.slice(Math.max(0, at + 1 - MAX_LEN), at + 1));
    return userItems
      .map((sequence, v) => ({ v, score: sequence.length === 0 || v === user ? -Infinity : cosine(query, mean(itemVectors, sequence.slice(-MAX_LEN))) }))
      .filter(({ score }) => score > -Infinity)
      .sort((a, b) => b.score - a.score)
      .slice(0, k)
      .map(({ v }) => v);
  });
}

test('each position gets the users closest to the items read up to it, never itself nor a user without training items', () => {
  const { itemVectors, userItems } = world(3);
  const k = 4;
  const retrieval = new PrefixUserRetrieval(itemVectors, DIMS, userItems, MAX_LEN, k);
  const requests = [0, 5, 9, 17].map((user) => ({ user, items: userItems[user].length > 0 ? userItems[user] : Int32Array.of(1, 2) }));
  requests.push({ user: 4, items: Int32Array.from([7, 8, 9, 10, 11, 12, 13]) }); // longer than MAX_LEN: the window slides
  const found = retrieval.neighbours(requests);
  requests.forEach(({ user, items }, r) => {
    assert.equal(found[r].length, items.length * k);
    const expected = bruteForce(itemVectors, userItems, user, items, k);
    for (let at = 0; at < items.length; at++) {
      const got = Array.from(found[r].subarray(at * k, (at + 1) * k));
      assert.deepEqual(got, expected[at], `user ${user}, position ${at}`);
      assert.ok(!got.includes(user) && !got.includes(3) && !got.includes(11));
    }
  });
  assert.equal(
    retrieval.searched,
    requests.reduce((sum, { items }) => sum + items.length, 0),
  );
});

test('a row that begins with a searched row is served from the cache; only its new positions are searched', () => {
  const { itemVectors, userItems } = world(8);
  const retrieval = new PrefixUserRetrieval(itemVectors, DIMS, userItems, MAX_LEN, 3);
  const training = Int32Array.of(4, 9, 2);
  const [first] = retrieval.neighbours([{ user: 2, items: training }]);
  assert.equal(retrieval.searched, 3);
  const [again, shorter] = retrieval.neighbours([
    { user: 2, items: training },
    { user: 2, items: training.subarray(0, 2) },
  ]);
  assert.equal(retrieval.searched, 3, 'the same row and a row it begins with: nothing searched');
  assert.deepEqual(Array.from(again), Array.from(first));
  assert.deepEqual(Array.from(shorter), Array.from(first.subarray(0, 6)));
  const [longer] = retrieval.neighbours([{ user: 2, items: Int32Array.of(4, 9, 2, 17) }]);
  assert.equal(retrieval.searched, 4, 'one item more: one position searched');
  assert.deepEqual(Array.from(longer.subarray(0, 9)), Array.from(first));
  assert.deepEqual(Array.from(longer), bruteForce(itemVectors, userItems, 2, Int32Array.of(4, 9, 2, 17), 3).flat());
  // the same items for another user: searched for that user (it excludes itself, not user 2)
  retrieval.neighbours([{ user: 5, items: training }]);
  assert.equal(retrieval.searched, 7);
});

test('fewer eligible users than k: the remaining slots are -1', () => {
  const itemVectors = Float32Array.from({ length: ITEMS * DIMS }, (_, i) => Math.sin(i));
  const userItems = [Int32Array.of(1, 2), Int32Array.of(3), new Int32Array(0)];
  const retrieval = new PrefixUserRetrieval(itemVectors, DIMS, userItems, MAX_LEN, 3);
  const [found] = retrieval.neighbours([{ user: 0, items: Int32Array.of(1, 2) }]);
  assert.deepEqual(Array.from(found), [1, -1, -1, 1, -1, -1]);
  assert.deepEqual(retrieval.neighbours([{ user: 0, items: new Int32Array(0) }])[0].length, 0);
});
