// Dropout seeds: each dropout call gets the next 32-bit seed of a seeded stream, and the mask is a
// stateless hash of (seed, element) computed by the engine's dropout op, so masks are the same on
// every backend and the backward pass needs no stored mask.
import { dropout } from '../engine/ops';
import type { Tensor } from '../engine/tf';
import { Random } from '../util/random';

export class DropoutStream {
  /** exposed so a resumed run continues the same masks (see SequentialRecommender.randomStreams) */
  readonly random: Random;

  constructor(seed: number) {
    this.random = new Random(seed);
  }

  /** x · mask / (1 - rate), mask ~ Bernoulli(1 - rate); identity when rate is 0 or not training. */
  apply<T extends Tensor>(x: T, rate: number, training: boolean): T {
    if (!training || rate <= 0) return x;
    return dropout(x, rate, this.nextSeed());
  }

  nextSeed(): number {
    return Math.floor(this.random.next() * 4294967296);
  }
}
