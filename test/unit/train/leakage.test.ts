// DESIGN §3: validation and test items never reach training inputs, targets, the negatives'
// exclusion sets, or the popularity counts the model or evaluator use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaveOneOut } from '../../../src/core/data/split';
import { trainingPopularity } from '../../../src/core/eval/evaluator';
import { NextItemSampler } from '../../../src/core/train/sampler';
import { Random } from '../../../src/core/util/random';

test('training batches hold training items only: no validation or test item in inputs or targets', () => {
  // user u: training items from 0..19, validation item 20 + 2u, test item 21 + 2u (unique, never trained on)
  const random = new Random(3);
  const sequences = Array.from({ length: 30 }, (_, u) => {
    const length = 2 + random.int(12);
    const train = Array.from({ length }, () => random.int(20));
    return Int32Array.from([...train, 20 + 2 * u, 21 + 2 * u]);
  });
  const split = leaveOneOut(sequences);
  const held = new Set(sequences.flatMap((_, u) => [20 + 2 * u + 1, 21 + 2 * u + 1])); // as model ids (+1)
  const sampler = new NextItemSampler(split.train, 80, 6, { kind: 'per-position', count: 3 }, new Random(1));
  let checked = 0;
  for (let epoch = 0; epoch < 3; epoch++) {
    for (const batch of sampler.epoch(7)) {
      for (const id of batch.input) assert.ok(!held.has(id), `held-out item ${id - 1} in a training input`);
      for (const id of batch.targets) assert.ok(!held.has(id), `held-out item ${id - 1} as a training target`);
      checked += batch.input.length;
    }
  }
  assert.ok(checked > 0);
  assert.deepEqual(Array.from(trainingPopularity(split, 80).subarray(20)), new Array(60).fill(0), 'popularity counts only training prefixes');
});

test('negatives exclude exactly the user\u2019s training items, so held-out items stay possible negatives', () => {
  // catalogue of 6: training items 0..3, validation 4, test 5. Excluding only training items leaves 4 and 5:
  // if validation/test were in the exclusion set, no negative could be drawn at all.
  const split = leaveOneOut([Int32Array.of(0, 1, 2, 3, 4, 5)]);
  const sampler = new NextItemSampler(split.train, 6, 5, { kind: 'per-position', count: 4 }, new Random(9));
  const batch = sampler.batch(Int32Array.of(0));
  assert.equal(batch.positions.length, 3);
  const negatives = new Set(batch.negatives);
  for (const id of negatives) assert.ok(id === 5 || id === 6, `negative ${id - 1} is a training item`);
  assert.equal(negatives.size, 2, 'both held-out items are drawn as negatives');
  assert.deepEqual(Array.from(batch.input), [0, 0, 1, 2, 3]);
  assert.deepEqual(Array.from(batch.targets), [0, 0, 2, 3, 4]);
});
