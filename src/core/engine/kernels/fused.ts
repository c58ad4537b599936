// Fused kernels for the wasm and cpu backends: each replaces a chain of tfjs kernels (each a full
// pass over memory, ~0.25 ms for a 128x50x64 tensor on wasm) with one or two passes, in the native
// addon when it is loaded and in plain JS otherwise (same arithmetic, so results match). Their
// gradients are registered too. ops.ts calls them, or standard tfjs ops on other backends.
import { type GradConfig, type KernelConfig, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo } from '@tensorflow/tfjs';
import type { AttentionShape, NativeKernels } from '../native';
import { tf } from '../tf';
import { kernelConfigs } from './configs';
import { indexedAttentionGradient, indexedAttentionKernels } from './indexedAttention';
import { floatView, makeFloatOutput, size } from './memory';
import { pooledRowsGradient, pooledRowsKernels } from './pooledRows';
import { geluGradient } from './gelu';
import { gruGradient } from './gru';
import { softmaxLossGradient } from './softmaxLoss';
import { unitRowsGradient, unitRowsKernels } from './unitRows';

export const DROPOUT = 'GraspDropout';
export const LAYER_NORM = 'GraspLayerNorm';
export const LAYER_NORM_GRAD = 'GraspLayerNormGrad';
export const DENSE = 'GraspDense';
export const DENSE_GRAD = 'GraspDenseGrad';
export const ATTENTION = 'GraspAttention';
export const ATTENTION_GRAD = 'GraspAttentionGrad';

/** Attributes of the fused attention kernels (see NativeKernels.attention). */
export interface AttentionAttrs {
  heads: number;
  biasMode: 0 | 1 | 2;
  scale: number;
  rate: number;
  seed: number;
}

/** The native attention kernels' shape arguments, from q ([bh, L, dh]) and the kernel's attributes. */
function attentionShape(q: TensorInfo, attrs: NamedAttrMap | undefined): AttentionShape {
  const { heads, biasMode, scale, rate, seed } = attrs as unknown as AttentionAttrs;
  const [bh, L, dh] = q.shape;
  return [bh, L, dh, heads, biasMode, scale, rate, seed];
}

/** Stateless per-element hash deciding dropout (same 32-bit arithmetic as the native kernel). */
export function dropoutHash(seed: number, i: number): number {
  let h = (seed ^ Math.imul(i, 0x9e3779b9)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function dropoutInJs(x: Float32Array, out: Float32Array, seed: number, rate: number): void {
  const threshold = Math.floor(rate * 4294967296);
  const scale = Math.fround(1 / (1 - rate));
  for (let i = 0; i < x.length; i++) out[i] = dropoutHash(seed, i) >= threshold ? x[i] * scale : 0;
}

/** Mean and 1/sqrt(variance + epsilon) of one row of a [rows, cols] matrix. */
function rowMoments(x: Float32Array, offset: number, cols: number, epsilon: number): { mean: number; rstd: number } {
  let mean = 0;
  for (let j = 0; j < cols; j++) mean += x[offset + j];
  mean /= cols;
  let variance = 0;
  for (let j = 0; j < cols; j++) variance += (x[offset + j] - mean) ** 2;
  return { mean, rstd: 1 / Math.sqrt(variance / cols + epsilon) };
}

export const layerNormInJs: NativeKernels['layerNorm'] = (x, gamma, beta, out, rows, cols, epsilon) => {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const { mean, rstd } = rowMoments(x, o, cols, epsilon);
    for (let j = 0; j < cols; j++) out[o + j] = (x[o + j] - mean) * rstd * gamma[j] + beta[j];
  }
};

export const layerNormGradInJs: NativeKernels['layerNormGrad'] = (dy, x, gamma, dx, dgamma, dbeta, rows, cols, epsilon) => {
  dgamma.fill(0);
  dbeta.fill(0);
  const xhat = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    const { mean, rstd } = rowMoments(x, o, cols, epsilon);
    let sumG = 0;
    let sumGX = 0;
    for (let j = 0; j < cols; j++) {
      xhat[j] = (x[o + j] - mean) * rstd;
      const g = dy[o + j] * gamma[j];
      sumG += g;
      sumGX += g * xhat[j];
      dgamma[j] += dy[o + j] * xhat[j];
      dbeta[j] += dy[o + j];
    }
    for (let j = 0; j < cols; j++) dx[o + j] = rstd * (dy[o + j] * gamma[j] - sumG / cols - (xhat[j] * sumGX) / cols);
  }
};

