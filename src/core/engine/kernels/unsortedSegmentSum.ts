// UnsortedSegmentSum is the gradient of gather (embedding lookups); the wasm backend has no kernel
// for it (measured: training any embedding fails there without one). Summed in place on the heap,
// by the native addon when it is loaded, else in JS.
import { UnsortedSegmentSum, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { floatView, intView, makeFloatOutput, size } from './memory';

export function unsortedSegmentSumWasm(native: NativeKernels | null): KernelConfig {
  return { kernelName: UnsortedSegmentSum, backendName: 'wasm', kernelFunc: (args) => unsortedSegmentSum(args, native) };
}

function unsortedSegmentSum({ inputs, backend, attrs }: Parameters<KernelFunc>[0], native: NativeKernels | null): TensorInfo {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as NamedAttrMap & { numSegments: number };
  if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum (wasm): float32 only, got ${x.dtype}`);
  // Rows of x are summed into row segmentIds[i] of the output; segmentIds covers x's leading dims.
  const rows = size(segmentIds.shape);
  const width = rows === 0 ? 0 : size(x.shape) / rows;
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = makeFloatOutput(backend, outShape);
  const target = floatView(backend, out);
  const source = floatView(backend, x);
  const ids = intView(backend, segmentIds);
  if (native) {
    native.scatterAddRows(source, ids, target, numSegments, width);
    return out;
  }
  target.fill(0);
  for (let i = 0; i < rows; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue; // TensorFlow drops out-of-range ids
    const from = i * width;
    const to = segment * width;
    for (let j = 0; j < width; j++) target[to + j] += source[from + j];
  }
  return out;
}
