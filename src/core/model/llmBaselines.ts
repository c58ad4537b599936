// The two LLM baselines DESIGN §2 asks for beside GRASP, on the same backbones and trainer.
//   llm-init: item embeddings start from the PCA of the text embeddings (first d_s columns), scaled
//     to the table's own initial RMS so the backbone's tuning still fits; nothing else changes.
//   llm-esr (LLM-ESR-style, after Liu et al., NeurIPS 2024): a frozen semantic view (text vectors
//     through a trainable adapter A) beside the ID view, combined as x_i = E[i] + A(e_i) at the
//     input, plus retrieval-augmented self-distillation: the user's last state is pulled (mean squared error per element,
//     weight grasp.distillWeight, default 0.1) towards a stop-gradient teacher, the mean over the
//     retrieved similar users v of (mean E over v's training items). The teacher is this cheap
//     stand-in for LLM-ESR's encoded similar-user sequences, so a step costs one forward pass, not K_U + 1.
import { tf, type Scalar, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf';
import { meanItemEmbedding, tableScale, type GraspInputs } from './grasp';
import { applyDense, type Dense } from './layers';
import { ParamStore } from './params';
import type { SequentialRecommender } from './types';
import { wrapBackbone } from './wrap';

/** llm-init: rows 1..numItems of E take the (standardised) text vectors in their first dims columns. */
export function initFromText(model: SequentialRecommender, itemVectors: Float32Array, dims: number): void {
  const table = model.itemEmbedding;
  const [rows, d] = table.shape;
  const width = Math.min(dims, d);
  const scale = tableScale(table);
  const values = Float32Array.from(table.dataSync() as Float32Array);
  for (let i = 0; i < model.numItems; i++) for (let c = 0; c < width; c++) values[(i + 1) * d + c] = scale * itemVectors[i * dims + c];
  const initial = tf.tensor2d(values, [rows, d]);
  table.assign(initial);
  initial.dispose();
}

export interface LlmEsrOptions {
  distillWeight: number;
  seed: number;
}

export class LlmEsrModule {
  private readonly params: ParamStore;
  private readonly itemText: Tensor2D;
  private readonly adapter: Dense;
  private pending: Scalar | undefined;

  constructor(
    private readonly model: SequentialRecommender,
    private readonly inputs: GraspInputs,
    private readonly options: LlmEsrOptions,
  ) {
    const [rows, d] = model.itemEmbedding.shape;
    const dims = inputs.dims;
    this.params = new ParamStore(options.seed ^ 0x1f83d9ab);
    const text = new Float32Array(rows * dims);
    text.set(inputs.itemVectors, dims);
    this.itemText = tf.keep(tf.tensor2d(text, [rows, dims]));
    this.adapter = {
      w: this.params.normal('llmesr.adapter.w', [dims, d], tableScale(model.itemEmbedding) / Math.sqrt(dims)),
      b: this.params.constant('llmesr.adapter.b', [d], 0),
    };
  }

  variables(): Array<[string, Variable]> {
    return this.params.entries();
  }

  inputItems(ids: Tensor2D, base: Tensor3D): Tensor3D {
    const [B, L] = ids.shape;
    const d = this.model.config.d;
    const semantic = applyDense(this.adapter, tf.gather(this.itemText, tf.reshape(ids, [B * L])) as Tensor2D);
    // padding rows have no text but the adapter's bias: zero them so padding stays padding
    const keep = tf.reshape(tf.cast(tf.notEqual(ids, 0), 'float32'), [B * L, 1]);
    return tf.add(base, tf.reshape(tf.mul(semantic, keep), [B, L, d])) as Tensor3D;
  }

  finalState(states: Tensor3D, context: { users?: Int32Array; training: boolean }): Tensor3D {
    if (!context.training || this.options.distillWeight <= 0 || !context.users) return states;
    const [B, L, d] = states.shape;
    const K = this.inputs.kUsers;
    const similar: number[] = [];
    const segment: number[] = [];
    context.users.forEach((u, b) => {
      for (let j = 0; j < K; j++) {
        const v = this.inputs.userNeighbours[u * K + j];
        if (v >= 0) {
          similar.push(v);
          segment.push(b);
        }
      }
    });
    if (similar.length === 0) return states;
    const counts = new Float32Array(B);
    for (const b of segment) counts[b]++;
    const has = Float32Array.from(counts, (c) => (c > 0 ? 1 : 0));
    const mean = tf.mul(
      tf.unsortedSegmentSum(
        meanItemEmbedding(this.model.itemEmbedding, this.inputs.userItems, this.model.config.maxLen, Int32Array.from(similar)),
        tf.tensor1d(Int32Array.from(segment), 'int32'),
        B,
      ),
      tf.tensor2d(
        Float32Array.from(counts, (c) => (c > 0 ? 1 / c : 0)),
        [B, 1],
      ),
    );
    // Stop-gradient: a fresh tensor from the values (tfjs has no stopGradient op); [B, d] is small.
    const teacher = tf.tensor2d(mean.dataSync() as Float32Array, [B, d]);
    const student = tf.reshape(tf.slice(states, [0, L - 1, 0], [B, 1, d]), [B, d]);
    const squared = tf.sum(tf.mul(tf.square(tf.sub(student, teacher)), tf.tensor2d(has, [B, 1])));
    this.pending = tf.mul(
      squared,
      this.options.distillWeight /
        (d *
          Math.max(
            1,
            has.reduce((a, b) => a + b, 0),
          )),
    ) as Scalar;
    return states;
  }

  takeLoss(): Scalar | undefined {
    const loss = this.pending;
    this.pending = undefined;
    return loss;
  }

  dispose(): void {
    this.params.dispose();
    this.itemText.dispose();
  }
}

export function attachLlmEsr(model: SequentialRecommender, inputs: GraspInputs, options: LlmEsrOptions): LlmEsrModule {
  return wrapBackbone(
    model,
    () => new LlmEsrModule(model, inputs, options),
    (module) => ({
      inputItems: (ids, base) => module.inputItems(ids, base),
      finalState: (states, context) => module.finalState(states, context),
      variables: () => module.variables(),
      auxiliaryLoss: () => module.takeLoss(),
    }),
  );
}
