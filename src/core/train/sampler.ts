// Training batches for next-item prediction (SASRec, GRU4Rec), as the reference sampler builds them:
// per epoch every user with at least two training items, shuffled; input = train[:-1], targets =
// train[1:], the last maxLen positions, left-padded. Negatives either per position (BCE: uniform over
// the catalogue, never one of the user's TRAINING items) or shared by the batch (sampled softmax:
// uniform, or by training popularity with the logQ correction). It only ever sees training
// prefixes: validation and test items cannot leak into inputs, targets, exclusion sets or counts.
import { leftPadded } from '../model/embedding';
import type { LossKind } from '../model/losses';
import { Random } from '../util/random';

export interface NextItemBatch {
  users: Int32Array;
  /** [B, maxLen] model ids (dataset id + 1, 0 = padding) */
  input: Int32Array;
  /** [B, maxLen] target model ids, 0 where there is none */
  targets: Int32Array;
  /** flat positions (b·maxLen + t) that have a target */
  positions: Int32Array;
  /** per position: [positions.length, count] model ids; shared: [count] model ids; none: empty */
  negatives: Int32Array;
  /** shared popularity negatives: log(count · q) of each, q its sampling probability (logQ correction) */
  logQ?: Float32Array;
  batchSize: number;
}

export type NegativeSampling =
  | { kind: 'none' }
  | { kind: 'per-position'; count: number }
  /** popularity: training interaction counts per dataset item (drawn ∝ count + 1); absent: uniform */
  | { kind: 'shared'; count: number; popularity?: ArrayLike<number> };

/** What a loss needs: BCE k negatives per position, sampled softmax k shared by the batch, full CE none. */
export function negativeSamplingFor(loss: LossKind, count: number, popularity?: ArrayLike<number>): NegativeSampling {
  if (loss === 'ce') return { kind: 'none' };
  if (loss === 'bce') return { kind: 'per-position', count };
  return { kind: 'shared', count, popularity };
}

export interface BatchSampler {
  readonly users: Int32Array;
  batchesPerEpoch(batchSize: number): number;
  epoch(batchSize: number): Generator<NextItemBatch>;
  batch(users: Int32Array): NextItemBatch;
}

/**
 * What both samplers share: the users of an epoch in a seeded shuffle, and negatives that are never
 * one of the user's TRAINING items. Subclasses only decide inputs, targets and target positions.
 */
abstract class TrainingSampler implements BatchSampler {
  readonly users: Int32Array;
  private readonly mark: Int32Array;

  protected constructor(
    protected readonly train: Int32Array[],
    private readonly numItems: number,
    protected readonly maxLen: number,
    private readonly sampling: NegativeSampling,
    protected readonly random: Random,
    minLength: number,
  ) {
    this.users = Int32Array.from(train.map((sequence, user) => (sequence.length >= minLength ? user : -1)).filter((user) => user >= 0));
    this.mark = new Int32Array(numItems).fill(-1);
    if (sampling.kind === 'shared' && sampling.popularity) {
      // cumulative weights (count + 1, so no item is never drawn) for a binary search per draw
      this.cumulative = new Float64Array(numItems);
      let total = 0;
      for (let item = 0; item < numItems; item++) this.cumulative[item] = total += (sampling.popularity[item] ?? 0) + 1;
    }
  }

  private readonly cumulative?: Float64Array;

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
    const B = users.length;
    const input = new Int32Array(B * this.maxLen);
    const targets = new Int32Array(B * this.maxLen);
    const positions = this.fill(users, input, targets);
    const batch: NextItemBatch = { users: Int32Array.from(users), input, targets, positions, negatives: new Int32Array(0), batchSize: B };
    if (this.sampling.kind === 'per-position') batch.negatives = this.negatives(users, positions, this.sampling.count);
    else if (this.sampling.kind === 'shared') Object.assign(batch, this.sharedNegatives(this.sampling.count));
    return batch;
  }

  /** Writes the [B, maxLen] inputs and targets; returns the flat positions that have a target, ascending. */
  protected abstract fill(users: Int32Array, input: Int32Array, targets: Int32Array): Int32Array;

  /** count model ids for the whole batch, with their logQ when drawn by popularity. */
  private sharedNegatives(count: number): { negatives: Int32Array; logQ?: Float32Array } {
    const negatives = new Int32Array(count);
    const cumulative = this.cumulative;
    if (!cumulative) {
      for (let j = 0; j < count; j++) negatives[j] = this.random.int(this.numItems) + 1;
      return { negatives };
    }
    const total = cumulative[cumulative.length - 1];
    const logQ = new Float32Array(count);
    for (let j = 0; j < count; j++) {
      const threshold = this.random.next() * total;
      let low = 0;
      let high = cumulative.length - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (cumulative[middle] > threshold) high = middle;
        else low = middle + 1;
      }
      negatives[j] = low + 1;
      const weight = cumulative[low] - (low > 0 ? cumulative[low - 1] : 0);
      logQ[j] = Math.log((count * weight) / total);
    }
    return { negatives, logQ };
  }

  private negatives(users: Int32Array, positions: Int32Array, k: number): Int32Array {
    const L = this.maxLen;
    const negatives = new Int32Array(positions.length * k);
    let p = 0;
    for (let b = 0; b < users.length; b++) {
      const user = users[b];
      for (const item of this.train[user]) this.mark[item] = user;
      while (p < positions.length && Math.floor(positions[p] / L) === b) {
        for (let j = 0; j < k; j++) negatives[p * k + j] = this.negative(user) + 1;
        p++;
      }
    }
    return negatives;
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

export class NextItemSampler extends TrainingSampler {
  constructor(train: Int32Array[], numItems: number, maxLen: number, sampling: NegativeSampling, random: Random) {
    super(train, numItems, maxLen, sampling, random, 2);
  }

  protected fill(users: Int32Array, input: Int32Array, targets: Int32Array): Int32Array {
    const L = this.maxLen;
    const positions: number[] = [];
    for (let b = 0; b < users.length; b++) {
      const sequence = this.train[users[b]];
      leftPadded(sequence.subarray(0, sequence.length - 1), L, input, b * L);
      leftPadded(sequence.subarray(1), L, targets, b * L);
      for (let t = 0; t < L; t++) if (targets[b * L + t] !== 0) positions.push(b * L + t);
    }
    return Int32Array.from(positions);
  }
}

/**
 * Masked-item (cloze) batches for BERT4Rec: the last maxLen training items, each replaced by the
 * [mask] token with probability maskProb (at least one per sequence); targets are the masked items.
 */
export class ClozeSampler extends TrainingSampler {
  constructor(
    train: Int32Array[],
    numItems: number,
    maxLen: number,
    private readonly maskToken: number,
    private readonly maskProb: number,
    sampling: NegativeSampling,
    random: Random,
  ) {
    super(train, numItems, maxLen, sampling, random, 1);
  }

  protected fill(users: Int32Array, input: Int32Array, targets: Int32Array): Int32Array {
    const L = this.maxLen;
    const positions: number[] = [];
    for (let b = 0; b < users.length; b++) {
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
    return Int32Array.from(positions).sort();
  }
}
