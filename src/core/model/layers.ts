// Building blocks shared by the backbones. Dense layers work on [N, d] matrices (callers flatten
// [B, L, d]) so each is one plain matmul, and its gradient too: batched matmuls are reserved for
// attention.
import { attention as attentionOp, dense as denseOp, layerNorm as layerNormOp, type AttentionBias } from '../engine/ops';
import { tf, type Tensor, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf';
import type { DropoutStream } from './dropout';
import type { ParamStore } from './params';

export interface Dense {
  w: Variable;
  b?: Variable;
}

/** PyTorch nn.Linear initialisation unless a weight init is given. */
export function dense(
  params: ParamStore,
  name: string,
  inSize: number,
  outSize: number,
  init: 'xavier' | 'linear' = 'linear',
  bias: 'zero' | 'linear' = 'linear',
): Dense {
  const w = init === 'xavier' ? params.xavierNormal(`${name}.w`, [inSize, outSize]) : params.uniform(`${name}.w`, [inSize, outSize], 1 / Math.sqrt(inSize));
  const b = bias === 'zero' ? params.constant(`${name}.b`, [outSize], 0) : params.uniform(`${name}.b`, [outSize], 1 / Math.sqrt(inSize));
  return { w, b };
}

export function applyDense(layer: Dense, x: Tensor2D, relu = false): Tensor2D {
  if (layer.b) return denseOp(x, layer.w, layer.b, relu);
  const y = tf.matMul(x, layer.w) as Tensor2D;
  return relu ? tf.relu(y) : y;
}

export interface LayerNorm {
  gamma: Variable;
  beta: Variable;
  epsilon: number;
}

export function layerNorm(params: ParamStore, name: string, size: number, epsilon: number): LayerNorm {
  return { gamma: params.constant(`${name}.gamma`, [size], 1), beta: params.constant(`${name}.beta`, [size], 0), epsilon };
}

export function applyLayerNorm<T extends Tensor>(norm: LayerNorm, x: T): T {
  return layerNormOp(x, norm.gamma, norm.beta, norm.epsilon);
}

export interface Attention {
  q: Dense;
  k: Dense;
  v: Dense;
  out: Dense;
  heads: number;
}

/**
 * nn.MultiheadAttention's parameters: zero biases, xavier weights — for q, k, v as ONE [3d, d] matrix
 * (PyTorch's in_proj_weight, so std = sqrt(2 / 4d)), the output projection as [d, d].
 */
export function attention(params: ParamStore, name: string, d: number, heads: number): Attention {
  if (d % heads !== 0) throw new Error(`hidden size ${d} is not divisible by ${heads} heads`);
  const projection = (part: string): Dense => ({
    w: params.normal(`${name}.${part}.w`, [d, d], Math.sqrt(2 / (4 * d))),
    b: params.constant(`${name}.${part}.b`, [d], 0),
  });
  return { q: projection('q'), k: projection('k'), v: projection('v'), out: dense(params, `${name}.out`, d, d, 'xavier', 'zero'), heads };
}

/**
 * Multi-head attention of queries from `query` over keys/values from `memory` ([B, L, d] each), with
 * an additive score bias (-1e9 hides a key) and dropout on the attention weights.
 */
export function applyAttention(
  layer: Attention,
  query: Tensor3D,
  memory: Tensor3D,
  bias: AttentionBias,
  dropout: DropoutStream,
  rate: number,
  training: boolean,
): Tensor3D {
  const [B, L, d] = query.shape;
  const h = layer.heads;
  const dh = d / h;
  const flatQ = tf.reshape(query, [B * L, d]) as Tensor2D;
  const flatM = query === memory ? flatQ : (tf.reshape(memory, [B * L, d]) as Tensor2D);
  const split = (x: Tensor2D): Tensor3D =>
    h === 1 ? (tf.reshape(x, [B, L, d]) as Tensor3D) : (tf.reshape(tf.transpose(tf.reshape(x, [B, L, h, dh]), [0, 2, 1, 3]), [B * h, L, dh]) as Tensor3D);
  const q = split(applyDense(layer.q, flatQ));
  const k = split(applyDense(layer.k, flatM));
  const v = split(applyDense(layer.v, flatM));
  const context = attentionOp(q, k, v, bias, h, training ? rate : 0, dropout.nextSeed());
  const merged = h === 1 ? tf.reshape(context, [B * L, d]) : tf.reshape(tf.transpose(tf.reshape(context, [B, h, L, dh]), [0, 2, 1, 3]), [B * L, d]);
  return tf.reshape(applyDense(layer.out, merged as Tensor2D), [B, L, d]) as Tensor3D;
}

/**
 * Attention of ONE query per sequence (queryLast [B, 1, d]) over all of memory ([B, L, d]), no mask, no
 * dropout: the last row of causal attention at inference, without computing the other rows.
 */
export function applyAttentionLast(layer: Attention, queryLast: Tensor3D, memory: Tensor3D): Tensor3D {
  const [B, L, d] = memory.shape;
  const h = layer.heads;
  const dh = d / h;
  const q = tf.reshape(applyDense(layer.q, tf.reshape(queryLast, [B, d]) as Tensor2D), [B, h, 1, dh]);
  const flat = tf.reshape(memory, [B * L, d]) as Tensor2D;
  const heads = (x: Tensor2D) => tf.transpose(tf.reshape(x, [B, L, h, dh]), [0, 2, 1, 3]); // [B, h, L, dh]
  const k = heads(applyDense(layer.k, flat));
  const v = heads(applyDense(layer.v, flat));
  const weights = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh))); // [B, h, 1, L]
  const context = tf.reshape(tf.matMul(weights, v), [B, d]) as Tensor2D; // heads in order, as merged rows
  return tf.reshape(applyDense(layer.out, context), [B, 1, d]) as Tensor3D;
}

/** [L, L] additive mask: 0 where key j <= query i, -1e9 above the diagonal. */
export function causalBias(L: number): Tensor2D {
  const values = new Float32Array(L * L);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) values[i * L + j] = -1e9;
  return tf.tensor2d(values, [L, L]);
}
