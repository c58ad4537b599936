// The fused ops (native and JS) against the same maths written with plain tfjs ops on the cpu backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initEngine, nativeKernels } from '../../../src/core/engine/backend';
import {
  attention,
  dense,
  dropout,
  dropoutMask,
  gelu,
  gruLayer,
  indexedAttention,
  layerNorm,
  layerNormComposite,
  pooledRows,
  unitRows,
} from '../../../src/core/engine/ops';
import { tf } from '../../../src/core/engine/tf';
import { Random } from '../../../src/core/util/random';

const random = new Random(21);
const values = (n: number) => Float32Array.from({ length: n }, () => random.next() * 2 - 1);

function assertClose(expected: ArrayLike<number>, actual: ArrayLike<number>, tolerance = 1e-4): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(expected[i] - actual[i]) > tolerance * (1 + Math.abs(expected[i]))) assert.fail(`element ${i}: expected ${expected[i]}, got ${actual[i]}`);
  }
}

const x = values(37 * 24);
const gamma = values(24);
const beta = values(24);
const w = values(24 * 16);
const bias = values(16);

/** Forward value and gradients of sum(f(...) * weights) w.r.t. every input. */
function valueAndGrads(f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: Array<[Float32Array, number[]]>): Float32Array[] {
  const tensors = inputs.map(([v, shape]) => tf.tensor(v, shape));
  const y = f(...tensors);
  const fixed = new Random(99); // the same weights for the reference and the fused run
  const weights = tf.tensor(
    Float32Array.from({ length: y.size }, () => fixed.next() * 2 - 1),
    y.shape,
  );
  const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), weights)))(tensors);
  return [y, ...grads].map((t) => t.dataSync() as Float32Array);
}

// attention: B = 3 sequences, 2 heads, L = 5, dh = 4 → [6, 5, 4]
const qkv = values(3 * 6 * 5 * 4);
const causal = Float32Array.from({ length: 25 }, (_, i) => (i % 5 > Math.floor(i / 5) ? -1e9 : 0));
const keyPadding = Float32Array.from({ length: 15 }, (_, i) => (i % 5 < 3 - Math.floor(i / 5) ? -1e9 : 0));
const slices = (t: tf.Tensor) => [0, 1, 2].map((i) => tf.reshape(tf.slice(tf.reshape(t, [3, 120]), [i, 0], [1, 120]), [6, 5, 4]) as tf.Tensor3D);
/** The same attention written with plain tfjs ops (scores, bias, softmax, hashed dropout, weighted sum). */
function referenceAttention(t: tf.Tensor, bias: tf.Tensor | null, keys: boolean, rate: number): tf.Tensor {
  const [q, k, v] = slices(t);
  let scores = tf.mul(tf.matMul(q, k, false, true), 0.5);
  if (bias && !keys) scores = tf.add(scores, bias);
  if (bias && keys) scores = tf.reshape(tf.add(tf.reshape(scores, [3, 2, 5, 5]), tf.reshape(bias, [3, 1, 1, 5])), [6, 5, 5]);
  const weights = rate > 0 ? tf.mul(tf.softmax(scores), dropoutMask([6, 5, 5], rate, 9)) : tf.softmax(scores);
  return tf.matMul(weights, v);
}

