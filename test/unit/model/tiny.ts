// The tiny training data the model tests share: four sequences over 12 items (dataset ids), and a
// seeded batch of all four for a model's objective (two sampled negatives per position).
import type { SequentialRecommender } from '../../../src/core/model';
import { ClozeSampler, NextItemSampler } from '../../../src/core/train/sampler';
import { Random } from '../../../src/core/util/random';

export const TINY_ITEMS = 12;

export const TINY_TRAIN = [
  [0, 1, 2, 3, 4, 5],
  [5, 4, 3],
  [6, 7, 8, 9, 6, 7, 8],
  [1, 3, 5, 7, 9, 11, 2],
].map((s) => Int32Array.from(s));

/** A batch of the four sequences for a model of TINY_ITEMS items: cloze (mask token TINY_ITEMS + 1, 40 % masked) or next item. */
export function tinyBatch(model: SequentialRecommender) {
  const users = Int32Array.from([0, 1, 2, 3]);
  const { maxLen } = model.config;
  return model.objective === 'cloze'
    ? new ClozeSampler(TINY_TRAIN, TINY_ITEMS, maxLen, TINY_ITEMS + 1, 0.4, { kind: 'per-position', count: 2 }, new Random(5)).batch(users)
    : new NextItemSampler(TINY_TRAIN, TINY_ITEMS, maxLen, { kind: 'per-position', count: 2 }, new Random(5)).batch(users);
}
