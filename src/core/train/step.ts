// One optimisation step: forward, loss, gradients of every named variable, Adam. Returns the loss.
import type { Adam } from '../engine/adam';
import { tf, type Tensor, type Tensor2D } from '../engine/tf';
import { lossValue, type LossKind } from '../model/losses';
import type { SequentialRecommender } from '../model/types';
import type { NextItemBatch } from './sampler';
import { scoringTable, withTouchedRows } from '../model/embedding';

/** The states at the batch's target positions ([N, d]) and the loss on them. */
export function batchLoss(model: SequentialRecommender, batch: NextItemBatch, loss: LossKind): tf.Scalar {
  const L = model.config.maxLen;
  const B = batch.batchSize;
  const ids = tf.tensor2d(batch.input, [B, L], 'int32');
  const states = model.encode(ids, true, batch.users);
  const positions = tf.tensor1d(batch.positions, 'int32');
  const flat = tf.gather(tf.reshape(states, [B * L, model.config.d]), positions) as Tensor2D;
  const positives = Int32Array.from(batch.positions, (p) => batch.targets[p]);
  const value = lossValue(loss, {
    states: flat,
    positives,
    negatives: batch.negatives,
    logQ: batch.logQ,
    table: scoringTable(model),
    numItems: model.numItems,
  });
  const extra = model.hooks.auxiliaryLoss?.();
  return extra ? (tf.add(value, extra) as tf.Scalar) : value;
}

export function trainStep(model: SequentialRecommender, optimizer: Adam, batch: NextItemBatch, loss: LossKind, sparseEmbedding = false): number {
  if (batch.positions.length === 0) return NaN;
  if (sparseEmbedding && loss !== 'ce') return sparseStep(model, optimizer, batch, loss);
  const named = model.namedVariables();
  const { value, grads } = tf.variableGrads(
    () => tf.tidy(() => batchLoss(model, batch, loss)),
    named.map(([, variable]) => variable),
  );
  const byName: Record<string, Tensor> = {};
  for (const [name, variable] of named) if (grads[variable.name]) byName[name] = grads[variable.name];
  optimizer.apply(byName);
  const lossValueNumber = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return lossValueNumber;
}

/** Model ids a batch reads from the item table: inputs, targets at its positions, negatives. */
export function touchedIds(batch: NextItemBatch): Int32Array {
  const seen = new Set<number>();
  for (const id of batch.input) seen.add(id);
  for (const p of batch.positions) seen.add(batch.targets[p]);
  for (const id of batch.negatives) seen.add(id);
  return Int32Array.from([...seen].sort((a, b) => a - b));
}

/**
 * The item table enters the step as a trainable copy of only the touched rows: its gradient is
 * [touched, d] and lazy Adam moves only those rows (the other rows' moments are not decayed, as in
 * TensorFlow's LazyAdam / PyTorch's SparseAdam).
 */
function sparseStep(model: SequentialRecommender, optimizer: Adam, batch: NextItemBatch, loss: LossKind): number {
  const ids = touchedIds(batch);
  const local = new Int32Array(model.itemEmbedding.shape[0]).fill(-1);
  ids.forEach((id, i) => (local[id] = i));
  const rows = tf.variable(
    tf.tidy(() => tf.gather(model.itemEmbedding, tf.tensor1d(ids, 'int32'))),
    true,
    `touched-rows-${Math.random().toString(36).slice(2)}`,
  );
  try {
    const named = model.namedVariables().filter(([, variable]) => variable !== model.itemEmbedding);
    const tableName = model.namedVariables().find(([, variable]) => variable === model.itemEmbedding)![0];
    const { value, grads } = withTouchedRows({ rows, local }, () =>
      tf.variableGrads(() => tf.tidy(() => batchLoss(model, batch, loss)), [...named.map(([, variable]) => variable), rows]),
    );
    const byName: Record<string, Tensor> = {};
    for (const [name, variable] of named) if (grads[variable.name]) byName[name] = grads[variable.name];
    optimizer.apply(byName);
    optimizer.applyRows(tableName, grads[rows.name], ids);
    const lossValueNumber = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return lossValueNumber;
  } finally {
    rows.dispose();
  }
}
