import { BERT4Rec } from './bert4rec';
import { GRU4Rec } from './gru4rec';
import { SASRec } from './sasrec';
import type { ModelConfig, SequentialRecommender } from './types';

export * from './types';
export { lossValue } from './losses';

/** Builds a backbone from its config; initial weights depend only on the seed. */
export function createModel(config: ModelConfig, numItems: number, seed: number): SequentialRecommender {
  switch (config.kind) {
    case 'sasrec':
      return new SASRec(config, numItems, seed);
    case 'gru4rec':
      return new GRU4Rec(config, numItems, seed);
    case 'bert4rec':
      return new BERT4Rec(config, numItems, seed);
  }
}
