// Indexed attention: row r of q attends over the rows index[r, s] of keys and values,
//   w[r, s] = softmax over the row's slots of scale · q[r]·keys[index[r, s]]   (slots with index −1 excluded)
//   out[r]  = Σ_s w[r, s] · values[index[r, s]]                              (a row without any slot: 0)
// Both GRASP levels are this (items over their retrieved neighbours, positions over the user's similar
// users). Why a kernel: with tfjs ops each level gathers [rows, slots, d] copies of its keys and values,
// multiplies, sums and normalises them, and scatters them back in the backward pass; those passes
// and their ~40 kernel launches were most of GRASP's cost per training step. Here nothing is copied.
// The native addon runs the same loops when it is loaded (same order of operations).
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { tf } from '../tf';
import { kernelConfigs } from './configs';
import { floatView, intView, makeFloatOutput } from './memory';

export const INDEXED_ATTENTION = 'GraspIndexedAttention';
export const INDEXED_ATTENTION_GRAD = 'GraspIndexedAttentionGrad';

export interface IndexedAttentionShape {
  rows: number;
  slots: number;
  width: number;
  /** rows of keys and values */
  table: number;
  scale: number;
}

/** NativeKernels.indexedAttention in JS (the same loops). */
export const indexedAttentionInJs: NativeKernels['indexedAttention'] = (q, keys, values, index, out, weights, rows, slots, d, _table, scale) => {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const w = r * slots;
    const qr = r * d;
    let peak = -Infinity;
    for (let s = 0; s < slots; s++) {
      const at = index[w + s];
      if (at < 0) continue;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += q[qr + j] * keys[at * d + j];
      weights[w + s] = scale * dot;
      if (weights[w + s] > peak) peak = weights[w + s];
    }
    let total = 0;
    for (let s = 0; s < slots; s++) {
      if (index[w + s] < 0) weights[w + s] = 0;
      else total += weights[w + s] = Math.exp(weights[w + s] - peak);
    }
    if (total === 0) continue;
    const inverse = 1 / total;
    for (let s = 0; s < slots; s++) {
      const at = index[w + s];
      if (at < 0) continue;
      const p = (weights[w + s] *= inverse);
      for (let j = 0; j < d; j++) out[qr + j] += p * values[at * d + j];
    }
  }
};

/** Gradients of sum(out · dOut) given the forward weights; dKeys and dValues are [table, width]. */
export const indexedAttentionGradInJs: NativeKernels['indexedAttentionGrad'] = (
  dOut,
  q,
  keys,
  values,
  index,
  weights,
  dq,
  dKeys,
  dValues,
  rows,
  slots,
  d,
  _table,
  scale,
) => {
  dq.fill(0);
  dKeys.fill(0);
  dValues.fill(0);
  const dWeights = new Float64Array(slots);
  for (let r = 0; r < rows; r++) {
    const w = r * slots;
    const qr = r * d;
    // through the weighted sum: dW[s] = dOut·v_s, dv_s += w_s dOut; then softmax: dS = w ⊙ (dW − Σ w dW)
    let weighted = 0;
    for (let s = 0; s < slots; s++) {
      const at = index[w + s];
      if (at < 0) continue;
      const p = weights[w + s];
      let dot = 0;
      for (let j = 0; j < d; j++) {
        dot += dOut[qr + j] * values[at * d + j];
        dValues[at * d + j] += p * dOut[qr + j];
      }
      dWeights[s] = dot;
      weighted += p * dot;
    }
    for (let s = 0; s < slots; s++) {
      const at = index[w + s];
      if (at < 0) continue;
      const dScore = scale * weights[w + s] * (dWeights[s] - weighted);
      for (let j = 0; j < d; j++) {
        dq[qr + j] += dScore * keys[at * d + j];
        dKeys[at * d + j] += dScore * q[qr + j];
      }
    }
  }
};

function shapeOf(q: TensorInfo, keys: TensorInfo, index: TensorInfo, attrs: NamedAttrMap): IndexedAttentionShape {
  const [rows, width] = q.shape;
  const slots = index.shape[1];
  if (index.shape[0] !== rows || keys.shape[1] !== width)
    throw new Error(`indexed attention: q ${q.shape}, keys ${keys.shape}, index ${index.shape} do not fit`);
  return { rows, slots, width, table: keys.shape[0], scale: (attrs as unknown as { scale: number }).scale };
}

export function indexedAttentionKernels(backendName: string, native: NativeKernels | null): KernelConfig[] {
  const impl = native ?? { indexedAttention: indexedAttentionInJs, indexedAttentionGrad: indexedAttentionGradInJs };
  const forward: KernelFunc = ({ inputs, backend, attrs }) => {
    const { q, keys, values, index } = inputs as Record<'q' | 'keys' | 'values' | 'index', TensorInfo>;
    const shape = shapeOf(q, keys, index, attrs!);
    const out = makeFloatOutput(backend, [shape.rows, shape.width]);
    const weights = makeFloatOutput(backend, [shape.rows, shape.slots]);
    // views only after every allocation: growing the wasm heap detaches older views
    const args = [
      floatView(backend, q),
      floatView(backend, keys),
      floatView(backend, values),
      intView(backend, index),
      floatView(backend, out),
      floatView(backend, weights),
    ] as const;
    impl.indexedAttention(...args, shape.rows, shape.slots, shape.width, shape.table, shape.scale);
    return [out, weights];
  };
  const backward: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dOut, q, keys, values, index, weights } = inputs as Record<'dOut' | 'q' | 'keys' | 'values' | 'index' | 'weights', TensorInfo>;
    const shape = shapeOf(q, keys, index, attrs!);
    const dq = makeFloatOutput(backend, q.shape);
    const dKeys = makeFloatOutput(backend, keys.shape);
    const dValues = makeFloatOutput(backend, values.shape);
    const view = (t: TensorInfo) => floatView(backend, t);
    const args = [view(dOut), view(q), view(keys), view(values), intView(backend, index), view(weights), view(dq), view(dKeys), view(dValues)] as const;
    impl.indexedAttentionGrad(...args, shape.rows, shape.slots, shape.width, shape.table, shape.scale);
    return [dq, dKeys, dValues];
  };
  return kernelConfigs(backendName, { [INDEXED_ATTENTION]: forward, [INDEXED_ATTENTION_GRAD]: backward });
}

export const indexedAttentionGradient: GradConfig = {
  kernelName: INDEXED_ATTENTION,
  inputsToSave: ['q', 'keys', 'values', 'index'],
  outputsToSave: [false, true],
  gradFunc: (dys, saved, attrs) => {
    // dys = [d out, d weights]; the weights are an output for explanations and for this pass only
    const [dOut] = dys as Tensor[];
    const [q, keys, values, index, weights] = saved;
    const [dq, dKeys, dValues] = tf.engine().runKernel(INDEXED_ATTENTION_GRAD, { dOut, q, keys, values, index, weights }, attrs as NamedAttrMap) as Tensor[];
    return { q: () => dq, keys: () => dKeys, values: () => dValues, index: () => tf.zerosLike(index) };
  },
};
