// Pooled rows: out[s] = scale[s] · Σ_{i : segments[i] = s} table[rows[i]], for GRASP's r_v (the mean of E
// over a similar user's items) and LLM-ESR's user means. Why a kernel: written as gather + segment sum, a
// batch of 128 users × 10 similar users × up to maxLen items first copies every item's row (tens of
// thousands of rows), and the backward pass gathers and scatters that copy again; here the rows are read
// where they are and the gradient is scattered into the table once. Native loops when the addon is loaded.
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { NativeKernels } from '../native';
import { tf } from '../tf';
import { kernelConfigs } from './configs';
import { floatView, intView, makeFloatOutput } from './memory';

export const POOLED_ROWS = 'GraspPooledRows';
export const POOLED_ROWS_GRAD = 'GraspPooledRowsGrad';

/** NativeKernels.pooledRows in JS. */
export const pooledRowsInJs: NativeKernels['pooledRows'] = (table, rows, segments, scale, out, _tableRows, width) => {
  out.fill(0);
  addScaledRows(table, rows, out, segments, segments, scale, width);
};

/** dTable[rows[i]] += scale[s] · dOut[s] for s = segments[i]; every other row 0. */
export const pooledRowsGradInJs: NativeKernels['pooledRowsGrad'] = (dOut, rows, segments, scale, dTable, _tableRows, width) => {
  dTable.fill(0);
  addScaledRows(dOut, segments, dTable, rows, segments, scale, width);
};

/** target[to[i]] += scale[segments[i]] · source[from[i]] for every i, in rows of `width`. */
function addScaledRows(
  source: Float32Array,
  from: Int32Array,
  target: Float32Array,
  to: Int32Array,
  segments: Int32Array,
  scale: Float32Array,
  width: number,
): void {
  for (let i = 0; i < segments.length; i++) {
    const f = scale[segments[i]];
    const a = from[i] * width;
    const b = to[i] * width;
    for (let j = 0; j < width; j++) target[b + j] += f * source[a + j];
  }
}

function checked(table: TensorInfo, rows: TensorInfo, segments: TensorInfo, scale: TensorInfo): void {
  if (rows.shape[0] !== segments.shape[0] || table.shape.length !== 2)
    throw new Error(`pooled rows: table ${table.shape}, rows ${rows.shape}, segments ${segments.shape}, scale ${scale.shape} do not fit`);
}

export function pooledRowsKernels(backendName: string, native: NativeKernels | null): KernelConfig[] {
  const impl = native ?? { pooledRows: pooledRowsInJs, pooledRowsGrad: pooledRowsGradInJs };
  const forward: KernelFunc = ({ inputs, backend }) => {
    const { table, rows, segments, scale } = inputs as Record<'table' | 'rows' | 'segments' | 'scale', TensorInfo>;
    checked(table, rows, segments, scale);
    const width = table.shape[1];
    const out = makeFloatOutput(backend, [scale.shape[0], width]);
    // views only after every allocation: growing the wasm heap detaches older views
    const args = [floatView(backend, table), intView(backend, rows), intView(backend, segments), floatView(backend, scale), floatView(backend, out)] as const;
    impl.pooledRows(...args, table.shape[0], width);
    return out;
  };
  const backward: KernelFunc = ({ inputs, backend }) => {
    const { dOut, table, rows, segments, scale } = inputs as Record<'dOut' | 'table' | 'rows' | 'segments' | 'scale', TensorInfo>;
    checked(table, rows, segments, scale);
    const dTable = makeFloatOutput(backend, table.shape);
    const args = [floatView(backend, dOut), intView(backend, rows), intView(backend, segments), floatView(backend, scale), floatView(backend, dTable)] as const;
    impl.pooledRowsGrad(...args, table.shape[0], table.shape[1]);
    return dTable;
  };
  return kernelConfigs(backendName, { [POOLED_ROWS]: forward, [POOLED_ROWS_GRAD]: backward });
}

export const pooledRowsGradient: GradConfig = {
  kernelName: POOLED_ROWS,
  inputsToSave: ['table', 'rows', 'segments', 'scale'],
  gradFunc: (dy, saved) => {
    const [table, rows, segments, scale] = saved;
    const run = (name: string, inputs: Record<string, Tensor>) => tf.engine().runKernel(name, inputs, {} as NamedAttrMap) as Tensor;
    // the table is the trained input; rows, segments and scale are constants of the batch
    return {
      table: () => run(POOLED_ROWS_GRAD, { dOut: dy as Tensor, table, rows, segments, scale }),
      rows: () => tf.zerosLike(rows),
      segments: () => tf.zerosLike(segments),
      scale: () => tf.zerosLike(scale),
    };
  },
};
