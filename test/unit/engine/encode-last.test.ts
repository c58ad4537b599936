import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initEngine, nativeKernels } from '../../../src/core/engine/backend';
import { tf } from '../../../src/core/engine/tf';
import { createModel } from '../../../src/core/model';

for (const [backend, native] of [
  ['wasm', true],
  ['cpu', false],
] as const) {
  test(
    `SASRec encodeLast (inference, last query only) equals encode()[:, L-1] on ${backend}`,
    { skip: native && !nativeKernels() ? 'native kernels not built' : false },
    async () => {
      await initEngine({ backend, native });
      for (const heads of [1, 2]) {
        const model = createModel({ kind: 'sasrec', d: 8, layers: 2, heads, dropout: 0.3, maxLen: 6 }, 20, 5);
        try {
          const ids = tf.tensor2d(Int32Array.from([0, 0, 3, 7, 1, 20, 0, 0, 0, 0, 0, 4, 5, 6, 7, 8, 9, 10]), [3, 6], 'int32');
          const full = tf.reshape(tf.slice(model.encode(ids, false), [0, 5, 0], [3, 1, 8]), [3, 8]).dataSync();
          const last = model.encodeLast!(ids).dataSync();
          for (let i = 0; i < full.length; i++) assert.ok(Math.abs(full[i] - last[i]) < 1e-5, `heads ${heads}, element ${i}: ${full[i]} vs ${last[i]}`);
        } finally {
          model.dispose();
        }
      }
    },
  );
}