// indexed attention: 7 query rows of width 6 over a 9-row table, 4 slots; −1 = no slot (row 5 has none,
// table row 2 is reached twice from one row, so its gradients accumulate)
// 20 sequences of 6 steps, sequence i left-padded by i % 7 (so some full, one all padding): enough
// sequences for the native kernel to split them between threads
const gruKeep = Float32Array.from({ length: 20 * 6 }, (_, i) => (i % 6 >= Math.floor(i / 6) % 7 ? 1 : 0));
const slotIndex = Int32Array.from([0, 3, 8, -1, 2, 2, 1, 7, 4, -1, -1, -1, 6, 5, 0, 3, 8, 8, 8, 8, -1, -1, -1, -1, 1, -1, 7, 2]);
/** The same attention written with plain tfjs ops: gathered keys and values, masked softmax. */
function referenceIndexedAttention(q: tf.Tensor, keys: tf.Tensor, values: tf.Tensor, scale: number): tf.Tensor {
  const safe = tf.tensor1d(
    Int32Array.from(slotIndex, (i) => Math.max(0, i)),
    'int32',
  );
  const missing = tf.tensor2d(
    Float32Array.from(slotIndex, (i) => (i < 0 ? 1 : 0)),
    [7, 4],
  );
  const gathered = (t: tf.Tensor) => tf.reshape(tf.gather(t, safe), [7, 4, 6]);
  const scores = tf.sub(tf.mul(tf.sum(tf.mul(tf.reshape(q, [7, 1, 6]), gathered(keys)), -1), scale), tf.mul(missing, 1e9));
  const weights = tf.mul(tf.softmax(scores), tf.sub(1, missing));
  return tf.sum(tf.mul(tf.reshape(weights, [7, 4, 1]), gathered(values)), 1);
}

// pooled rows: 5 groups over a 9-row table; row 8 twice in group 0, group 3 empty (scale 0), rows out of order
const poolRows = Int32Array.from([8, 1, 8, 4, 0, 2, 7, 7, 5]);
const poolSegments = Int32Array.from([0, 2, 0, 1, 4, 2, 1, 4, 0]);
const poolScale = Float32Array.from([1 / 3, 0.5, 0.5, 0, 2]);