export function columnSumsInJs(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) acc[j] += x[o + j];
  }
  for (let j = 0; j < cols; j++) out[j] = acc[j];
}

/** The rows, columns (the last axis) and epsilon a layer-norm kernel works with. */
function layerNormShape(x: TensorInfo, attrs: NamedAttrMap | undefined): [rows: number, cols: number, epsilon: number] {
  const cols = x.shape[x.shape.length - 1];
  return [size(x.shape) / cols, cols, (attrs as NamedAttrMap & { epsilon: number }).epsilon];
}

export function fusedKernels(backendName: string, native: NativeKernels | null): KernelConfig[] {
  const impl = native ?? { dropout: dropoutInJs, layerNorm: layerNormInJs, layerNormGrad: layerNormGradInJs };
  const dropout: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    const { seed, rate } = attrs as NamedAttrMap & { seed: number; rate: number };
    const out = makeFloatOutput(backend, x.shape);
    impl.dropout(floatView(backend, x), floatView(backend, out), seed, rate);
    return out;
  };
  const layerNorm: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
    const out = makeFloatOutput(backend, x.shape);
    impl.layerNorm(floatView(backend, x), floatView(backend, gamma), floatView(backend, beta), floatView(backend, out), ...layerNormShape(x, attrs));
    return out;
  };
  const layerNormGrad: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, x, gamma } = inputs as { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo };
    const shape = layerNormShape(x, attrs);
    const dx = makeFloatOutput(backend, x.shape);
    const dgamma = makeFloatOutput(backend, [shape[1]]);
    const dbeta = makeFloatOutput(backend, [shape[1]]);
    const view = (t: TensorInfo) => floatView(backend, t);
    impl.layerNormGrad(view(dy), view(x), view(gamma), view(dx), view(dgamma), view(dbeta), ...shape);
    return [dx, dgamma, dbeta];
  };
  const kernels = [
    ...kernelConfigs(backendName, { [DROPOUT]: dropout, [LAYER_NORM]: layerNorm, [LAYER_NORM_GRAD]: layerNormGrad }),
    // a native build from before the indexed-attention kernels runs them in JS
    ...indexedAttentionKernels(backendName, typeof native?.indexedAttention === 'function' ? native : null),
    ...pooledRowsKernels(backendName, typeof native?.pooledRows === 'function' ? native : null),
    ...unitRowsKernels(backendName, typeof native?.unitRows === 'function' ? native : null),
  ];
  return native ? [...kernels, ...denseKernels(backendName, native)] : kernels;
}

