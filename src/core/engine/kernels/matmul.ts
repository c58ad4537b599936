// BatchMatMul on the native addon's sgemm for the wasm and cpu backends: measured, the wasm
// backend's own batched kernel ran at 0.6 GFLOP/s and took 815 of 876 ms of a SASRec step. The
// addon reads and writes the tensors in place (wasm heap / cpu typed arrays). Shapes it does not
// handle (non-float32, general batch broadcasting) go to the backend's original kernel.
import { BatchMatMul, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { floatView, makeFloatOutput, size } from './memory';

export function nativeBatchMatMul(native: NativeKernels, backendName: string, fallback: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as NamedAttrMap & { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return fallback(args);
    const aRank = a.shape.length;
    const bRank = b.shape.length;
    const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
    const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
    const kB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
    const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
    if (k !== kB)
      throw new Error(`matMul: inner shapes ${k} and ${kB} of [${a.shape}] and [${b.shape}] (transposeA=${transposeA}, transposeB=${transposeB}) must match`);
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = size(outerA);
    const batchB = size(outerB);
    // Same batch, or one side a single matrix; anything else (e.g. [2,1]x[1,3]) is rare: original kernel.
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (!sameOuter && batchA !== 1 && batchB !== 1) return fallback(args);
    const outer = sameOuter ? outerA : batchA === 1 ? (outerB.length >= outerA.length ? outerB : outerA) : outerA.length >= outerB.length ? outerA : outerB;
    const batch = Math.max(batchA, batchB);
    const out = makeFloatOutput(args.backend, [...outer, m, n]);
    if (batch === 0 || m === 0 || n === 0) return out;
    const outView = floatView(args.backend, out);
    const aView = floatView(args.backend, a);
    const bView = floatView(args.backend, b);
    if (batchB === 1 && batchA > 1 && !transposeA) {
      // x[B, m, k] · W[k, n]: one [B·m, k] product, which the addon splits across its threads.
      native.gemm(aView, bView, outView, 1, batchA * m, n, k, false, transposeB, 0, 0, 0, 1, 0);
    } else {
      native.gemm(aView, bView, outView, batch, m, n, k, transposeA, transposeB, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m * n, 1, 0);
    }
    return out;
  };
  return { kernelName: BatchMatMul, backendName, kernelFunc };
}
