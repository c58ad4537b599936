import { tf, type Tensor, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf';
import type { EncoderHooks, SequentialRecommender } from './types';

/**
 * Sparse embedding updates: during a training step the trainer may hand the model only the rows the
 * batch touches (a small trainable copy), with model id → row. Lookups then read those rows, so the
 * gradient is one row per touched item instead of a whole-table scatter, and Adam updates only them.
 */
export interface TouchedRows {
  rows: Variable;
  /** model id → index in rows (-1: not in this batch) */
  local: Int32Array;
}

let touched: TouchedRows | null = null;

export function withTouchedRows<T>(rows: TouchedRows, f: () => T): T {
  touched = rows;
  try {
    return f();
  } finally {
    touched = null;
  }
}

/** The item table a model's scores are dot products with: E, or what a hook makes of it (GRASP's semantic term). */
export function scoringTable(model: SequentialRecommender): Tensor2D {
  return model.hooks.scoringTable ? model.hooks.scoringTable(model.itemEmbedding) : (model.itemEmbedding as Tensor as Tensor2D);
}

/** table[ids], or the touched rows during a sparse step. */
export function gatherItems(table: Tensor, ids: Tensor): Tensor {
  if (!touched) return tf.gather(table, ids);
  const { table: rows, ids: mapped } = itemRows(table, ids.dataSync() as Int32Array);
  return tf.gather(rows, tf.tensor(mapped, ids.shape, 'int32'));
}

/** The table a lookup of model ids reads and the row of each id: the table itself, or the touched rows during a sparse step. */
export function itemRows(table: Tensor, ids: Int32Array): { table: Tensor2D; ids: Int32Array } {
  if (!touched) return { table: table as Tensor as Tensor2D, ids };
  const local = touched.local;
  const mapped = Int32Array.from(ids, (id) => {
    const row = local[id];
    if (row === undefined || row < 0) throw new Error(`item ${id} is not among the batch's touched rows`);
    return row;
  });
  return { table: touched.rows as Tensor as Tensor2D, ids: mapped };
}

/** E[ids] ([B, L] → [B, L, d]), then the GRASP input hook when one is set. */
export function lookupItems(table: Variable, ids: Tensor2D, hooks: EncoderHooks, training: boolean): Tensor3D {
  const base = gatherItems(table, ids) as Tensor3D;
  return hooks.inputItems ? hooks.inputItems(ids, base, training) : base;
}

/** Writes the last `maxLen` items of history (dataset ids) as model ids (+1), left-padded with 0. */
export function leftPadded(history: ArrayLike<number>, maxLen: number, out: Int32Array, offset: number, reserveLast = false): void {
  const room = reserveLast ? maxLen - 1 : maxLen;
  const take = Math.min(room, history.length);
  const start = offset + room - take;
  out.fill(0, offset, offset + maxLen);
  for (let i = 0; i < take; i++) out[start + i] = history[history.length - take + i] + 1;
}
