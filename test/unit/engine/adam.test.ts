import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Adam, adamInJs, ADAM_DEFAULTS } from '../../../src/core/engine/adam';
import { initEngine, nativeKernels } from '../../../src/core/engine/backend';
import { tf } from '../../../src/core/engine/tf';

/** PyTorch's Adam written out for one scalar, steps 1..n. */
function reference(param: number, grads: number[], { lr, beta1, beta2, epsilon } = ADAM_DEFAULTS): number {
  let m = 0;
  let v = 0;
  grads.forEach((g, i) => {
    const t = i + 1;
    m = beta1 * m + (1 - beta1) * g;
    v = beta2 * v + (1 - beta2) * g * g;
    param -= ((lr / (1 - beta1 ** t)) * m) / (Math.sqrt(v) / Math.sqrt(1 - beta2 ** t) + epsilon);
  });
  return param;
}

const grads = [0.5, -0.25, 1e-3, 2, -3];

test('Adam in JS follows PyTorch\u2019s update rule', () => {
  const p = Float32Array.of(1, -2);
  const m = new Float32Array(2);
  const v = new Float32Array(2);
  grads.forEach((g, i) => adamInJs(p, Float32Array.of(g, -g), m, v, ADAM_DEFAULTS, i + 1));
  assert.ok(Math.abs(p[0] - reference(1, grads)) < 1e-6);
  assert.ok(
    Math.abs(
      p[1] -
        reference(
          -2,
          grads.map((g) => -g),
        ),
    ) < 1e-6,
  );
});

test('native Adam (whole block and chosen rows) matches the JS rule', { skip: nativeKernels() ? false : 'native kernels not built' }, () => {
  const native = nativeKernels()!;
  const n = 200_003; // above the threading grain, odd length
  const p1 = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const p2 = p1.slice();
  const [m1, v1, m2, v2] = [0, 0, 0, 0].map(() => new Float32Array(n));
  for (let step = 1; step <= 3; step++) {
    const g = Float32Array.from({ length: n }, (_, i) => Math.cos(i * step));
    native.adam(p1, g, m1, v1, 1e-3, 0.9, 0.98, 1e-8, step);
    adamInJs(p2, g, m2, v2, ADAM_DEFAULTS, step);
  }
  for (let i = 0; i < n; i += 997) assert.ok(Math.abs(p1[i] - p2[i]) < 1e-6, `element ${i}`);
  // rows 1 and 3 of a 4x3 table
  const table = Float32Array.from({ length: 12 }, (_, i) => i);
  const m = new Float32Array(12);
  const v = new Float32Array(12);
  native.adamRows(table, Float32Array.of(1, 1, 1, -1, -1, -1), m, v, Int32Array.of(1, 3), 3, 0.1, 0.9, 0.98, 1e-8, 1);
  assert.deepEqual(Array.from(table.subarray(0, 3)), [0, 1, 2]);
  assert.deepEqual(Array.from(table.subarray(6, 9)), [6, 7, 8]);
  assert.ok(Math.abs(table[3] - 2.9) < 1e-5 && Math.abs(table[9] - 9.1) < 1e-5);
  assert.throws(() => native.adamRows(table, new Float32Array(3), m, v, Int32Array.of(4), 3, 0.1, 0.9, 0.98, 1e-8, 1), /outside the table/);
  assert.throws(() => native.gemm(new Float32Array(4), new Float32Array(4), new Float32Array(3), 1, 2, 2, 2, false, false, 4, 4, 4, 1, 0), /do not fit/);
});

for (const backend of ['wasm', 'cpu'] as const) {
  test(`the Adam optimiser updates variables in place on ${backend} like tfjs's own Adam`, async () => {
    await initEngine({ backend });
    const start = [0.3, -1.2, 2.5, 0];
    const ours = tf.variable(tf.tensor(start), true, `adam-ours-${backend}`);
    const theirs = tf.variable(tf.tensor(start), true, `adam-theirs-${backend}`);
    const optimizer = new Adam([['w', ours]]);
    const tfAdam = tf.train.adam(ADAM_DEFAULTS.lr, ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon);
    for (let step = 0; step < 4; step++) {
      const g = tf.tensor([step + 1, -2, 0.5, 0]);
      optimizer.apply({ w: g });
      tfAdam.applyGradients([{ name: theirs.name, tensor: g }]);
    }
    const a = ours.dataSync();
    const b = theirs.dataSync();
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5, `element ${i}: ${a[i]} vs ${b[i]}`);
    assert.equal(a[3], 0, 'zero gradient from zero moments leaves the parameter unchanged');
  });
}