/** y = x·W + b (then ReLU): one sgemm and one pass; only with the native library. */
function denseKernels(backendName: string, native: NativeKernels): KernelConfig[] {
  const dense: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, w, b } = inputs as { x: TensorInfo; w: TensorInfo; b: TensorInfo };
    const { relu } = attrs as NamedAttrMap & { relu: boolean };
    const [rows, inner] = x.shape;
    const cols = w.shape[1];
    const out = makeFloatOutput(backend, [rows, cols]);
    const y = floatView(backend, out);
    native.gemm(floatView(backend, x), floatView(backend, w), y, 1, rows, cols, inner, false, false, 0, 0, 0, 1, 0);
    native.biasActivation(y, floatView(backend, b), rows, cols, relu);
    return out;
  };
  const denseGrad: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, x, w, y } = inputs as { dy: TensorInfo; x: TensorInfo; w: TensorInfo; y: TensorInfo };
    const { relu } = attrs as NamedAttrMap & { relu: boolean };
    const [rows, inner] = x.shape;
    const cols = w.shape[1];
    const dx = makeFloatOutput(backend, [rows, inner]);
    const dw = makeFloatOutput(backend, [inner, cols]);
    const db = makeFloatOutput(backend, [cols]);
    const scratch = relu ? makeFloatOutput(backend, [rows, cols]) : undefined;
    // views only after every allocation: growing the wasm heap detaches older views
    let g = floatView(backend, dy);
    if (scratch) {
      native.reluGrad(g, floatView(backend, y), floatView(backend, scratch));
      g = floatView(backend, scratch);
    }
    native.gemm(g, floatView(backend, w), floatView(backend, dx), 1, rows, inner, cols, false, true, 0, 0, 0, 1, 0);
    native.gemm(floatView(backend, x), g, floatView(backend, dw), 1, inner, cols, rows, true, false, 0, 0, 0, 1, 0);
    native.columnSums(g, rows, cols, floatView(backend, db));
    if (scratch) (backend as { disposeData(id: object): void }).disposeData(scratch.dataId);
    return [dx, dw, db];
  };
  const attention: KernelFunc = ({ inputs, backend, attrs }) => {
    const { q, k, v, bias } = inputs as { q: TensorInfo; k: TensorInfo; v: TensorInfo; bias: TensorInfo };
    const shape = attentionShape(q, attrs);
    const [bh, L, dh] = shape;
    const out = makeFloatOutput(backend, [bh, L, dh]);
    const probs = makeFloatOutput(backend, [bh, L, L]);
    const view = (t: TensorInfo) => floatView(backend, t);
    native.attention(view(q), view(k), view(v), view(bias), view(out), view(probs), ...shape);
    return [out, probs];
  };
  const attentionGrad: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dOut, q, k, v, probs } = inputs as { dOut: TensorInfo; q: TensorInfo; k: TensorInfo; v: TensorInfo; probs: TensorInfo };
    const dq = makeFloatOutput(backend, q.shape);
    const dk = makeFloatOutput(backend, q.shape);
    const dv = makeFloatOutput(backend, q.shape);
    const view = (t: TensorInfo) => floatView(backend, t);
    native.attentionGrad(view(dOut), view(q), view(k), view(v), view(probs), view(dq), view(dk), view(dv), ...attentionShape(q, attrs));
    return [dq, dk, dv];
  };
  return kernelConfigs(backendName, { [DENSE]: dense, [DENSE_GRAD]: denseGrad, [ATTENTION]: attention, [ATTENTION_GRAD]: attentionGrad });
}

const run = (name: string, inputs: Record<string, Tensor>, attrs: NamedAttrMap) => tf.engine().runKernel(name, inputs, attrs);

export const fusedGradients: GradConfig[] = [
  indexedAttentionGradient,
  softmaxLossGradient,
  gruGradient,
  geluGradient,
  pooledRowsGradient,
  unitRowsGradient,
  {
    kernelName: ATTENTION,
    inputsToSave: ['q', 'k', 'v', 'bias'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved, attrs) => {
      // dys = [d out, d probs]; the weights output is only saved for this backward pass, never used
      const [dOut] = dys as Tensor[];
      const [q, k, v, bias, probs] = saved;
      const [dq, dk, dv] = run(ATTENTION_GRAD, { dOut, q, k, v, probs }, attrs as NamedAttrMap) as Tensor[];
      return { q: () => dq, k: () => dk, v: () => dv, bias: () => tf.zerosLike(bias) };
    },
  },
  {
    kernelName: DENSE,
    inputsToSave: ['x', 'w'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, w, y] = saved;
      const [dx, dw, db] = run(DENSE_GRAD, { dy: dy as Tensor, x, w, y }, attrs as NamedAttrMap) as Tensor[];
      return { x: () => dx, w: () => dw, b: () => db };
    },
  },
  {
    kernelName: DROPOUT,
    // dropout is linear: its gradient is the same mask applied to dy
    gradFunc: (dy, _saved, attrs) => ({ x: () => run(DROPOUT, { x: dy as Tensor }, attrs as NamedAttrMap) as Tensor }),
  },
  {
    kernelName: LAYER_NORM,
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy, saved, attrs) => {
      // One kernel gives all three gradients; computed now (the closures are each run in their own tidy).
      const [x, gamma] = saved;
      const [dx, dgamma, dbeta] = run(LAYER_NORM_GRAD, { dy: dy as Tensor, x, gamma }, attrs as NamedAttrMap) as Tensor[];
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  },
];
