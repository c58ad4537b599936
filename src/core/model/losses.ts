// Next-item losses on the states of the positions that have a target. Item ids are model ids
// (dataset id + 1); scores are dot products with the tied item embedding.
import { softmaxCrossEntropy } from '../engine/ops';
import { tf, type Tensor2D } from '../engine/tf';
import { gatherItems, itemRows } from './embedding';
import type { LossKind } from './types';

// Declared beside LOSS_KINDS in ./types (no run-time imports, for the config schema); re-exported for
// the modules that import it from here.
export type { LossKind } from './types';

export interface LossInput {
  /** [N, d] states at positions with a target */
  states: Tensor2D;
  /** [N] target model ids */
  positives: Int32Array;
  /** bce: [N, k] negatives per position, row-major; sampled_softmax: [k] negatives shared by the batch */
  negatives?: Int32Array;
  /** sampled_softmax: log of each shared negative's sampling probability times k (logQ correction), or none */
  logQ?: Float32Array;
  /** the scoring table (E, or a hook's, see scoringTable) */
  table: Tensor2D;
  /** Model ids 1..numItems are real items (higher rows, e.g. BERT4Rec's mask, are never scored). */
  numItems: number;
}

export function lossValue(kind: LossKind, input: LossInput): tf.Scalar {
  const { states, positives, negatives, table } = input;
  // Full softmax over every item: the table itself (a sparse step never runs it).
  if (kind === 'ce') return softmaxCrossEntropy(states, table, positives, null, null, input.numItems);
  if (!negatives) throw new Error(`loss ${kind} needs sampled negatives`);
  if (kind === 'sampled_softmax') {
    const rows = itemRows(table, Int32Array.from([...positives, ...negatives]));
    return softmaxCrossEntropy(
      states,
      rows.table,
      rows.ids.subarray(0, positives.length),
      rows.ids.subarray(positives.length),
      input.logQ ?? null,
      input.numItems,
    );
  }
  // BCE as the reference computes it: mean over positives + mean over negatives (k per position).
  const N = positives.length;
  const k = negatives.length / N;
  const positiveLogit = tf.sum(tf.mul(states, gatherItems(table, tf.tensor1d(positives, 'int32'))), -1); // [N]
  const negativeRows = tf.reshape(gatherItems(table, tf.tensor1d(negatives, 'int32')), [N, k, -1]);
  const negativeLogits = tf.sum(tf.mul(tf.expandDims(states, 1), negativeRows), -1) as Tensor2D; // [N, k]
  return tf.add(tf.mean(tf.softplus(tf.neg(positiveLogit))), tf.mean(tf.softplus(negativeLogits))) as tf.Scalar;
}
