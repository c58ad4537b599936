import assert from 'node:assert/strict';
import { test } from 'node:test';
import { denseOperator, orthonormalizeColumns, randomizedSvd, symmetricEigen } from '../../../src/core/embed/linalg';
import { lsaEmbed } from '../../../src/core/embed/lsa';
import { pca } from '../../../src/core/embed/pca';
import { Random } from '../../../src/core/util/random';

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const random = new Random(seed);
  // A few strong directions plus noise, like real data.
  return Float64Array.from({ length: rows * cols }, (_, i) => (random.next() - 0.5) * (i % cols < 4 ? 8 : 1));
}

test('randomized SVD finds the exact top singular values and vectors', () => {
  const rows = 200;
  const cols = 30;
  const a = randomMatrix(rows, cols, 3);
  const svd = randomizedSvd(denseOperator(a, rows, cols), 4, { seed: 9 });
  const gram = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++) for (let p = 0; p < cols; p++) for (let q = 0; q < cols; q++) gram[p * cols + q] += a[r * cols + p] * a[r * cols + q];
  const exact = symmetricEigen(gram, cols);
  for (let c = 0; c < 4; c++) {
    assert.ok(Math.abs(svd.singularValues[c] - Math.sqrt(exact.values[c])) < 1e-6 * svd.singularValues[0]);
    let alignment = 0;
    for (let p = 0; p < cols; p++) alignment += svd.components[p * 4 + c] * exact.vectors[p * cols + c];
    assert.ok(Math.abs(Math.abs(alignment) - 1) < 1e-6, `component ${c}: ${alignment}`);
  }
});

test('orthonormalisation survives dependent columns (rank-deficient input)', () => {
  const rows = 5;
  const m = Float64Array.from([1, 2, 1, 0, 2, 0, 1, 2, 1, 0, 2, 0, 1, 2, 1]); // 5 × 3, column 2 = column 0
  orthonormalizeColumns(m, rows, 3);
  const column = (j: number) => Array.from({ length: rows }, (_, r) => m[r * 3 + j]);
  const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);
  assert.ok(Math.abs(dot(column(0), column(0)) - 1) < 1e-12);
  assert.ok(Math.abs(dot(column(0), column(1))) < 1e-12);
  assert.ok(dot(column(2), column(2)) < 1e-12, 'the dependent column becomes zero');
});

test('LSA is deterministic, puts similar texts close, and learns its vocabulary from the fitting rows only', () => {
  const texts = [
    'red nail lacquer gloss',
    'red nail polish gloss finish',
    'vanilla eau de parfum',
    'woody vanilla parfum intense',
    'nail top coat gloss',
    'parfum oil vanilla',
    'zebra unseen words',
  ];
  const fit = [0, 1, 2, 3, 4, 5];
  const first = lsaEmbed(texts, fit, { width: 3, seed: 4 });
  const second = lsaEmbed(texts, fit, { width: 3, seed: 4 });
  assert.deepEqual(first.vectors, second.vectors);
  const row = (i: number) => first.vectors.subarray(i * 3, i * 3 + 3);
  const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0) / Math.hypot(...a) / Math.hypot(...b);
  assert.ok(cosine(row(0), row(1)) > cosine(row(0), row(2)));
  assert.ok(cosine(row(2), row(3)) > cosine(row(2), row(4)));
  assert.deepEqual(Array.from(row(6)), [0, 0, 0], 'words never seen in the fitting rows carry nothing');
});

test('PCA is fitted on the given rows: centred on their mean, explaining their variance', () => {
  const count = 50;
  const from = 6;
  const data = Float32Array.from(randomMatrix(count, from, 7));
  const fitRows = Array.from({ length: 40 }, (_, i) => i);
  const result = pca(data, count, from, 3, fitRows);
  assert.equal(result.dim, 3);
  for (let j = 0; j < 3; j++) {
    const mean = fitRows.reduce((sum, r) => sum + result.vectors[r * 3 + j], 0) / fitRows.length;
    assert.ok(Math.abs(mean) < 1e-4, 'centred on the fitting rows');
  }
  assert.ok(result.explainedVariance > 0.5 && result.explainedVariance <= 1);
  assert.equal(pca(data, count, from, 6, fitRows).explainedVariance > 0.999, true);
});
