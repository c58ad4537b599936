// The softmax cross-entropy losses (full and sampled with shared negatives): the native kernel against
// the same loss composed from plain tfjs ops on cpu, values and gradients; both against a direct
// double-precision computation of the loss; and the kernel's refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initEngine, nativeKernels } from '../../../src/core/engine/backend';
import { softmaxCrossEntropy } from '../../../src/core/engine/ops';
import { tf } from '../../../src/core/engine/tf';
import { Random } from '../../../src/core/util/random';

const random = new Random(33);
const values = (n: number, spread = 1) => Float32Array.from({ length: n }, () => (random.next() * 2 - 1) * spread);

interface Case {
  name: string;
  rows: number;
  d: number;
  /** table rows: padding row 0, items 1..numItems, one extra row (BERT4Rec's mask) never scored */
  numItems: number;
  candidates: Int32Array | null;
  logQ: Float32Array | null;
}

function targetsFor(c: Case): Int32Array {
  // a spread of targets, some equal to a candidate (masked there)
  return Int32Array.from({ length: c.rows }, (_, r) => (c.candidates && r % 7 === 0 ? c.candidates[r % c.candidates.length] : 1 + ((r * 37) % c.numItems)));
}

const cases: Case[] = [
  { name: 'full softmax, two blocks of rows', rows: 300, d: 8, numItems: 50, candidates: null, logQ: null },
  { name: 'full softmax, many items', rows: 520, d: 16, numItems: 3000, candidates: null, logQ: null },
  {
    name: 'sampled softmax, shared negatives with repeats',
    rows: 300,
    d: 8,
    numItems: 50,
    candidates: Int32Array.from({ length: 40 }, (_, k) => 1 + ((k * 13) % 31)),
    logQ: null,
  },
  {
    name: 'sampled softmax with logQ',
    rows: 290,
    d: 12,
    numItems: 80,
    candidates: Int32Array.from({ length: 64 }, (_, k) => 1 + ((k * 29) % 80)),
    logQ: values(64, 2),
  },
];

/** Mean over rows of logsumexp − target logit, in float64, with the kernel's masking rule. */
function directLoss(c: Case, states: Float32Array, table: Float32Array, targets: Int32Array): number {
  const dot = (r: number, row: number) => {
    let s = 0;
    for (let j = 0; j < c.d; j++) s += states[r * c.d + j] * table[row * c.d + j];
    return s;
  };
  let total = 0;
  for (let r = 0; r < c.rows; r++) {
    const positive = dot(r, targets[r]);
    const logits = c.candidates
      ? [positive, ...Array.from(c.candidates, (id, k) => (id === targets[r] ? -Infinity : dot(r, id) - (c.logQ ? c.logQ[k] : 0)))]
      : Array.from({ length: c.numItems }, (_, k) => dot(r, k + 1));
    const peak = Math.max(...logits);
    total += peak + Math.log(logits.reduce((sum, l) => sum + Math.exp(l - peak), 0)) - positive;
  }
  return total / c.rows;
}

function lossAndGrads(c: Case, states: Float32Array, table: Float32Array, targets: Int32Array): Float32Array[] {
  return tf.tidy(() => {
    const s = tf.tensor2d(states, [c.rows, c.d]);
    const t = tf.tensor2d(table, [c.numItems + 2, c.d]);
    const f = (a: tf.Tensor, b: tf.Tensor) => softmaxCrossEntropy(a as tf.Tensor2D, b as tf.Tensor2D, targets, c.candidates, c.logQ, c.numItems);
    const value = f(s, t);
    const [dStates, dTable] = tf.grads(f)([s, t]);
    return [value, dStates, dTable].map((x) => x.dataSync() as Float32Array);
  });
}

function assertClose(expected: ArrayLike<number>, actual: ArrayLike<number>, what: string, tolerance = 2e-4): void {
  assert.equal(actual.length, expected.length, what);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(expected[i] - actual[i]) <= tolerance * (scale + 1e-6))) assert.fail(`${what}, element ${i}: expected ${expected[i]}, got ${actual[i]}`);
  }
}

test('the composed softmax losses equal a direct float64 computation (masking and logQ included)', async () => {
  await initEngine({ backend: 'cpu', native: false, fused: false });
  for (const c of cases) {
    const states = values(c.rows * c.d, 0.8);
    const table = values((c.numItems + 2) * c.d, 0.8);
    const targets = targetsFor(c);
    const [value] = lossAndGrads(c, states, table, targets);
    assert.ok(Math.abs(value[0] - directLoss(c, states, table, targets)) < 1e-4, `${c.name}: ${value[0]}`);
  }
});

for (const backend of ['wasm', 'cpu'] as const) {
  test(
    `the native softmax loss on ${backend} matches plain tfjs ops: value, d(states), d(table)`,
    { skip: nativeKernels() ? false : 'native kernels not built' },
    async () => {
      for (const c of cases) {
        const states = values(c.rows * c.d, 0.8);
        const table = values((c.numItems + 2) * c.d, 0.8);
        const targets = targetsFor(c);
        await initEngine({ backend: 'cpu', native: false, fused: false });
        const expected = lossAndGrads(c, states, table, targets);
        await initEngine({ backend, native: true });
        const actual = lossAndGrads(c, states, table, targets);
        ['value', 'd(states)', 'd(table)'].forEach((what, i) => assertClose(expected[i], actual[i], `${c.name}: ${what}`));
        // the rows never scored (padding, the extra row) get no gradient from the full softmax
        if (!c.candidates)
          for (const row of [0, c.numItems + 1])
            assert.ok(
              actual[2].slice(row * c.d, (row + 1) * c.d).every((v) => v === 0),
              `${c.name}: row ${row}`,
            );
      }
    },
  );
}

test(
  'the native softmax loss refuses targets and candidates outside the table before writing anything',
  { skip: nativeKernels() ? false : 'native kernels not built' },
  () => {
    const native = nativeKernels()!;
    const states = values(2 * 3);
    const table = values(5 * 3);
    const dStates = new Float32Array(6).fill(7);
    const dTable = new Float32Array(15).fill(7);
    const none = new Float32Array(0);
    assert.throws(() => native.softmaxLoss(states, table, Int32Array.of(1, 4), new Int32Array(0), none, dStates, dTable, 2, 3, 3), /target is outside/);
    assert.throws(() => native.softmaxLoss(states, table, Int32Array.of(0, 2), new Int32Array(0), none, dStates, dTable, 2, 3, 3), /target is outside/);
    assert.throws(() => native.softmaxLoss(states, table, Int32Array.of(1, 2), Int32Array.of(1, 5), none, dStates, dTable, 2, 3, 3), /candidate is outside/);
    assert.throws(
      () => native.softmaxLoss(states, table, Int32Array.of(1, 2), Int32Array.of(1, 2), Float32Array.of(1), dStates, dTable, 2, 3, 3),
      /do not fit/,
    );
    assert.throws(() => native.softmaxLoss(states, table, Int32Array.of(1, 2), new Int32Array(0), none, dStates, dTable, 2, 3, 5), /do not fit/);
    assert.ok(dStates.every((v) => v === 7) && dTable.every((v) => v === 7), 'nothing was written');
  },
);
