// GRU4Rec (Hidasi et al. 2016, in RecBole's session-parallel-free form): item embeddings with
// dropout, then stacked GRU layers (PyTorch's gate equations) over the sequence; the state at each
// position predicts the next item. Left padding is skipped: the state does not move on padding.
import { gruLayer } from '../engine/ops';
import { tf, type Tensor, type Tensor2D, type Tensor3D } from '../engine/tf';
import { BackboneBase } from './backbone';
import { lookupItems } from './embedding';
import { applyDense, dense, type Dense } from './layers';
import type { ModelConfig } from './types';

interface GruLayer {
  input: Dense; // x → [r | z | n] (3d)
  hidden: Dense; // h → [r | z | n] (3d)
}

export class GRU4Rec extends BackboneBase {
  readonly objective = 'next' as const;
  private readonly layers: GruLayer[] = [];

  constructor(config: ModelConfig, numItems: number, seed: number) {
    super(config, numItems, seed, { itemRows: numItems + 1, dropoutSalt: 0x3c3c3c3c });
    const { d } = config;
    for (let i = 0; i < config.layers; i++) {
      this.layers.push({ input: dense(this.params, `gru${i}.input`, d, 3 * d, 'xavier'), hidden: dense(this.params, `gru${i}.hidden`, d, 3 * d, 'xavier') });
    }
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
}
