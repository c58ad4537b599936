// Softmax cross-entropy of next-item scores as one native kernel (native/src/softmax_loss.cc):
// full (every item) or sampled (the target against candidates shared by the batch). Why a kernel:
// with tfjs ops the full softmax holds [positions, items] logits, their exp and their gradient at
// once (hundreds of MB on Beauty) and runs its three products through generic kernels; here the
// logits live one block of rows at a time, and the loss and both gradients come from one pass.
// Only registered with the native addon; elsewhere ops.ts composes the same loss from tfjs ops.
import type { GradConfig, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { tf } from '../tf';
import { kernelConfigs } from './configs';
import { floatView, intView, makeFloatOutput } from './memory';

export const SOFTMAX_LOSS = 'GraspSoftmaxLoss';

export function softmaxLossKernels(backendName: string, native: NativeKernels): KernelConfig[] {
  const forward: KernelFunc = ({ inputs, backend, attrs }) => {
    const { states, table, targets, candidates, logQ } = inputs as Record<'states' | 'table' | 'targets' | 'candidates' | 'logQ', TensorInfo>;
    const { numItems } = attrs as unknown as { numItems: number };
    const [rows, d] = states.shape;
    const loss = makeFloatOutput(backend, []);
    const dStates = makeFloatOutput(backend, states.shape);
    const dTable = makeFloatOutput(backend, table.shape);
    // views only after every allocation: growing the wasm heap detaches older views
    const value = native.softmaxLoss(
      floatView(backend, states),
      floatView(backend, table),
      intView(backend, targets),
      intView(backend, candidates),
      floatView(backend, logQ),
      floatView(backend, dStates),
      floatView(backend, dTable),
      rows,
      d,
      numItems,
    );
    floatView(backend, loss)[0] = value;
    return [loss, dStates, dTable];
  };
  return kernelConfigs(backendName, { [SOFTMAX_LOSS]: forward });
}

export const softmaxLossGradient: GradConfig = {
  kernelName: SOFTMAX_LOSS,
  inputsToSave: ['targets', 'candidates', 'logQ'],
  // The gradients were computed with the loss; they are outputs kept for this pass only.
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved) => {
    const [dLoss] = dys as Tensor[];
    const [targets, candidates, logQ, dStates, dTable] = saved;
    return {
      states: () => tf.mul(dStates, dLoss),
      table: () => tf.mul(dTable, dLoss),
      targets: () => tf.zerosLike(targets),
      candidates: () => tf.zerosLike(candidates),
      logQ: () => tf.zerosLike(logQ),
    };
  },
};
