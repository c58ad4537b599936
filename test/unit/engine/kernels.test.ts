// Every kernel the engine adds is checked against the pure-JS cpu backend's own result.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initEngine, nativeKernels } from '../../../src/core/engine/backend';
import { tf } from '../../../src/core/engine/tf';
import { Random } from '../../../src/core/util/random';

const random = new Random(11);
const values = (n: number) => Float32Array.from({ length: n }, () => random.next() * 2 - 1);

/** Runs fn on the reference cpu backend (no added kernels) and on `backend`, returns both results. */
async function compare(backend: 'wasm' | 'cpu', native: boolean, fn: () => tf.Tensor | tf.Tensor[]): Promise<Array<[Float32Array, Float32Array]>> {
  await initEngine({ backend: 'cpu', native: false, fused: false });
  const expected = [fn()].flat().map((t) => t.dataSync() as Float32Array);
  await initEngine({ backend, native });
  const actual = [fn()].flat().map((t) => t.dataSync() as Float32Array);
  return expected.map((e, i) => [e, actual[i]]);
}

function assertClose(expected: Float32Array, actual: Float32Array, tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(expected[i] - actual[i]) > tolerance * (1 + Math.abs(expected[i]))) assert.fail(`element ${i}: expected ${expected[i]}, got ${actual[i]}`);
  }
}

const matmulCases: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [
  { a: [7, 5], b: [5, 3], ta: false, tb: false },
  { a: [5, 7], b: [5, 3], ta: true, tb: false },
  { a: [7, 5], b: [3, 5], ta: false, tb: true },
  { a: [5, 7], b: [3, 5], ta: true, tb: true },
  { a: [4, 6, 5], b: [5, 3], ta: false, tb: false }, // batch · one matrix: one big product
  { a: [4, 5, 6], b: [5, 3], ta: true, tb: false },
  { a: [2, 3, 6, 5], b: [2, 3, 6, 5], ta: false, tb: true }, // attention scores, 4-D
  { a: [4, 6, 6], b: [4, 6, 5], ta: false, tb: false },
  { a: [6, 5], b: [4, 5, 3], ta: false, tb: false }, // one matrix · batch
  { a: [2, 1, 4, 5], b: [1, 3, 5, 2], ta: false, tb: false }, // general broadcast: original kernel
  { a: [3, 0, 4], b: [3, 4, 2], ta: false, tb: false }, // empty
];

for (const backend of ['wasm', 'cpu'] as const) {
  test(
    `native BatchMatMul on ${backend} matches the cpu backend, transposes and batch shapes included`,
    { skip: nativeKernels() ? false : 'native kernels not built (npm run build:native)' },
    async () => {
      for (const { a, b, ta, tb } of matmulCases) {
        const av = values(a.reduce((x, y) => x * y, 1));
        const bv = values(b.reduce((x, y) => x * y, 1));
        const [[expected, actual]] = await compare(backend, true, () => tf.matMul(tf.tensor(av, a), tf.tensor(bv, b), ta, tb));
        assertClose(expected, actual);
      }
    },
  );

  test(`matmul gradients on ${backend} (native) match the cpu backend`, { skip: nativeKernels() ? false : 'native kernels not built' }, async () => {
    // (tfjs's own BatchMatMul gradient does not reduce broadcast batch dims, so models use 2-D or equal batches)
    const av = values(4 * 6 * 5);
    const bv = values(4 * 5 * 3);
    const pairs = await compare(backend, true, () => {
      const [ga, gb] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b))))([tf.tensor(av, [4, 6, 5]), tf.tensor(bv, [4, 5, 3])]);
      const [g2a, g2b] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a, b, false, true))))([
        tf.tensor(av, [24, 5]),
        tf.tensor(bv.subarray(0, 15), [3, 5]),
      ]);
      return [ga, gb, g2a, g2b];
    });
    for (const [expected, actual] of pairs) assertClose(expected, actual);
  });
}

test('wasm without native kernels: matmul, gather and its gradient (UnsortedSegmentSum) match the cpu backend', async () => {
  const table = values(9 * 4);
  const ids = Int32Array.from([0, 3, 3, 8, 1, 0, 7]);
  const pairs = await compare('wasm', false, () => {
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor2d(ids, [7, 1], 'int32')), tf.range(0, 4))))(tf.tensor(table, [9, 4]));
    return [g, tf.matMul(tf.tensor(table, [9, 4]), tf.tensor(table, [9, 4]), true, false)];
  });
  for (const [expected, actual] of pairs) assertClose(expected, actual);
});

for (const native of [false, true]) {
  test(
    `the wasm UnsortedSegmentSum kernel (${native ? 'native' : 'JS'}) sums rows, drops out-of-range ids, handles trailing dims`,
    { skip: native && !nativeKernels() ? 'native kernels not built' : false },
    async () => {
      const x = values(6 * 2 * 3);
      const pairs = await compare('wasm', native, () => [
        tf.unsortedSegmentSum(tf.tensor(x, [6, 2, 3]), tf.tensor1d([2, 0, 2, 5, 1, 2], 'int32'), 4),
        tf.transpose(tf.tensor(x, [6, 2, 3]), [0, 1, 2]),
        tf.transpose(tf.tensor(x, [6, 2, 3]), [2, 0, 1]),
      ]);
      for (const [expected, actual] of pairs) assertClose(expected, actual);
    },
  );
}

test('withRankedScores counts the items scored above each target, natively and in JS alike', async () => {
  const { withRankedScores } = await import('../../../src/core/engine/ranking');
  const scores = values(7 * 33);
  scores[5] = scores[3]; // a tie with the target is not "above"
  const targets = Int32Array.from([3, 0, 32, 7, 7, 1, 20]);
  const expected = Array.from(targets, (t, r) => scores.subarray(r * 33, r * 33 + 33).filter((v) => v > scores[r * 33 + t]).length);
  for (const [backend, native] of [
    ['wasm', true],
    ['wasm', false],
    ['cpu', false],
  ] as const) {
    if (native && !nativeKernels()) continue;
    await initEngine({ backend, native });
    const above = await withRankedScores(tf.tensor2d(scores, [7, 33]), targets, (_values, counts) => Array.from(counts));
    assert.deepEqual(above, expected, `${backend}${native ? ' + native' : ''}`);
  }
});
