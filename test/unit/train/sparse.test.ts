import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Adam } from '../../../src/core/engine/adam';
import { initEngine } from '../../../src/core/engine/backend';
import { createModel } from '../../../src/core/model';
import { NextItemSampler } from '../../../src/core/train/sampler';
import { touchedIds, trainStep } from '../../../src/core/train/step';
import { Random } from '../../../src/core/util/random';

const train = [
  [0, 1, 2, 3, 4, 5],
  [5, 4, 3],
  [6, 7, 8, 9, 6, 7, 8],
].map((s) => Int32Array.from(s));

/** Parameters after `steps` training steps on the same batch, dense or sparse embedding updates. */
function afterSteps(sparse: boolean, steps: number): Map<string, Float32Array> {
  const model = createModel({ kind: 'sasrec', d: 8, layers: 1, heads: 1, dropout: 0.1, maxLen: 5 }, 30, 3);
  try {
    const optimizer = new Adam(model.namedVariables());
    const sampler = new NextItemSampler(train, 30, 5, { kind: 'per-position', count: 2 }, new Random(4));
    for (let i = 0; i < steps; i++) trainStep(model, optimizer, sampler.batch(Int32Array.of(0, 1, 2)), 'bce', sparse);
    return new Map(model.namedVariables().map(([name, v]) => [name, v.dataSync().slice() as Float32Array]));
  } finally {
    model.dispose();
  }
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`sparse embedding updates on ${backend}: one step equals the dense step; untouched rows never move`, async () => {
    await initEngine({ backend });
    const dense = afterSteps(false, 1);
    const sparse = afterSteps(true, 1);
    for (const [name, values] of dense) {
      const other = sparse.get(name)!;
      for (let i = 0; i < values.length; i++) assert.ok(Math.abs(values[i] - other[i]) < 1e-6, `${name}[${i}]: ${values[i]} vs ${other[i]}`);
    }
    const initial = afterSteps(true, 0).get('item_emb')!;
    const moved = afterSteps(true, 3).get('item_emb')!;
    // the same three batches as afterSteps draws (negatives differ per step)
    const replay = new NextItemSampler(train, 30, 5, { kind: 'per-position', count: 2 }, new Random(4));
    const touched = new Set([0, 1, 2].flatMap(() => [...touchedIds(replay.batch(Int32Array.of(0, 1, 2)))]));
    assert.ok(touched.size < 31, 'some rows are untouched');
    for (let id = 0; id < 31; id++) {
      const changed = moved.subarray(id * 8, id * 8 + 8).some((v, j) => v !== initial[id * 8 + j]);
      if (!touched.has(id)) assert.equal(changed, false, `untouched row ${id} moved`);
    }
  });
}
