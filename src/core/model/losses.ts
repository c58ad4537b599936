// Next-item losses on the states of the positions that have a target. Item ids are model ids
// (dataset id + 1); scores are dot products with the tied item embedding.
import { tf, type Tensor1D, type Tensor2D, type Variable } from '../engine/tf';
import { gatherItems } from './embedding';

export type LossKind = 'bce' | 'sampled_softmax' | 'ce';
export const LOSS_KINDS: readonly LossKind[] = ['bce', 'sampled_softmax', 'ce'];

export interface LossInput {
  /** [N, d] states at positions with a target */
  states: Tensor2D;
  /** [N] target model ids */
  positives: Tensor1D;
  /** [N, k] sampled negative model ids (bce, sampled_softmax) */
  negatives?: Tensor2D;
  table: Variable;
  /** Model ids 1..numItems are real items (higher rows, e.g. BERT4Rec's mask, are never scored). */
  numItems: number;
}

export function lossValue(kind: LossKind, input: LossInput): tf.Scalar {
  const { states, positives, negatives, table } = input;
  if (kind === 'ce') {
    // Full softmax over every item: logits [N, numItems] against E[1..numItems].
    const items = tf.slice(table, [1, 0], [input.numItems, -1]);
    const logits = tf.matMul(states, items, false, true);
    const targets = tf.sub(tf.cast(positives, 'int32'), tf.scalar(1, 'int32')) as Tensor1D;
    return tf.mean(tf.sub(tf.logSumExp(logits, -1), gatherColumn(logits, targets))) as tf.Scalar;
  }
  if (!negatives) throw new Error(`loss ${kind} needs sampled negatives`);
  const positiveLogit = tf.sum(tf.mul(states, gatherItems(table, positives)), -1); // [N]
  const [N, k] = negatives.shape;
  const negativeRows = tf.reshape(gatherItems(table, tf.reshape(negatives, [N * k])), [N, k, -1]);
  const negativeLogits = tf.sum(tf.mul(tf.expandDims(states, 1), negativeRows), -1) as Tensor2D; // [N, k]
  if (kind === 'bce') {
    // PyTorch's BCE-with-logits as the reference sums it: mean over positives + mean over negatives.
    return tf.add(tf.mean(tf.softplus(tf.neg(positiveLogit))), tf.mean(tf.softplus(negativeLogits))) as tf.Scalar;
  }
  // sampled softmax: the positive against its k negatives, cross-entropy with the positive as class 0
  const logits = tf.concat([tf.expandDims(positiveLogit, 1), negativeLogits], 1);
  return tf.mean(tf.sub(tf.logSumExp(logits, -1), positiveLogit)) as tf.Scalar;
}

/** logits[i, targets[i]] without materialising a one-hot matrix. */
function gatherColumn(logits: tf.Tensor, targets: Tensor1D): Tensor1D {
  const [N, V] = logits.shape;
  const flatIndex = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), tf.cast(targets, 'int32'));
  return tf.gather(tf.reshape(logits, [N * V]), flatIndex) as Tensor1D;
}
