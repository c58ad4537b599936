// Training batches for next-item prediction (SASRec, GRU4Rec), as the reference sampler builds them:
// per epoch every user with at least two training items, shuffled; input = train[:-1], targets =
// train[1:], the last maxLen positions, left-padded; negatives uniform over the catalogue, never one
// of the user's TRAINING items. It only ever sees training prefixes: validation and test items
// cannot leak into inputs, targets or exclusion sets.
import { leftPadded } from '../model/embedding';
import { Random } from '../util/random';

export interface NextItemBatch {
  users: Int32Array;
  /** [B, maxLen] model ids (dataset id + 1, 0 = padding) */
  input: Int32Array;
  /** [B, maxLen] target model ids, 0 where there is none */
  targets: Int32Array;
  /** flat positions (b·maxLen + t) that have a target */
  positions: Int32Array;
  /** [positions.length, negatives] model ids */
  negatives: Int32Array;
  batchSize: number;
}

export interface BatchSampler {
  readonly users: Int32Array;
  batchesPerEpoch(batchSize: number): number;
  epoch(batchSize: number): Generator<NextItemBatch>;
  batch(users: Int32Array): NextItemBatch;
}

export class NextItemSampler implements BatchSampler {
  readonly users: Int32Array;
  private readonly mark: Int32Array;

  constructor(
    private readonly train: Int32Array[],
    private readonly numItems: number,
    private readonly maxLen: number,
    private readonly negativesPerPosition: number,
    private readonly random: Random,
  ) {
    this.users = Int32Array.from(train.map((sequence, user) => (sequence.length >= 2 ? user : -1)).filter((user) => user >= 0));
    this.mark = new Int32Array(numItems).fill(-1);
  }

  batchesPerEpoch(batchSize: number): number {
    return Math.ceil(this.users.length / batchSize);
  }

  *epoch(batchSize: number): Generator<NextItemBatch> {
    const order = this.users.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let start = 0; start < order.length; start += batchSize) yield this.batch(order.subarray(start, start + batchSize));
  }

  batch(users: Int32Array): NextItemBatch {
    const L = this.maxLen;
    const B = users.length;
    const input = new Int32Array(B * L);
    const targets = new Int32Array(B * L);
    const positions: number[] = [];
    for (let b = 0; b < B; b++) {
      const sequence = this.train[users[b]];
      leftPadded(sequence.subarray(0, sequence.length - 1), L, input, b * L);
      leftPadded(sequence.subarray(1), L, targets, b * L);
      for (let t = 0; t < L; t++) if (targets[b * L + t] !== 0) positions.push(b * L + t);
    }
    const k = this.negativesPerPosition;
    const negatives = new Int32Array(positions.length * k);
    let p = 0;
    for (let b = 0; b < B; b++) {
      const user = users[b];
      this.excludeTrainingItems(user);
      while (p < positions.length && Math.floor(positions[p] / L) === b) {
        for (let j = 0; j < k; j++) negatives[p * k + j] = this.negative(user) + 1;
        p++;
      }
    }
    return { users: Int32Array.from(users), input, targets, positions: Int32Array.from(positions), negatives, batchSize: B };
  }

  private excludeTrainingItems(user: number): void {
    for (const item of this.train[user]) this.mark[item] = user;
  }

  /** A dataset item id not in the user's training items (all-excluded users get any item). */
  private negative(user: number): number {
    for (let attempt = 0; attempt < 1000; attempt++) {
      const item = this.random.int(this.numItems);
      if (this.mark[item] !== user) return item;
    }
    return this.random.int(this.numItems);
  }
}

/**
 * Masked-item (cloze) batches for BERT4Rec: the last maxLen training items, each replaced by the
 * [mask] token with probability maskProb (at least one per sequence); targets are the masked items.
 * Negatives, when the loss needs them, exclude the user's training items, like NextItemSampler's.
 */
export class ClozeSampler implements BatchSampler {
  readonly users: Int32Array;
  private readonly mark: Int32Array;

  constructor(
    private readonly train: Int32Array[],
    private readonly numItems: number,
    private readonly maxLen: number,
    private readonly maskToken: number,
    private readonly maskProb: number,
    private readonly negativesPerPosition: number,
    private readonly random: Random,
  ) {
    this.users = Int32Array.from(train.map((sequence, user) => (sequence.length >= 1 ? user : -1)).filter((user) => user >= 0));
    this.mark = new Int32Array(numItems).fill(-1);
  }

  batchesPerEpoch(batchSize: number): number {
    return Math.ceil(this.users.length / batchSize);
  }

  *epoch(batchSize: number): Generator<NextItemBatch> {
    const order = this.users.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let start = 0; start < order.length; start += batchSize) yield this.batch(order.subarray(start, start + batchSize));
  }

  batch(users: Int32Array): NextItemBatch {
    const L = this.maxLen;
    const B = users.length;
    const input = new Int32Array(B * L);
    const targets = new Int32Array(B * L);
    const positions: number[] = [];
    for (let b = 0; b < B; b++) {
      leftPadded(this.train[users[b]], L, input, b * L);
      const filled: number[] = [];
      for (let t = 0; t < L; t++) if (input[b * L + t] !== 0) filled.push(b * L + t);
      let masked = filled.filter(() => this.random.next() < this.maskProb);
      if (masked.length === 0 && filled.length > 0) masked = [filled[this.random.int(filled.length)]];
      for (const p of masked) {
        targets[p] = input[p];
        input[p] = this.maskToken;
        positions.push(p);
      }
    }
    positions.sort((a, b) => a - b);
    const k = this.negativesPerPosition;
    const negatives = new Int32Array(positions.length * k);
    let p = 0;
    for (let b = 0; b < B; b++) {
      const user = users[b];
      for (const item of this.train[user]) this.mark[item] = user;
      while (p < positions.length && Math.floor(positions[p] / L) === b) {
        for (let j = 0; j < k; j++) {
          let item = this.random.int(this.numItems);
          for (let attempt = 0; attempt < 1000 && this.mark[item] === user; attempt++) item = this.random.int(this.numItems);
          negatives[p * k + j] = item + 1;
        }
        p++;
      }
    }
    return { users: Int32Array.from(users), input, targets, positions: Int32Array.from(positions), negatives, batchSize: B };
  }
}
