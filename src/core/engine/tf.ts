// The one import of TensorFlow.js for the whole core: the union package brings the gradients and
// the chained tensor methods along with the cpu backend. Backends are chosen in backend.ts.
import * as tf from '@tensorflow/tfjs';

export { tf };
export type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor3D, Variable } from '@tensorflow/tfjs';
