// SASRec (Kang & McAuley 2018), as the project's PyTorch reference (../shared/bench/sasrec_torch.py)
// builds it: item embedding scaled by sqrt(d) plus a learned position embedding, embedding dropout,
// padding positions zeroed, blocks of [pre-LN causal attention (query = LN(x), keys/values = x)
// with the residual on LN(x), LN → point-wise FFN with residual], a final LN.
import { tf, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf';
import { BackboneBase } from './backbone';
import { lookupItems } from './embedding';
import {
  applyAttention,
  applyAttentionLast,
  applyDense,
  applyLayerNorm,
  attention,
  causalBias,
  dense,
  layerNorm,
  type Attention,
  type Dense,
  type LayerNorm,
} from './layers';
import type { ModelConfig } from './types';

interface Block {
  attentionNorm: LayerNorm;
  attention: Attention;
  ffnNorm: LayerNorm;
  ffn1: Dense;
  ffn2: Dense;
}

export class SASRec extends BackboneBase {
  readonly objective = 'next' as const;
  private readonly position: Variable;
  private readonly blocks: Block[] = [];
  private readonly lastNorm: LayerNorm;
  private readonly mask: Tensor2D;

  constructor(config: ModelConfig, numItems: number, seed: number) {
    super(config, numItems, seed, { itemRows: numItems + 1, dropoutSalt: 0x5a5a5a5a });
    const { d, maxLen, layers, heads } = config;
    const inner = config.innerSize ?? d;
    this.position = this.params.xavierNormal('pos_emb', [maxLen, d]);
    for (let i = 0; i < layers; i++) {
      this.blocks.push({
        attentionNorm: layerNorm(this.params, `block${i}.attn_ln`, d, 1e-8),
        attention: attention(this.params, `block${i}.attn`, d, heads),
        ffnNorm: layerNorm(this.params, `block${i}.ffn_ln`, d, 1e-8),
        ffn1: dense(this.params, `block${i}.ffn1`, d, inner, 'xavier'),
        ffn2: dense(this.params, `block${i}.ffn2`, inner, d, 'xavier'),
      });
    }
    this.lastNorm = layerNorm(this.params, 'last_ln', d, 1e-8);
    this.mask = tf.keep(causalBias(maxLen));
  }

  encode(ids: Tensor2D, training: boolean, users?: Int32Array): Tensor3D {
    const [B, L] = ids.shape;
    const { d, dropout: rate } = this.config;
    if (L !== this.config.maxLen) throw new Error(`SASRec expects sequences of length ${this.config.maxLen}, got ${L}`);
    const keep = tf.expandDims(tf.cast(tf.notEqual(ids, 0), 'float32'), -1) as Tensor3D;
    let x = tf.add(tf.mul(lookupItems(this.itemEmbedding, ids, this.hooks, training), Math.sqrt(d)), this.position) as Tensor3D;
    x = tf.mul(this.dropout.apply(x, rate, training), keep);
    for (const block of this.blocks) {
      const q = applyLayerNorm(block.attentionNorm, x);
      x = tf.add(q, applyAttention(block.attention, q, x, { kind: 'all', bias: this.mask }, this.dropout, rate, training));
      const y = applyLayerNorm(block.ffnNorm, x);
      const flat = tf.reshape(y, [B * L, d]) as Tensor2D;
      // dropout before the ReLU, as the reference (relu(dropout(x)) = dropout(relu(x)): fused ReLU is exact)
      const hidden = this.dropout.apply(applyDense(block.ffn1, flat, true), rate, training);
      const out = this.dropout.apply(applyDense(block.ffn2, hidden), rate, training);
      x = tf.mul(tf.add(y, tf.reshape(out, [B, L, d])), keep);
    }
    const states = applyLayerNorm(this.lastNorm, x);
    return this.hooks.finalState ? this.hooks.finalState(states, { ids, users, training }) : states;
  }

  encodeLast(ids: Tensor2D, users?: Int32Array): Tensor2D {
    const [B, L] = ids.shape;
    const d = this.config.d;
    const keep = tf.expandDims(tf.cast(tf.notEqual(ids, 0), 'float32'), -1) as Tensor3D;
    let x = tf.mul(tf.add(tf.mul(lookupItems(this.itemEmbedding, ids, this.hooks, false), Math.sqrt(d)), this.position), keep) as Tensor3D;
    for (const [index, block] of this.blocks.entries()) {
      // Every position feeds the keys and values; only the last block can stop at the last query.
      const last = index === this.blocks.length - 1;
      const q = applyLayerNorm(block.attentionNorm, last ? (tf.slice(x, [0, L - 1, 0], [B, 1, d]) as Tensor3D) : x);
      const attended = last
        ? applyAttentionLast(block.attention, q, x)
        : applyAttention(block.attention, q, x, { kind: 'all', bias: this.mask }, this.dropout, 0, false);
      const rows = last ? 1 : L;
      const y = applyLayerNorm(block.ffnNorm, tf.add(q, attended) as Tensor3D);
      const out = applyDense(block.ffn2, applyDense(block.ffn1, tf.reshape(y, [B * rows, d]) as Tensor2D, true));
      const keepRows = last ? (tf.slice(keep, [0, L - 1, 0], [B, 1, 1]) as Tensor3D) : keep;
      x = tf.mul(tf.add(y, tf.reshape(out, [B, rows, d])), keepRows) as Tensor3D;
    }
    const states = applyLayerNorm(this.lastNorm, x);
    const final = this.hooks.finalState ? this.hooks.finalState(states, { ids, users, training: false }) : states;
    return tf.reshape(final, [B, d]) as Tensor2D;
  }

  override dispose(): void {
    super.dispose();
    this.mask.dispose();
  }
}
