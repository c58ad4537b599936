// Zero-copy Float32Array views of tensor data for the wasm and cpu backends, so JS loops and the
// native kernels read and write tensors where they live. Views into the wasm heap are taken AFTER
// every allocation of the kernel: growing the heap detaches older views.
import type { TensorInfo } from '@tensorflow/tfjs';

interface WasmBackendLike {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPF32: Float32Array };
  makeOutput(shape: number[], dtype: string): TensorInfo;
}

interface CpuBackendLike {
  data: { get(dataId: object): { values?: ArrayLike<number> } | undefined };
  makeTensorInfo(shape: number[], dtype: string, values?: ArrayLike<number>): TensorInfo;
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function isWasm(backend: object): boolean {
  return (backend as unknown as Partial<WasmBackendLike>).wasm !== undefined;
}

/** A float32 view of a tensor's data (wasm heap or cpu typed array). */
export function floatView(backend: object, tensor: TensorInfo): Float32Array {
  if (isWasm(backend)) return new Float32Array(...heapSlot(backend, tensor));
  const values = cpuValues(backend, tensor);
  if (!(values instanceof Float32Array)) throw new Error(`no float32 data for a ${tensor.dtype} tensor on this backend`);
  return values;
}

/** Float32 values to read: a view where possible; a copy of a cpu tensor held in another typed array (a cast result). */
export function floatInput(backend: object, tensor: TensorInfo): Float32Array {
  if (isWasm(backend)) return floatView(backend, tensor);
  const values = cpuValues(backend, tensor);
  return values instanceof Float32Array ? values : Float32Array.from(values ?? []);
}

/** An int32 view (indices). The cpu backend may hold int32 tensors in other typed arrays. */
export function intView(backend: object, tensor: TensorInfo): Int32Array {
  if (isWasm(backend)) return new Int32Array(...heapSlot(backend, tensor));
  const values = cpuValues(backend, tensor);
  if (values instanceof Int32Array) return values;
  return Int32Array.from(values ?? []);
}

/** Where a wasm tensor's data lies: the heap's buffer (one for every element type), its byte offset and its element count. */
function heapSlot(backend: object, tensor: TensorInfo): [ArrayBufferLike, number, number] {
  const wasm = backend as unknown as WasmBackendLike;
  return [wasm.wasm.HEAPF32.buffer, wasm.dataIdMap.get(tensor.dataId)!.memoryOffset, size(tensor.shape)];
}

/** The values a cpu tensor holds (a typed array, not always of its dtype). */
function cpuValues(backend: object, tensor: TensorInfo): ArrayLike<number> | undefined {
  return (backend as unknown as CpuBackendLike).data.get(tensor.dataId)?.values;
}

/** A new uninitialised float32 output tensor on the backend. */
export function makeFloatOutput(backend: object, shape: number[]): TensorInfo {
  if (isWasm(backend)) return (backend as unknown as WasmBackendLike).makeOutput(shape, 'float32');
  return (backend as unknown as CpuBackendLike).makeTensorInfo(shape, 'float32', new Float32Array(size(shape)));
}
