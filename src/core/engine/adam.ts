// Adam with PyTorch's update rule. On the wasm and cpu backends it updates each parameter in place
// where the backend keeps it (one native call per parameter when the addon is loaded, else a JS
// loop), instead of tfjs's ~15 tensor ops per parameter per step; the moments live in plain
// Float32Arrays. On other backends (tfjs-node) it is tfjs's own Adam, which is the same rule.
import { floatView } from './kernels/memory';
import { activeNativeKernels } from './backend';
import { tf, type Tensor, type Variable } from './tf';

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, beta1: 0.9, beta2: 0.98, epsilon: 1e-8 };

export class Adam {
  private step = 0;
  private readonly moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  private readonly fallback?: tf.Optimizer;
  private readonly inPlace: boolean;

  constructor(
    private readonly variables: Array<[string, Variable]>,
    readonly options: AdamOptions = ADAM_DEFAULTS,
  ) {
    this.inPlace = ['wasm', 'cpu'].includes(tf.getBackend());
    if (!this.inPlace) this.fallback = tf.train.adam(options.lr, options.beta1, options.beta2, options.epsilon);
    for (const [name, variable] of variables) {
      if (this.inPlace) this.moments.set(name, { m: new Float32Array(variable.size), v: new Float32Array(variable.size) });
    }
  }

  get steps(): number {
    return this.step;
  }

  /** Applies one update from gradients keyed by variable name (missing = no gradient this step). */
  apply(grads: Record<string, Tensor>): void {
    this.step++;
    if (this.fallback) {
      this.fallback.applyGradients(grads);
      return;
    }
    const native = activeNativeKernels();
    const backend = tf.backend();
    const { lr, beta1, beta2, epsilon } = this.options;
    for (const [name, variable] of this.variables) {
      const grad = grads[name];
      if (!grad) continue;
      const { m, v } = this.moments.get(name)!;
      const param = floatView(backend, variable);
      const g = floatView(backend, grad);
      if (native) native.adam(param, g, m, v, lr, beta1, beta2, epsilon, this.step);
      else adamInJs(param, g, m, v, this.options, this.step);
    }
  }

  /**
   * Lazy (sparse) Adam for one table: only rows `rowIds` move, with gradient rows `grad` ([n, width]).
   * Call after apply() of the same step (which counts the step). Falls back to tfjs ops elsewhere.
   */
  applyRows(name: string, grad: Tensor, rowIds: Int32Array): void {
    const variable = this.variables.find(([n]) => n === name)?.[1];
    if (!variable) throw new Error(`no variable ${name}`);
    const width = variable.shape.slice(1).reduce((a, b) => a * b, 1);
    if (!this.inPlace) {
      // dense fallback: scatter the rows into a full gradient
      const dense = tf.tidy(() =>
        tf.scatterND(tf.tensor2d(rowIds, [rowIds.length, 1], 'int32'), tf.reshape(grad, [rowIds.length, width]), [variable.shape[0], width]),
      );
      this.fallback!.applyGradients([{ name: variable.name, tensor: tf.reshape(dense, variable.shape) }]);
      dense.dispose();
      return;
    }
    const { m, v } = this.moments.get(name)!;
    const backend = tf.backend();
    const param = floatView(backend, variable);
    const g = floatView(backend, grad);
    const { lr, beta1, beta2, epsilon } = this.options;
    const native = activeNativeKernels();
    if (native) native.adamRows(param, g, m, v, rowIds, width, lr, beta1, beta2, epsilon, Math.max(1, this.step));
    else {
      for (let i = 0; i < rowIds.length; i++) {
        const at = rowIds[i] * width;
        adamInJs(
          param.subarray(at, at + width),
          g.subarray(i * width, (i + 1) * width),
          m.subarray(at, at + width),
          v.subarray(at, at + width),
          this.options,
          Math.max(1, this.step),
        );
      }
    }
  }

  /** Moments and step, for checkpoints that resume training. */
  state(): { step: number; moments: Map<string, { m: Float32Array; v: Float32Array }> } {
    return { step: this.step, moments: this.moments };
  }

  /** Puts back a state taken by state() (same variables): a resumed run continues the same updates. */
  restore(step: number, moments: ReadonlyMap<string, { m: Float32Array; v: Float32Array }>): void {
    if (this.fallback) throw new Error('the optimiser state of this backend cannot be restored');
    for (const [name, own] of this.moments) {
      const saved = moments.get(name);
      if (!saved || saved.m.length !== own.m.length || saved.v.length !== own.v.length)
        throw new Error(`optimiser state for ${name} is missing or has another size`);
      own.m.set(saved.m);
      own.v.set(saved.v);
    }
    this.step = step;
  }

  /** False where tfjs's own optimiser runs (tfjs-node): its moments are not ours to save. */
  get resumable(): boolean {
    return !this.fallback;
  }

  dispose(): void {
    this.fallback?.dispose();
  }
}

export function adamInJs(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, options: AdamOptions, step: number): void {
  const { lr, beta1, beta2, epsilon } = options;
  const stepSize = lr / (1 - Math.pow(beta1, step));
  const correction2 = Math.sqrt(1 - Math.pow(beta2, step));
  for (let i = 0; i < param.length; i++) {
    const gi = grad[i];
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    param[i] -= (stepSize * mi) / (Math.sqrt(vi) / correction2 + epsilon);
  }
}
