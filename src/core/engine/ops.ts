// Model-facing operations that have fused kernels on the wasm and cpu backends (kernels/fused.ts)
// and are composed from standard tfjs ops elsewhere (tfjs-node). Both paths compute the same thing;
// tests compare them.
import { ATTENTION, DENSE, DROPOUT, dropoutHash, LAYER_NORM } from './kernels/fused';
import { INDEXED_ATTENTION } from './kernels/indexedAttention';
import { POOLED_ROWS } from './kernels/pooledRows';
import { GELU } from './kernels/gelu';
import { GRU } from './kernels/gru';
import { SOFTMAX_LOSS } from './kernels/softmaxLoss';
import { UNIT_ROWS, UNIT_ROWS_EPSILON } from './kernels/unitRows';
import { tf, type Tensor, type Tensor2D, type Tensor3D } from './tf';

let fusedBackends = new Set<string>();
let nativeFusedBackends = new Set<string>();

/** Called by the engine once it has registered the fused kernels (and the native-only ones) for backends. */
export function setFusedBackends(backends: string[], withNative: string[] = []): void {
  fusedBackends = new Set(backends);
  nativeFusedBackends = new Set(withNative);
}

export function fusedAvailable(): boolean {
  return fusedBackends.has(tf.getBackend());
}

function nativeFusedAvailable(): boolean {
  return nativeFusedBackends.has(tf.getBackend());
}

/** x·W + b, then ReLU when asked; x is [N, in], W [in, out]. */
export function dense(x: Tensor2D, w: Tensor, b: Tensor, relu = false): Tensor2D {
  if (nativeFusedAvailable()) return tf.engine().runKernel(DENSE, { x, w, b }, { relu }) as Tensor2D;
  const y = tf.add(tf.matMul(x, w as Tensor2D), b) as Tensor2D;
  return relu ? tf.relu(y) : y;
}

/** x · mask / (1 - rate) with mask from a stateless hash of (seed, element index). */
export function dropout<T extends Tensor>(x: T, rate: number, seed: number): T {
  if (rate <= 0) return x;
  if (fusedAvailable()) return tf.engine().runKernel(DROPOUT, { x }, { seed: seed >>> 0, rate }) as T;
  return tf.mul(x, dropoutMask(x.shape, rate, seed >>> 0)) as T;
}

export function dropoutMask(shape: number[], rate: number, seed: number): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(count);
  const threshold = Math.floor(rate * 4294967296);
  const scale = Math.fround(1 / (1 - rate));
  for (let i = 0; i < count; i++) values[i] = dropoutHash(seed, i) >= threshold ? scale : 0;
  return tf.tensor(values, shape, 'float32');
}

/** Layer normalisation over the last axis. */
export function layerNorm<T extends Tensor>(x: T, gamma: Tensor, beta: Tensor, epsilon: number): T {
  if (fusedAvailable()) return tf.engine().runKernel(LAYER_NORM, { x, gamma, beta }, { epsilon }) as T;
  return layerNormComposite(x, gamma, beta, epsilon);
}

export function layerNormComposite<T extends Tensor>(x: T, gamma: Tensor, beta: Tensor, epsilon: number): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(normalised, gamma), beta) as T;
}

/** Additive score bias: one [L, L] matrix for every sequence (causal), or per sequence over keys ([B, L], padding). */
export type AttentionBias = { kind: 'all'; bias: Tensor2D } | { kind: 'keys'; bias: Tensor2D } | null;

/**
 * softmax(scale·q·kᵀ + bias) with dropout on the weights, times v, for q, k, v of [B·heads, L, dh]
 * (sequence-major: slice b·heads + h). The dropout mask is hashed from the flat [B·heads, L, L] index.
 */
