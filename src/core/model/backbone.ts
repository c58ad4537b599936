// What every backbone (SASRec, GRU4Rec, BERT4Rec) shares: its seeded parameters and dropout stream, the
// item table with its zeroed padding row, the hooks wrappers plug in (their random streams and variables
// counted with the backbone's), and the left-padded inference row.
import type { Tensor2D, Tensor3D, Variable } from '../engine/tf';
import { DropoutStream } from './dropout';
import { leftPadded } from './embedding';
import { ParamStore } from './params';
import type { Random } from '../util/random';
import type { EncoderHooks, ModelConfig, SequentialRecommender } from './types';

export interface BackboneInit {
  /** Rows of the item embedding: numItems + 1 (padding), + 1 more for a mask token. */
  itemRows: number;
  /** Its initial normal(0, std) draws; default Xavier normal (std = sqrt(2 / (rows + d))). */
  itemStd?: number;
  /** Sets the dropout stream apart from the parameters' (seed ^ salt). */
  dropoutSalt: number;
}

export abstract class BackboneBase implements SequentialRecommender {
  abstract readonly objective: 'next' | 'cloze';
  readonly itemEmbedding: Variable;
  hooks: EncoderHooks = {};
  protected readonly params: ParamStore;
  protected readonly dropout: DropoutStream;

  /** Draws the item embedding first, then the subclass its own parameters. */
  constructor(
    readonly config: ModelConfig,
    readonly numItems: number,
    seed: number,
    init: BackboneInit,
  ) {
    const { d } = config;
    this.params = new ParamStore(seed);
    const table = this.params.normals(init.itemRows * d, init.itemStd ?? Math.sqrt(2 / (init.itemRows + d)));
    table.fill(0, 0, d); // padding row
    this.itemEmbedding = this.params.add('item_emb', [init.itemRows, d], table);
    this.dropout = new DropoutStream(seed ^ init.dropoutSalt);
  }

  abstract encode(ids: Tensor2D, training: boolean, users?: Int32Array): Tensor3D;

  randomStreams(): Random[] {
    return [this.dropout.random, ...(this.hooks.randomStreams?.() ?? [])];
  }

  namedVariables(): Array<[string, Variable]> {
    return [...this.params.entries(), ...(this.hooks.variables?.() ?? [])];
  }

  inferenceRow(history: ArrayLike<number>, out: Int32Array, offset: number): void {
    leftPadded(history, this.config.maxLen, out, offset);
  }

  dispose(): void {
    this.params.dispose();
  }
}
