// Exact GELU (x · Φ(x), the erf form BERT4Rec uses) and its gradient as native element-wise kernels.
// Why: composed from tfjs ops on wasm, erf and exp run scalar and the FFN's [positions, 4d] activations
// pass through ~8 kernels each way; profiling a BERT4Rec step on Scientific put a quarter of it there.
// Only registered with the native addon; elsewhere ops.ts composes it from tfjs ops.
import type { GradConfig, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { tf } from '../tf';
import { kernelConfigs } from './configs';
import { floatView, makeFloatOutput } from './memory';

export const GELU = 'GraspGelu';
export const GELU_GRAD = 'GraspGeluGrad';

export function geluKernels(backendName: string, native: NativeKernels): KernelConfig[] {
  const forward: KernelFunc = ({ inputs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    const y = makeFloatOutput(backend, x.shape);
    native.gelu(floatView(backend, x), floatView(backend, y));
    return y;
  };
  const backward: KernelFunc = ({ inputs, backend }) => {
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    const dx = makeFloatOutput(backend, x.shape);
    native.geluGrad(floatView(backend, dy), floatView(backend, x), floatView(backend, dx));
    return dx;
  };
  return kernelConfigs(backendName, { [GELU]: forward, [GELU_GRAD]: backward });
}

export const geluGradient: GradConfig = {
  kernelName: GELU,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({ x: () => tf.engine().runKernel(GELU_GRAD, { dy: dy as Tensor, x: saved[0] }, {}) as Tensor }),
};