export function attention(q: Tensor3D, k: Tensor3D, v: Tensor3D, bias: AttentionBias, heads: number, rate: number, seed: number): Tensor3D {
  const [bh, L, dh] = q.shape;
  const scale = 1 / Math.sqrt(dh);
  if (nativeFusedAvailable()) {
    const biasMode = bias === null ? 0 : bias.kind === 'all' ? 1 : 2;
    const biasTensor: Tensor = bias?.bias ?? tf.zeros([1]);
    const [out] = tf.engine().runKernel(ATTENTION, { q, k, v, bias: biasTensor }, { heads, biasMode, scale, rate, seed: seed >>> 0 }) as Tensor[];
    return out as Tensor3D;
  }
  let scores = tf.mul(tf.matMul(q, k, false, true), scale) as Tensor3D;
  if (bias?.kind === 'all') scores = tf.add(scores, bias.bias);
  else if (bias?.kind === 'keys')
    scores = tf.reshape(tf.add(tf.reshape(scores, [bh / heads, heads, L, L]), tf.reshape(bias.bias, [bh / heads, 1, 1, L])), [bh, L, L]);
  const weights = dropout(tf.softmax(scores), rate, seed);
  return tf.matMul(weights, v) as Tensor3D;
}

/**
 * Row r of q ([rows, d]) attends over the rows index[r, s] of keys and values ([table, d]); an index
 * of −1 is no slot (weight 0; a row without any slot gets out = 0). Returns out [rows, d] and the
 * weights [rows, slots]. The composite path gathers [rows, slots, d] copies; the fused kernel does not.
 */
export function indexedAttention(q: Tensor2D, keys: Tensor2D, values: Tensor2D, index: Int32Array, scale: number): { out: Tensor2D; weights: Tensor2D } {
  const rows = q.shape[0];
  const slots = rows === 0 ? 0 : index.length / rows;
  if (fusedAvailable()) {
    const [out, weights] = tf
      .engine()
      .runKernel(INDEXED_ATTENTION, { q, keys, values, index: tf.tensor2d(index, [rows, slots], 'int32') }, { scale }) as Tensor2D[];
    return { out, weights };
  }
  const safe = tf.tensor1d(
    Int32Array.from(index, (at) => Math.max(0, at)),
    'int32',
  );
  const d = q.shape[1];
  const gathered = (t: Tensor2D) => tf.reshape(tf.gather(t, safe), [rows, slots, d]);
  const missing = tf.tensor2d(
    Float32Array.from(index, (at) => (at < 0 ? 1 : 0)),
    [rows, slots],
  );
  const scores = tf.sub(tf.mul(tf.sum(tf.mul(tf.expandDims(q, 1), gathered(keys)), -1), scale), tf.mul(missing, 1e9));
  // a row with no slot at all would get uniform weights over nothing: zeroed
  const weights = tf.mul(tf.softmax(scores), tf.sub(1, missing)) as Tensor2D;
  return { out: tf.sum(tf.mul(tf.expandDims(weights, 2), gathered(values)), 1) as Tensor2D, weights };
}

/**
 * out[s] = scale[s] · Σ over i with segments[i] = s of table[rows[i]] ([scale.length, d]): weighted sums
 * (means, with scale = 1/count) of table rows by group. Fused, the rows are never copied out of the table.
 */
export function pooledRows(table: Tensor, rows: Int32Array, segments: Int32Array, scale: Float32Array): Tensor2D {
  const count = scale.length;
  const [rowTensor, segmentTensor] = [rows, segments].map((ids) => tf.tensor1d(ids, 'int32'));
  if (fusedAvailable())
    return tf.engine().runKernel(POOLED_ROWS, { table, rows: rowTensor, segments: segmentTensor, scale: tf.tensor1d(scale) }, {}) as Tensor2D;
  return tf.mul(tf.unsortedSegmentSum(tf.gather(table, rowTensor), segmentTensor, count), tf.tensor2d(scale, [count, 1])) as Tensor2D;
}

/** Each row over the last axis scaled to unit length (a zero row stays zero). */
export function unitRows<T extends Tensor>(x: T): T {
  if (fusedAvailable()) return tf.engine().runKernel(UNIT_ROWS, { x }, {}) as T;
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), UNIT_ROWS_EPSILON))) as T;
}

