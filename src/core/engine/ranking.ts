// Full-ranking evaluation reads a [users, items] score matrix per batch. Where the backend keeps it
// in reachable memory (wasm heap, cpu arrays) it is read in place, and the native addon counts the
// items above each target (two threads, vectorised); otherwise the scores are copied out and counted in JS.
import { floatView } from './kernels/memory';
import { activeNativeKernels } from './backend';
import { tf, type Tensor2D } from './tf';

/** Calls fn with the scores' values (a view valid only during fn) and each row's count of scores above its target. */
export async function withRankedScores<T>(scores: Tensor2D, targets: Int32Array, fn: (values: Float32Array, above: Int32Array) => T): Promise<T> {
  const [rows, cols] = scores.shape;
  const above = new Int32Array(rows);
  const native = activeNativeKernels();
  const inPlace = ['wasm', 'cpu'].includes(tf.getBackend());
  const values = inPlace ? floatView(tf.backend(), scores) : ((await scores.data()) as Float32Array);
  if (native) native.countGreater(values, rows, cols, targets, above);
  else {
    for (let r = 0; r < rows; r++) {
      const offset = r * cols;
      const target = values[offset + targets[r]];
      let count = 0;
      for (let j = 0; j < cols; j++) if (values[offset + j] > target) count++;
      above[r] = count;
    }
  }
  return fn(values, above);
}
