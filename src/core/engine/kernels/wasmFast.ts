// Faster paths for wasm kernels that profiling showed in a SASRec step:
// - Identity, same-dtype Cast and identity-permutation Transpose copied their input; tfjs clones every tensor it saves for the
//   backward pass, so a step did ~200 such copies. Tensors are immutable, so sharing the data (as the
//   cpu backend does) is enough.
// - GatherV2 along axis 0 (embedding lookups) ran a generic strided loop: 16 ms for 6400 rows of 64.
// - Sum over leading axes (bias and layer-norm gradients) transposed first: 1.5 ms for 6400x64.
// Anything else goes to the backend's original kernel.
import { Cast, GatherV2, Identity, Sum, Transpose, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { kernelConfigs } from './configs';
import { columnSumsInJs } from './fused';
import { floatView, intView, makeFloatOutput, size } from './memory';

interface RefCounting {
  incRef(dataId: object): void;
}

function share(backend: object, x: TensorInfo): TensorInfo {
  (backend as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function wasmFastKernels(original: (name: string) => KernelFunc, native: NativeKernels | null): KernelConfig[] {
  const identity: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    return x.dtype === 'string' ? original(Identity)(args) : share(args.backend, x);
  };
  const cast: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as NamedAttrMap & { dtype: string };
    return dtype === x.dtype && dtype !== 'string' ? share(args.backend, x) : original(Cast)(args);
  };
  const gather: KernelFunc = (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as NamedAttrMap & { axis: number; batchDims: number };
    if (x.dtype !== 'float32' || (axis !== 0 && axis !== -x.shape.length) || (batchDims ?? 0) !== 0 || x.shape.length < 1) return original(GatherV2)(args);
    const rows = x.shape[0];
    const width = size(x.shape.slice(1));
    const count = size(indices.shape);
    const out = makeFloatOutput(args.backend, [...indices.shape, ...x.shape.slice(1)]);
    const ids = intView(args.backend, indices);
    const source = floatView(args.backend, x);
    const target = floatView(args.backend, out);
    for (let i = 0; i < count; i++) {
      const row = ids[i];
      if (row < 0 || row >= rows) throw new Error(`GatherV2: index ${row} is not in [0, ${rows})`);
      target.set(source.subarray(row * width, row * width + width), i * width);
    }
    return out;
  };
  const sum: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as NamedAttrMap & { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return original(Sum)(args);
    const kept = x.shape.slice(axes.length);
    const width = size(kept);
    const rows = size(x.shape.slice(0, axes.length));
    const out = makeFloatOutput(args.backend, keepDims ? [...axes.map(() => 1), ...kept] : kept);
    const source = floatView(args.backend, x);
    const target = floatView(args.backend, out);
    if (native) native.columnSums(source, rows, width, target);
    else columnSumsInJs(source, rows, width, target);
    return out;
  };
  const transpose: KernelFunc = (args) => {
    // gather's gradient transposes with the identity permutation: nothing to move
    const { x } = args.inputs as { x: TensorInfo };
    const { perm } = args.attrs as NamedAttrMap & { perm: number[] };
    return x.dtype !== 'string' && perm.every((axis, i) => axis === i) ? share(args.backend, x) : original(Transpose)(args);
  };
  return kernelConfigs('wasm', { [Identity]: identity, [Transpose]: transpose, [Cast]: cast, [GatherV2]: gather, [Sum]: sum });
}