// `compared`: how many leading inputs' gradients to compare (attention biases are constants: no gradient)
const cases: Array<{
  name: string;
  fused: (...t: tf.Tensor[]) => tf.Tensor;
  reference: (...t: tf.Tensor[]) => tf.Tensor;
  inputs: Array<[Float32Array, number[]]>;
  compared?: number;
}> = [
  {
    name: 'layer norm',
    fused: (a, g, b) => layerNorm(a, g, b, 1e-8),
    reference: (a, g, b) => layerNormComposite(a, g, b, 1e-8),
    inputs: [
      [x, [37, 24]],
      [gamma, [24]],
      [beta, [24]],
    ],
  },
  { name: 'dropout', fused: (a) => dropout(a, 0.3, 77), reference: (a) => tf.mul(a, dropoutMask([37, 24], 0.3, 77)), inputs: [[x, [37, 24]]] },
  {
    name: 'dense',
    fused: (a, m, b) => dense(a as tf.Tensor2D, m, b),
    reference: (a, m, b) => tf.add(tf.matMul(a, m), b),
    inputs: [
      [x, [37, 24]],
      [w, [24, 16]],
      [bias, [16]],
    ],
  },
  {
    name: 'dense + relu',
    fused: (a, m, b) => dense(a as tf.Tensor2D, m, b, true),
    reference: (a, m, b) => tf.relu(tf.add(tf.matMul(a, m), b)),
    inputs: [
      [x, [37, 24]],
      [w, [24, 16]],
      [bias, [16]],
    ],
  },
  {
    name: 'attention, causal bias, dropout',
    fused: (t, b) => {
      const [q, k, v] = slices(t);
      return attention(q, k, v, { kind: 'all', bias: b as tf.Tensor2D }, 2, 0.25, 9);
    },
    reference: (t, b) => referenceAttention(t, b, false, 0.25),
    inputs: [
      [qkv, [3, 120]],
      [causal, [5, 5]],
    ],
    compared: 1,
  },
  {
    name: 'attention, key padding, no dropout',
    fused: (t, b) => {
      const [q, k, v] = slices(t);
      return attention(q, k, v, { kind: 'keys', bias: b as tf.Tensor2D }, 2, 0, 9);
    },
    reference: (t, b) => referenceAttention(t, b, true, 0),
    inputs: [
      [qkv, [3, 120]],
      [keyPadding, [3, 5]],
    ],
    compared: 1,
  },
  {
    name: 'attention, no bias',
    fused: (t) => {
      const [q, k, v] = slices(t);
      return attention(q, k, v, null, 2, 0.1, 9);
    },
    reference: (t) => referenceAttention(t, null, false, 0.1),
    inputs: [[qkv, [3, 120]]],
  },
  {
    name: 'indexed attention',
    fused: (q, k, v) => indexedAttention(q as tf.Tensor2D, k as tf.Tensor2D, v as tf.Tensor2D, slotIndex, 0.7).out,
    reference: (q, k, v) => referenceIndexedAttention(q, k, v, 0.7),
    inputs: [
      [values(42), [7, 6]],
      [values(54), [9, 6]],
      [values(54), [9, 6]],
    ],
  },
  {
    name: 'indexed attention, keys = values',
    fused: (q, k) => indexedAttention(q as tf.Tensor2D, k as tf.Tensor2D, k as tf.Tensor2D, slotIndex, 2).out,
    reference: (q, k) => referenceIndexedAttention(q, k, k, 2),
    inputs: [
      [values(42), [7, 6]],
      [values(54), [9, 6]],
    ],
  },
  {
    name: 'pooled rows',
    fused: (t) => pooledRows(t, poolRows, poolSegments, poolScale),
    reference: (t) =>
      tf.mul(tf.unsortedSegmentSum(tf.gather(t, tf.tensor1d(poolRows, 'int32')), tf.tensor1d(poolSegments, 'int32'), 5), tf.tensor2d(poolScale, [5, 1])),
    inputs: [[values(54), [9, 6]]],
  },
  {
    name: 'unit rows (row 3 all zero)',
    fused: (t) => unitRows(t),
    reference: (t) => tf.div(t, tf.sqrt(tf.add(tf.sum(tf.square(t), -1, true), 1e-12))),
    inputs: [[Float32Array.from(values(54), (v, i) => (i >= 18 && i < 24 ? 0 : v)), [9, 6]]],
  },
  {
    name: 'GRU layer over left-padded sequences (d = 4)',
    fused: (xp, wh, bh) => gruLayer(xp as tf.Tensor3D, wh as tf.Tensor2D, bh, tf.tensor2d(gruKeep, [20, 6])),
    reference: (xp, wh, bh) => gruLayer(xp as tf.Tensor3D, wh as tf.Tensor2D, bh, tf.tensor2d(gruKeep, [20, 6])),
    inputs: [
      [values(20 * 6 * 12), [20, 6, 12]],
      [values(48), [4, 12]],
      [values(12), [12]],
    ],
  },
  {
    name: 'GELU (exact, erf form), wide range',
    fused: (a) => gelu(a),
    reference: (a) => tf.mul(tf.mul(a, 0.5), tf.add(1, tf.erf(tf.mul(a, Math.SQRT1_2)))),
    inputs: [[Float32Array.from(values(37 * 24), (v) => v * 6), [37, 24]]],
  },
  {
    name: 'sum over leading axes',
    fused: (a) => tf.sum(tf.reshape(a, [37, 4, 6]), [0, 1]),
    reference: (a) => tf.sum(tf.reshape(a, [37, 4, 6]), [0, 1]),
    inputs: [[x, [37, 24]]],
  },
];

for (const [backend, native] of [
  ['wasm', true],
  ['wasm', false],
  ['cpu', true],
  ['cpu', false],
] as const) {
  test(
    `fused ops and their gradients on ${backend}${native ? ' + native' : ' (JS)'} match plain tfjs ops on cpu`,
    { skip: native && !nativeKernels() ? 'native kernels not built' : false },
    async () => {
      for (const { name, fused, reference, inputs, compared } of cases) {
        await initEngine({ backend: 'cpu', native: false, fused: false });
        const expected = valueAndGrads(reference, inputs);
        await initEngine({ backend, native });
        const actual = valueAndGrads(fused, inputs);
        expected.slice(0, 1 + (compared ?? inputs.length)).forEach((e, i) => {
          try {
            assertClose(e, actual[i]);
          } catch (error) {
            assert.fail(`${name}, ${i === 0 ? 'value' : `gradient ${i}`}: ${(error as Error).message}`);
          }
        });
      }
    },
  );
}

