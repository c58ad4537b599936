// BERT4Rec (Sun et al. 2019): bidirectional Transformer over the sequence trained by masked item
// prediction (cloze). Item + learned position embeddings, LayerNorm and dropout, post-LN blocks
// (attention and GELU feed-forward, each with residual and LayerNorm), padding keys hidden, then
// the output head (dense, GELU, LayerNorm) scored against the tied item embedding. Row
// numItems + 1 of the embedding is the [mask] token; inference appends it after the history.
import { tf, type Tensor2D, type Tensor3D, type Variable } from '../engine/tf';
import { BackboneBase } from './backbone';
import { leftPadded, lookupItems } from './embedding';
import { gelu } from '../engine/ops';
import { applyAttention, applyDense, applyLayerNorm, attention, dense, layerNorm, type Attention, type Dense, type LayerNorm } from './layers';
import type { ModelConfig } from './types';

interface Block {
  attention: Attention;
  attentionNorm: LayerNorm;
  ffn1: Dense;
  ffn2: Dense;
  ffnNorm: LayerNorm;
}

export class BERT4Rec extends BackboneBase {
  readonly objective = 'cloze' as const;
  private readonly position: Variable;
  private readonly embeddingNorm: LayerNorm;
  private readonly blocks: Block[] = [];
  private readonly head: Dense;
  private readonly headNorm: LayerNorm;

  constructor(config: ModelConfig, numItems: number, seed: number) {
    // BERT's initialiser: normal(0, 0.02) for embeddings and weights; row numItems + 1 is the [mask] token
    super(config, numItems, seed, { itemRows: numItems + 2, itemStd: 0.02, dropoutSalt: 0x6b6b6b6b });
    const { d, maxLen, layers, heads } = config;
    const inner = config.innerSize ?? 4 * d;
    this.position = this.params.normal('pos_emb', [maxLen, d], 0.02);
    this.embeddingNorm = layerNorm(this.params, 'emb_ln', d, 1e-12);
    for (let i = 0; i < layers; i++) {
      this.blocks.push({
        attention: attention(this.params, `block${i}.attn`, d, heads),
        attentionNorm: layerNorm(this.params, `block${i}.attn_ln`, d, 1e-12),
        ffn1: dense(this.params, `block${i}.ffn1`, d, inner, 'xavier', 'zero'),
        ffn2: dense(this.params, `block${i}.ffn2`, inner, d, 'xavier', 'zero'),
        ffnNorm: layerNorm(this.params, `block${i}.ffn_ln`, d, 1e-12),
      });
    }
    this.head = dense(this.params, 'head', d, d, 'xavier', 'zero');
    this.headNorm = layerNorm(this.params, 'head_ln', d, 1e-12);
  }

  /** The model id of the [mask] token. */
  get maskToken(): number {
    return this.numItems + 1;
  }

  encode(ids: Tensor2D, training: boolean, users?: Int32Array): Tensor3D {
    const [B, L] = ids.shape;
    const { d, dropout: rate } = this.config;
    // padding keys get -1e9 in every query's scores
    const bias = { kind: 'keys' as const, bias: tf.mul(tf.cast(tf.equal(ids, 0), 'float32'), -1e9) as Tensor2D };
    let x = tf.add(lookupItems(this.itemEmbedding, ids, this.hooks, training), this.position) as Tensor3D;
    x = this.dropout.apply(applyLayerNorm(this.embeddingNorm, x), rate, training);
    for (const block of this.blocks) {
      const attended = this.dropout.apply(applyAttention(block.attention, x, x, bias, this.dropout, rate, training), rate, training);
      x = applyLayerNorm(block.attentionNorm, tf.add(x, attended) as Tensor3D);
      const flat = tf.reshape(x, [B * L, d]) as Tensor2D;
      const hidden = this.dropout.apply(gelu(applyDense(block.ffn1, flat)), rate, training);
      const out = this.dropout.apply(applyDense(block.ffn2, hidden), rate, training);
      x = applyLayerNorm(block.ffnNorm, tf.add(x, tf.reshape(out, [B, L, d])) as Tensor3D);
    }
    const flat = tf.reshape(x, [B * L, d]) as Tensor2D;
    const states = tf.reshape(applyLayerNorm(this.headNorm, gelu(applyDense(this.head, flat))), [B, L, d]) as Tensor3D;
    return this.hooks.finalState ? this.hooks.finalState(states, { ids, users, training }) : states;
  }

  override inferenceRow(history: ArrayLike<number>, out: Int32Array, offset: number): void {
    leftPadded(history, this.config.maxLen, out, offset, true);
    out[offset + this.config.maxLen - 1] = this.maskToken;
  }
}
