import type { Scalar, Tensor2D, Tensor3D, Variable } from '../engine/tf';
import type { Random } from '../util/random';

// The backbone and loss lists live here, in a module without run-time imports, so the run-config schema
// (src/core/train/config.ts, also bundled alone to write the editor's JSON schema) reads them without
// pulling TensorFlow.js in.
/** The backbones: one list for the run-config schema, the presets and the types (createModel switches over all of them). */
export const MODEL_KINDS = ['sasrec', 'gru4rec', 'bert4rec'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Training losses (src/core/model/losses.ts computes them). */
export const LOSS_KINDS = ['bce', 'sampled_softmax', 'ce'] as const;
export type LossKind = (typeof LOSS_KINDS)[number];

/** Shared model settings (RecBole names in comments). */
export interface ModelConfig {
  kind: ModelKind;
  /** hidden_size */
  d: number;
  /** n_layers: attention blocks, or GRU layers */
  layers: number;
  /** n_heads (attention models) */
  heads: number;
  /** dropout on embeddings, attention weights and feed-forward layers */
  dropout: number;
  /** MAX_ITEM_LIST_LENGTH: inputs keep the last maxLen items */
  maxLen: number;
  /** inner_size of the feed-forward layer; default d (SASRec reference) or 4d (BERT4Rec) */
  innerSize?: number;
  /** BERT4Rec: share of positions masked for the cloze task */
  maskProb?: number;
}

/**
 * Each backbone's own defaults are its preset, src/core/train/presets/<kind>.json (as RecBole keeps a
 * properties file per model), plus the feed-forward width in its constructor. These are what a setting
 * falls back to when neither the config nor the preset gives it (GRU4Rec's heads, maskProb for the
 * backbones that do not mask, a preset value a config removed with null): the run-config schema's
 * defaults and the trainer's, written once.
 */
export const MODEL_DEFAULTS = { d: 64, layers: 2, heads: 1, dropout: 0.2, maxLen: 50, maskProb: 0.2 } as const satisfies Partial<ModelConfig>;

/**
 * Where GRASP (and other wrappers) plug into a backbone without copying it. Each hook receives what
 * the backbone would use and returns what it should use instead.
 */
export interface EncoderHooks {
  /** Input item representations: `base` = E[ids] ([B, L, d]) for model ids ([B, L], 0 = padding). */
  inputItems?: (ids: Tensor2D, base: Tensor3D, training: boolean) => Tensor3D;
  /** Final per-position states ([B, L, d], or [B, 1, d] from encodeLast) before scoring; `users` are the batch's user ids when known. */
  finalState?: (states: Tensor3D, context: { ids: Tensor2D; users?: Int32Array; training: boolean }) => Tensor3D;
  /** Random streams the hooks draw from while training (dropout), saved and restored by a resumed run. */
  randomStreams?: () => Random[];
  /** The item table scores are dot products with ([rows, d], rows as E's); absent: E itself (tied). */
  scoringTable?: (table: Variable) => Tensor2D;
  /** Trainable variables the hooks own, optimised and checkpointed with the backbone's. */
  variables?: () => Array<[string, Variable]>;
  /**
   * An extra training loss term the hooks computed during the last encode (e.g. LLM-ESR-style
   * self-distillation), added to the backbone's loss; called once per training step, right after encode.
   */
  auxiliaryLoss?: () => Scalar | undefined;
}

/**
 * A sequential recommender. Item ids inside a model are the dataset's dense ids + 1; 0 pads.
 * Scores are dot products with the (tied) item embedding.
 */
export interface SequentialRecommender {
  readonly config: ModelConfig;
  /** next-item prediction at every position (SASRec, GRU4Rec) or masked-item prediction (BERT4Rec) */
  readonly objective: 'next' | 'cloze';
  /** Items in the catalogue (dataset ids 0..numItems-1 = model ids 1..numItems). */
  readonly numItems: number;
  /** [numItems + 1 (+1 mask token for BERT4Rec), d]; row 0 is padding. */
  readonly itemEmbedding: Variable;
  hooks: EncoderHooks;
  /** Every random stream training draws from inside the model (dropout), hooks' included, in a fixed order. */
  randomStreams(): Random[];
  /** Named trainable variables, hooks' included. */
  namedVariables(): Array<[string, Variable]>;
  /** States for left-padded model-id sequences [B, L] → [B, L, d]. */
  encode(ids: Tensor2D, training: boolean, users?: Int32Array): Tensor3D;
  /**
   * Inference only: the state at the last position ([B, d]), equal to encode(…)[:, L-1]. Models that can
   * skip work for the other positions implement it (the evaluator uses it when present).
   */
  encodeLast?(ids: Tensor2D, users?: Int32Array): Tensor2D;
  /**
   * The model-id input row used to predict the item after `history` (dataset ids, time order):
   * the last maxLen items left-padded (BERT4Rec appends its mask token).
   */
  inferenceRow(history: ArrayLike<number>, out: Int32Array, offset: number): void;
  dispose(): void;
}
