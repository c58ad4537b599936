// A whole training step's loss and gradients agree across backends: wasm with the added kernels
// (native or not) against the reference cpu backend. Dropout masks come from the model's own
// seeded stream, so they are the same on every backend.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initEngine, nativeKernels } from '../../../src/core/engine/backend';
import { tf } from '../../../src/core/engine/tf';
import { createModel, type ModelConfig } from '../../../src/core/model';
import type { LossKind } from '../../../src/core/model/losses';
import { batchLoss } from '../../../src/core/train/step';
import { TINY_ITEMS, tinyBatch } from '../model/tiny';

function gradients(config: ModelConfig, loss: LossKind): { loss: number; grads: Map<string, Float32Array> } {
  const model = createModel(config, TINY_ITEMS, 3);
  try {
    const batch = tinyBatch(model);
    const named = model.namedVariables();
    const { value, grads } = tf.variableGrads(
      () => batchLoss(model, batch, loss),
      named.map(([, v]) => v),
    );
    const out = new Map(named.map(([name, v]) => [name, grads[v.name].dataSync() as Float32Array]));
    return { loss: value.dataSync()[0], grads: out };
  } finally {
    model.dispose();
  }
}

const configs: ModelConfig[] = [
  { kind: 'sasrec', d: 8, layers: 2, heads: 2, dropout: 0.2, maxLen: 5 },
  { kind: 'gru4rec', d: 8, layers: 1, heads: 1, dropout: 0.2, maxLen: 5 },
  { kind: 'bert4rec', d: 8, layers: 1, heads: 2, dropout: 0.2, maxLen: 5 },
];

for (const [backend, native] of [
  ['wasm', true],
  ['wasm', false],
  ['cpu', true],
] as const) {
  for (const [config, loss] of [
    ...(['bce', 'sampled_softmax', 'ce'] as const).map((loss) => [configs[0], loss] as const),
    [configs[1], 'bce'] as const,
    [configs[2], 'ce'] as const,
  ]) {
    test(
      `${config.kind} ${loss} loss and gradients on ${backend}${native ? ' + native' : ''} match the cpu backend`,
      { skip: native && !nativeKernels() ? 'native kernels not built' : false },
      async () => {
        await initEngine({ backend: 'cpu', native: false, fused: false });
        const expected = gradients(config, loss);
        await initEngine({ backend, native });
        const actual = gradients(config, loss);
        assert.ok(Math.abs(expected.loss - actual.loss) < 1e-4 * (1 + Math.abs(expected.loss)), `loss ${expected.loss} vs ${actual.loss}`);
        for (const [name, e] of expected.grads) {
          const a = actual.grads.get(name)!;
          let worst = 0;
          let scale = 0;
          for (let i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
            scale = Math.max(scale, Math.abs(e[i]));
          }
          assert.ok(worst <= 1e-4 * (1 + scale), `${name}: max difference ${worst} (scale ${scale})`);
        }
      },
    );
  }
}
