import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { neighboursOf } from '../../../src/core/retrieval/build';
import { ExactIndex } from '../../../src/core/retrieval/exact';
import { HnswIndex, DEFAULT_HNSW } from '../../../src/core/retrieval/hnsw';
import { recallAtK, sampleRows } from '../../../src/core/retrieval/recall';
import { Random } from '../../../src/core/util/random';
import { tempFolder } from '../helpers';

function clustered(count: number, dim: number, seed: number): Float32Array {
  const random = new Random(seed);
  const centres = Array.from({ length: 20 }, () => Float32Array.from({ length: dim }, () => random.next() - 0.5));
  const data = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    const centre = centres[r % centres.length];
    for (let c = 0; c < dim; c++) data[r * dim + c] = centre[c] + 0.15 * (random.next() - 0.5);
  }
  return data;
}

function bruteForce(data: Float32Array, dim: number, query: Float32Array, k: number): number[] {
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const scores = Array.from({ length: data.length / dim }, (_, r) => {
    const row = data.subarray(r * dim, (r + 1) * dim);
    return { r, s: row.reduce((s, x, i) => s + x * query[i], 0) / norm(row) / norm(query) };
  });
  return scores
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.r);
}

test('exact search returns the true top-k by cosine, best first', () => {
  const dim = 8;
  const data = clustered(300, dim, 1);
  const index = new ExactIndex(data, 300, dim);
  for (const row of [0, 17, 299]) {
    const query = data.subarray(row * dim, (row + 1) * dim);
    const found = index.search(query, 7);
    assert.deepEqual(found.labels, bruteForce(data, dim, query, 7));
    assert.ok(found.similarities.every((s, i) => i === 0 || s <= found.similarities[i - 1]));
    assert.equal(found.labels[0], row);
  }
});

test('HNSW agrees with exact search (recall@10 ≥ 0.98), and survives a save and load', async () => {
  const dim = 16;
  const count = 3000;
  const data = clustered(count, dim, 2);
  const exact = new ExactIndex(data, count, dim);
  const hnsw = await HnswIndex.build(data, count, dim, DEFAULT_HNSW);
  const rows = sampleRows(count, 200);
  const recall = (index: HnswIndex) =>
    rows.reduce(
      (sum, row) =>
        sum + recallAtK(index.search(data.subarray(row * dim, (row + 1) * dim), 10), exact.search(data.subarray(row * dim, (row + 1) * dim), 10), 10),
      0,
    ) / rows.length;
  assert.ok(recall(hnsw) >= 0.98, `recall ${recall(hnsw)}`);
  const file = join(tempFolder(), 'x.hnsw');
  hnsw.save(file);
  const loaded = HnswIndex.load(file, dim, DEFAULT_HNSW);
  assert.equal(loaded.count, count);
  assert.deepEqual(loaded.search(data.subarray(0, dim), 5).labels, hnsw.search(data.subarray(0, dim), 5).labels);
});

test('a row is never its own neighbour; duplicates tie and recall counts ties as hits', () => {
  const dim = 2;
  const data = Float32Array.from([1, 0, 1, 0, 1, 0, 0, 1, 0.9, 0.1]);
  const index = new ExactIndex(data, 5, dim);
  const found = neighboursOf(index, data, dim, 0, 2);
  assert.deepEqual(found.labels.sort(), [1, 2]);
  assert.ok(found.similarities.every((s) => Math.abs(s - 1) < 1e-6));
  const exact = { labels: [0, 1], similarities: [1, 1] };
  assert.equal(recallAtK({ labels: [2, 0], similarities: [1, 1] }, exact, 2), 1);
  assert.equal(recallAtK({ labels: [4, 0], similarities: [0.99, 1] }, exact, 2), 0.5);
});
