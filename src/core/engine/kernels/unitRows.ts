// Unit rows: y = x / sqrt(Σ_j x² + ε) per row, for GRASP's cosine item attention (its queries and the keys
// of every candidate item of a batch, thousands of rows). Composed from tfjs ops this is five passes
// forward and about eight backward; fused, one each. Native loops when the addon is loaded.
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { tf } from '../tf';
import { kernelConfigs } from './configs';
import { floatView, makeFloatOutput } from './memory';

export const UNIT_ROWS = 'GraspUnitRows';
export const UNIT_ROWS_GRAD = 'GraspUnitRowsGrad';
/** added to Σ x² (a zero row stays zero, with a finite gradient) */
export const UNIT_ROWS_EPSILON = 1e-12;

export function unitRowsInJs(x: Float32Array, y: Float32Array, width: number): void {
  for (let o = 0; o < x.length; o += width) {
    let sum = 0;
    for (let j = 0; j < width; j++) sum += x[o + j] * x[o + j];
    const inverse = 1 / Math.sqrt(sum + UNIT_ROWS_EPSILON);
    for (let j = 0; j < width; j++) y[o + j] = x[o + j] * inverse;
  }
}

/** dx = (dy − y (dy·y)) / ‖x‖ per row. */
export function unitRowsGradInJs(dy: Float32Array, x: Float32Array, dx: Float32Array, width: number): void {
  for (let o = 0; o < x.length; o += width) {
    let sum = 0;
    for (let j = 0; j < width; j++) sum += x[o + j] * x[o + j];
    const inverse = 1 / Math.sqrt(sum + UNIT_ROWS_EPSILON);
    let dot = 0;
    for (let j = 0; j < width; j++) dot += dy[o + j] * x[o + j] * inverse;
    for (let j = 0; j < width; j++) dx[o + j] = (dy[o + j] - x[o + j] * inverse * dot) * inverse;
  }
}

export function unitRowsKernels(backendName: string, native: NativeKernels | null): KernelConfig[] {
  const impl = native ?? { unitRows: unitRowsInJs, unitRowsGrad: unitRowsGradInJs };
  const forward: KernelFunc = ({ inputs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    const y = makeFloatOutput(backend, x.shape);
    const width = x.shape[x.shape.length - 1];
    impl.unitRows(floatView(backend, x), floatView(backend, y), width);
    return y;
  };
  const backward: KernelFunc = ({ inputs, backend }) => {
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    const dx = makeFloatOutput(backend, x.shape);
    const width = x.shape[x.shape.length - 1];
    // views only after every allocation: growing the wasm heap detaches older views
    const args = [floatView(backend, dy), floatView(backend, x), floatView(backend, dx), width] as const;
    impl.unitRowsGrad(...args);
    return dx;
  };
  return kernelConfigs(backendName, { [UNIT_ROWS]: forward, [UNIT_ROWS_GRAD]: backward });
}

export const unitRowsGradient: GradConfig = {
  kernelName: UNIT_ROWS,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({ x: () => tf.engine().runKernel(UNIT_ROWS_GRAD, { dy: dy as Tensor, x: saved[0] }, {} as NamedAttrMap) as Tensor }),
};
