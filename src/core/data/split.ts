import type { Split } from './types';

/** Users need this many interactions to be evaluated: at least one to train on, then valid and test. */
export const MIN_EVALUATED_LENGTH = 3;

/**
 * Leave-one-out in time order (DESIGN §3): last item = test, second-to-last = validation, the
 * rest = training prefix. Shorter users keep everything in training and are not evaluated.
 */
export function leaveOneOut(sequences: Int32Array[]): Split {
  const valid = new Int32Array(sequences.length).fill(-1);
  const test = new Int32Array(sequences.length).fill(-1);
  const train = sequences.map((sequence, user) => {
    if (sequence.length < MIN_EVALUATED_LENGTH) return sequence.slice();
    valid[user] = sequence[sequence.length - 2];
    test[user] = sequence[sequence.length - 1];
    return sequence.slice(0, sequence.length - 2);
  });
  return { train, valid, test };
}

/** Training prefix + validation item per user: the history the test step reads (test-time user retrieval profiles it). */
export function testTimeSplit(split: Split): Split {
  return { ...split, train: split.train.map((prefix, u) => (split.valid[u] >= 0 ? Int32Array.of(...prefix, split.valid[u]) : prefix)) };
}