/**
 * Mean softmax cross-entropy of next-item scores states·tableᵀ. `candidates` null: full softmax over
 * table rows 1..numItems (row 0 is padding; targets are rows in 1..numItems). Otherwise sampled
 * softmax: each target against the candidate rows shared by the batch, a candidate equal to the
 * target masked, each candidate's logit minus logQ[k] when given (popularity sampling).
 */
export function softmaxCrossEntropy(
  states: Tensor2D,
  table: Tensor2D,
  targets: Int32Array,
  candidates: Int32Array | null,
  logQ: Float32Array | null,
  numItems: number,
): tf.Scalar {
  const targetTensor = tf.tensor1d(targets, 'int32');
  if (nativeFusedAvailable()) {
    const inputs = {
      states,
      table,
      targets: targetTensor,
      candidates: tf.tensor1d(candidates ?? new Int32Array(0), 'int32'),
      logQ: tf.tensor1d(logQ ?? new Float32Array(0)),
    };
    const [loss] = tf.engine().runKernel(SOFTMAX_LOSS, inputs, { numItems }) as Tensor[];
    return loss as tf.Scalar;
  }
  // the target's logit from its own row (gathering from the [rows, items] logits would make the
  // gradient a scatter over rows·items segments, which the cpu backend does one segment at a time)
  const positive = tf.sum(tf.mul(states, tf.gather(table, targetTensor)), -1);
  if (!candidates) {
    const logits = tf.matMul(states, tf.slice(table, [1, 0], [numItems, -1]), false, true);
    return tf.mean(tf.sub(tf.logSumExp(logits, -1), positive)) as tf.Scalar;
  }
  let negative = tf.matMul(states, tf.gather(table, tf.tensor1d(candidates, 'int32')), false, true) as Tensor2D;
  if (logQ) negative = tf.sub(negative, tf.tensor2d(logQ, [1, candidates.length]));
  const masked = new Uint8Array(targets.length * candidates.length);
  targets.forEach((target, r) => candidates.forEach((candidate, k) => (masked[r * candidates.length + k] = candidate === target ? 1 : 0)));
  negative = tf.where(tf.tensor2d(masked, negative.shape, 'bool'), tf.fill(negative.shape, -Infinity), negative);
  const logits = tf.concat([tf.expandDims(positive, 1), negative], 1);
  return tf.mean(tf.sub(tf.logSumExp(logits, -1), positive)) as tf.Scalar;
}

/**
 * One GRU layer (PyTorch's gate equations) over [B, L] sequences: xp [B, L, 3d] are the input
 * projections (gates r | z | n, bias included), wh [d, 3d] and bh [3d] the hidden ones; where keep
 * [B, L] is 0 (padding) the state is carried over unchanged (zero before the first item).
 */
export function gruLayer(xp: Tensor3D, wh: Tensor2D, bh: Tensor, keep: Tensor2D): Tensor3D {
  if (nativeFusedAvailable()) return (tf.engine().runKernel(GRU, { xp, wh, bh, keep }, {}) as Tensor[])[0] as Tensor3D;
  const [B, L, d3] = xp.shape;
  const d = d3 / 3;
  const steps = tf.unstack(xp, 1) as Tensor2D[];
  const keeps = tf.unstack(tf.expandDims(keep, -1), 1) as Tensor2D[];
  let h = tf.zeros([B, d]) as Tensor2D;
  const states: Tensor2D[] = [];
  for (let t = 0; t < L; t++) {
    const [xr, xz, xn] = tf.split(steps[t], 3, 1);
    const [hr, hz, hn] = tf.split(tf.add(tf.matMul(h, wh), bh), 3, 1);
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    const next = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
    h = tf.add(tf.mul(keeps[t], next), tf.mul(tf.sub(1, keeps[t]), h)) as Tensor2D;
    states.push(h);
  }
  return tf.stack(states, 1) as Tensor3D;
}

/** Exact GELU, x · Φ(x) = ½ x (1 + erf(x / √2)) (BERT4Rec's activation). */
export function gelu<T extends Tensor>(x: T): T {
  if (nativeFusedAvailable()) return tf.engine().runKernel(GELU, { x }, {}) as T;
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as T;
}
