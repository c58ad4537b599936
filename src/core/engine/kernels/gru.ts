// One GRU layer over whole sequences as one native kernel (native/src/gru.cc), forward and backward.
// Why a kernel: with tfjs ops the recurrence is ~15 small ops per time step, forward and backward,
// plus unstacking and stacking the sequence (measured on Scientific: ~4,800 kernel launches and
// 300+ ms per GRU4Rec step, most of it Unpack, SplitV and Concat). Only registered with the native
// addon; elsewhere ops.ts composes the same recurrence from tfjs ops.
import type { GradConfig, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { tf } from '../tf';
import { kernelConfigs } from './configs';
import { floatInput, floatView, makeFloatOutput } from './memory';

export const GRU = 'GraspGru';
export const GRU_GRAD = 'GraspGruGrad';

export function gruKernels(backendName: string, native: NativeKernels): KernelConfig[] {
  const forward: KernelFunc = ({ inputs, backend }) => {
    const { xp, wh, bh, keep } = inputs as Record<'xp' | 'wh' | 'bh' | 'keep', TensorInfo>;
    const [B, L, d3] = xp.shape;
    const d = d3 / 3;
    const states = makeFloatOutput(backend, [B, L, d]);
    const saved = makeFloatOutput(backend, [B, L, 4 * d]);
    const view = (t: TensorInfo) => floatView(backend, t);
    native.gru(view(xp), view(wh), view(bh), floatInput(backend, keep), view(states), view(saved), B, L, d);
    return [states, saved];
  };
  const backward: KernelFunc = ({ inputs, backend }) => {
    const { dStates, wh, keep, states, saved } = inputs as Record<'dStates' | 'wh' | 'keep' | 'states' | 'saved', TensorInfo>;
    const [B, L, d] = states.shape;
    const dxp = makeFloatOutput(backend, [B, L, 3 * d]);
    const dwh = makeFloatOutput(backend, wh.shape);
    const dbh = makeFloatOutput(backend, [3 * d]);
    const view = (t: TensorInfo) => floatView(backend, t);
    native.gruGrad(view(dStates), view(wh), floatInput(backend, keep), view(states), view(saved), view(dxp), view(dwh), view(dbh), B, L, d);
    return [dxp, dwh, dbh];
  };
  return kernelConfigs(backendName, { [GRU]: forward, [GRU_GRAD]: backward });
}

export const gruGradient: GradConfig = {
  kernelName: GRU,
  inputsToSave: ['wh', 'keep'],
  outputsToSave: [true, true],
  gradFunc: (dys, saved) => {
    // dys = [d states, d saved]; the gates are an output for this pass only
    const [dStates] = dys as Tensor[];
    const [wh, keep, states, gates] = saved;
    const [dxp, dwh, dbh] = tf.engine().runKernel(GRU_GRAD, { dStates, wh, keep, states, saved: gates }, {}) as Tensor[];
    return { xp: () => dxp, wh: () => dwh, bh: () => dbh, keep: () => tf.zerosLike(keep) };
  },
};
