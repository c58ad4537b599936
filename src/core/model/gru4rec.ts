// GRU4Rec (Hidasi et al. 2016, in RecBole's session-parallel-free form): item embeddings with
// dropout, then stacked GRU layers (PyTorch's gate equations) over the sequence; the state at each
// position predicts the next item. Left padding is skipped: the state does not move on padding.
import { gruLayer } from '../engine/ops';
import { tf, type Tensor, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf';
import { DropoutStream } from './dropout';
import { leftPadded, lookupItems } from './embedding';
import { applyDense, dense, type Dense } from './layers';
import { ParamStore } from './params';
import type { Random } from '../util/random';
import type { EncoderHooks, ModelConfig, SequentialRecommender } from './types';

interface GruLayer {
  input: Dense; // x → [r | z | n] (3d)
  hidden: Dense; // h → [r | z | n] (3d)
}

export class GRU4Rec implements SequentialRecommender {
  readonly objective = 'next' as const;
  readonly itemEmbedding: Variable;
  hooks: EncoderHooks = {};
  private readonly params: ParamStore;
  private readonly layers: GruLayer[] = [];
  private readonly dropout: DropoutStream;

  constructor(
    readonly config: ModelConfig,
    readonly numItems: number,
    seed: number,
  ) {
    const { d } = config;
    this.params = new ParamStore(seed);
    const table = this.params.normals((numItems + 1) * d, Math.sqrt(2 / (numItems + 1 + d)));
    table.fill(0, 0, d);
    this.itemEmbedding = this.params.add('item_emb', [numItems + 1, d], table);
    for (let i = 0; i < config.layers; i++) {
      this.layers.push({ input: dense(this.params, `gru${i}.input`, d, 3 * d, 'xavier'), hidden: dense(this.params, `gru${i}.hidden`, d, 3 * d, 'xavier') });
    }
    this.dropout = new DropoutStream(seed ^ 0x3c3c3c3c);
  }

  randomStreams(): Random[] {
    return [this.dropout.random, ...(this.hooks.randomStreams?.() ?? [])];
  }

  namedVariables(): Array<[string, Variable]> {
    return [...this.params.entries(), ...(this.hooks.variables?.() ?? [])];
  }

  encode(ids: Tensor2D, training: boolean, users?: Int32Array): Tensor3D {
    const [B, L] = ids.shape;
    const d = this.config.d;
    const keep = tf.cast(tf.notEqual(ids, 0), 'float32') as Tensor2D; // padding positions keep the previous state
    let x = this.dropout.apply(lookupItems(this.itemEmbedding, ids, this.hooks, training), this.config.dropout, training);
    for (const layer of this.layers) {
      const projected = tf.reshape(applyDense(layer.input, tf.reshape(x, [B * L, d]) as Tensor2D), [B, L, 3 * d]) as Tensor3D;
      x = gruLayer(projected, layer.hidden.w as Tensor as Tensor2D, layer.hidden.b!, keep);
    }
    const states = this.dropout.apply(x, this.config.dropout, training);
    return this.hooks.finalState ? this.hooks.finalState(states, { ids, users, training }) : states;
  }

  inferenceRow(history: ArrayLike<number>, out: Int32Array, offset: number): void {
    leftPadded(history, this.config.maxLen, out, offset);
  }

  dispose(): void {
    this.params.dispose();
  }
}