test('dropout keeps about 1 - rate of the elements, scaled, and the same seed gives the same mask', async () => {
  await initEngine({ backend: 'wasm' });
  const ones = tf.ones([100_000]);
  const a = dropout(ones, 0.2, 5).dataSync();
  const b = dropout(ones, 0.2, 5).dataSync();
  const c = dropout(ones, 0.2, 6).dataSync();
  const kept = a.filter((v) => v !== 0);
  assert.ok(Math.abs(kept.length / a.length - 0.8) < 0.01, `kept ${kept.length}`);
  assert.ok(kept.every((v) => Math.abs(v - 1.25) < 1e-6));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('indexed attention returns its weights (rows sum to 1 over their slots, 0 on missing slots and rows without any), composed or fused alike', async () => {
  const outputs: Float32Array[] = [];
  const [q, keys, vals] = [values(42), values(54), values(54)];
  for (const fused of [false, true]) {
    await initEngine({ backend: 'wasm', native: false, fused });
    const { out, weights } = indexedAttention(tf.tensor2d(q, [7, 6]), tf.tensor2d(keys, [9, 6]), tf.tensor2d(vals, [9, 6]), slotIndex, 1);
    const w = weights.dataSync();
    for (let r = 0; r < 7; r++) {
      const row = Array.from(w.slice(r * 4, r * 4 + 4));
      row.forEach((p, s) => slotIndex[r * 4 + s] < 0 && assert.equal(p, 0, `row ${r} slot ${s}`));
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - (r === 5 ? 0 : 1)) < 1e-6, `row ${r}: ${row}`);
    }
    assert.deepEqual(Array.from(out.dataSync().slice(30, 36)), [0, 0, 0, 0, 0, 0]);
    outputs.push(out.dataSync() as Float32Array);
  }
  assertClose(outputs[0], outputs[1]);
});

test('the native GRASP kernels refuse ids outside their tables before touching memory', { skip: nativeKernels() ? false : 'native kernels not built' }, () => {
  const native = nativeKernels()!;
  const table = new Float32Array(4 * 3);
  const out = Float32Array.of(7, 7, 7);
  assert.throws(
    () => native.indexedAttention(new Float32Array(3), table, table, Int32Array.of(0, 4), out, new Float32Array(2), 1, 2, 3, 4, 1),
    /outside the table/,
  );
  assert.throws(
    () => native.indexedAttention(new Float32Array(3), table, table, Int32Array.of(0, -2), out, new Float32Array(2), 1, 2, 3, 4, 1),
    /outside the table/,
  );
  assert.throws(() => native.pooledRows(table, Int32Array.of(5), Int32Array.of(0), Float32Array.of(1), out, 4, 3), /out of range/);
  assert.throws(() => native.pooledRows(table, Int32Array.of(1), Int32Array.of(1), Float32Array.of(1), out, 4, 3), /out of range/);
  assert.throws(() => native.unitRows(new Float32Array(7), new Float32Array(7), 3), /expected/);
  // GRU: 2 sequences of 3 steps, d = 2, with states one row short
  const f = (n: number) => new Float32Array(n);
  assert.throws(() => native.gru(f(36), f(12), f(6), f(6), f(10), f(48), 2, 3, 2), /too short/);
  assert.throws(() => native.gruGrad(f(12), f(12), f(6), f(12), f(48), f(36), f(11), f(6), 2, 3, 2), /too short/);
  assert.throws(() => native.gelu(f(4), f(3)), /one length/);
  assert.deepEqual(Array.from(out), [7, 7, 7], 'nothing was written');
});
