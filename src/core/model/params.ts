// Named trainable variables with seeded initialisers, so a run's starting point depends only on its
// seed (not on the backend's random generator) and checkpoints map names to tensors.
import { tf, type Variable } from '../engine/tf';
import { Random } from '../util/random';

let stores = 0;

export class ParamStore {
  private readonly params = new Map<string, Variable>();
  private readonly random: Random;
  /** tfjs variable names are global: each store gets its own prefix, so models can coexist. */
  private readonly scope = `model${++stores}`;

  constructor(seed: number) {
    this.random = new Random(seed);
  }

  /** Xavier/Glorot normal (PyTorch's xavier_normal_: std = sqrt(2 / (fan_in + fan_out))). */
  xavierNormal(name: string, shape: [number, number]): Variable {
    return this.add(name, shape, this.normals(shape[0] * shape[1], Math.sqrt(2 / (shape[0] + shape[1]))));
  }

  normal(name: string, shape: number[], std: number): Variable {
    return this.add(
      name,
      shape,
      this.normals(
        shape.reduce((a, b) => a * b, 1),
        std,
      ),
    );
  }

  /** PyTorch's nn.Linear bias default: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  uniform(name: string, shape: number[], bound: number): Variable {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = (2 * this.random.next() - 1) * bound;
    return this.add(name, shape, values);
  }

  constant(name: string, shape: number[], value: number): Variable {
    return this.add(name, shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value));
  }

  /** Adds a variable with the given initial values (rows to zero, e.g. padding, already applied). */
  add(name: string, shape: number[], values: Float32Array): Variable {
    if (this.params.has(name)) throw new Error(`parameter ${name} defined twice`);
    const initial = tf.tensor(values, shape, 'float32');
    const variable = tf.variable(initial, true, `${this.scope}/${name}`);
    initial.dispose();
    this.params.set(name, variable);
    return variable;
  }

  get(name: string): Variable {
    const variable = this.params.get(name);
    if (!variable) throw new Error(`no parameter ${name}`);
    return variable;
  }

  entries(): Array<[string, Variable]> {
    return [...this.params.entries()];
  }

  variables(): Variable[] {
    return [...this.params.values()];
  }

  count(): number {
    return this.variables().reduce((total, v) => total + v.size, 0);
  }

  dispose(): void {
    for (const variable of this.params.values()) variable.dispose();
    this.params.clear();
  }

  /** Normal(0, std) draws (Box-Muller on the seeded stream). */
  normals(count: number, std: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 2) {
      const u = 1 - this.random.next();
      const v = this.random.next();
      const r = std * Math.sqrt(-2 * Math.log(u));
      out[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
    return out;
  }
}
