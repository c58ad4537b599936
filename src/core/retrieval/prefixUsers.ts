// Similar users per position (grasp.userRetrieval "position"): at each position t of the sequence a
// model reads, the users most like what it has read UP TO t. The LLM profile of every prefix cannot
// be written (one chat call per user and position), so both sides live in the item-text space: the
// query is the mean text vector of the row's items up to t, and each candidate user is the mean text
// vector of its last maxLen training items. Cosine, exact (a matrix product), the user itself and
// users without training items never returned. Results are cached per user and row, so a training
// row and its validation row (the same items plus one) are searched once.
import { tf, type Tensor2D } from '../engine/tf';
import { normalizeRows } from './exact';

/** The neighbours of one row's positions: position i (0 = the row's first item) → `k` dense user ids, -1 = none. */
interface CachedRow {
  items: Int32Array;
  neighbours: Int32Array;
}

/** Queries per matrix product: [chunk, users] floats at a time. */
const CHUNK = 512;
/** Rows kept per user: the training row and the validation row stay, the rest are replaced oldest first. */
const ROWS_PER_USER = 3;

export class PrefixUserRetrieval {
  private readonly index: Float32Array;
  private readonly eligible: Uint8Array;
  private readonly cache: CachedRow[][];
  private searches = 0;

  /**
   * @param itemVectors numItems × dims text vectors (dense item ids)
   * @param userItems each user's training items (dense ids, time order)
   */
  constructor(
    private readonly itemVectors: Float32Array,
    private readonly dims: number,
    userItems: Int32Array[],
    private readonly maxLen: number,
    readonly k: number,
  ) {
    const count = userItems.length;
    const means = new Float32Array(count * dims);
    this.eligible = new Uint8Array(count);
    userItems.forEach((items, user) => {
      const start = Math.max(0, items.length - maxLen);
      if (items.length === start) return;
      this.eligible[user] = 1;
      this.meanInto(items, start, items.length, means, user * dims);
    });
    this.index = normalizeRows(means, count, dims);
    this.cache = Array.from({ length: count }, () => []);
  }

  get users(): number {
    return this.cache.length;
  }

  /** Positions searched so far (not served from the cache): a measure of the cache's use. */
  get searched(): number {
    return this.searches;
  }

  /**
   * For each request (a user and the items of the row its model reads, dense ids in order), the
   * neighbours of every position of that row ([items.length × k], -1 = none). Positions already
   * searched for the same user and the same items before them are served from the cache; the rest
   * are searched in one batch.
   */
  neighbours(requests: Array<{ user: number; items: Int32Array }>): Int32Array[] {
    const results: Int32Array[] = new Array(requests.length);
    const pending: Array<{ request: number; from: number; base?: CachedRow }> = [];
    let queries = 0;
    requests.forEach(({ user, items }, request) => {
      if (items.length === 0) {
        results[request] = new Int32Array(0);
        return;
      }
      let best: CachedRow | undefined;
      let shared = 0;
      for (const row of this.cache[user]) {
        const common = commonPrefix(row.items, items);
        if (common > shared) {
          best = row;
          shared = common;
        }
      }
      // a position's neighbours depend only on the items up to it: a cached row this one begins serves it
      if (best && shared === items.length) {
        results[request] = best.neighbours.subarray(0, items.length * this.k);
        return;
      }
      pending.push({ request, from: shared, base: best });
      queries += items.length - shared;
    });
    if (pending.length === 0) return results;
    // Query vectors of every position to search, in request order.
    const dims = this.dims;
    const query = new Float32Array(queries * dims);
    const owners = new Int32Array(queries);
    let at = 0;
    for (const { request, from } of pending) {
      const { user, items } = requests[request];
      for (let i = from; i < items.length; i++) {
        this.meanInto(items, Math.max(0, i + 1 - this.maxLen), i + 1, query, at * dims);
        owners[at++] = user;
      }
    }
    const found = this.search(normalizeRows(query, queries, dims), owners);
    at = 0;
    for (const { request, from, base } of pending) {
      const { user, items } = requests[request];
      const neighbours = new Int32Array(items.length * this.k);
      if (base) neighbours.set(base.neighbours.subarray(0, from * this.k));
      neighbours.set(found.subarray(at * this.k, (at + items.length - from) * this.k), from * this.k);
      at += items.length - from;
      const rows = this.cache[user];
      // the first two rows a user is searched with (training, then validation) stay; later ones rotate
      if (rows.length >= ROWS_PER_USER) rows.splice(2, 1);
      rows.push({ items: items.slice(), neighbours });
      results[request] = neighbours;
    }
    return results;
  }

  /** Mean of the text vectors of items[start..end) into out[offset..offset+dims). */
  private meanInto(items: Int32Array, start: number, end: number, out: Float32Array, offset: number): void {
    const dims = this.dims;
    for (let i = start; i < end; i++) {
      const base = items[i] * dims;
      for (let c = 0; c < dims; c++) out[offset + c] += this.itemVectors[base + c];
    }
    const inverse = 1 / Math.max(1, end - start);
    for (let c = 0; c < dims; c++) out[offset + c] *= inverse;
  }

  /** The k most similar eligible users of each query row, never its owner (ties: the lower id first). */
  private search(queries: Float32Array, owners: Int32Array): Int32Array {
    const count = owners.length;
    const users = this.users;
    const k = this.k;
    const out = new Int32Array(count * k).fill(-1);
    const index = tf.tensor2d(this.index, [users, this.dims]);
    try {
      for (let start = 0; start < count; start += CHUNK) {
        const rows = Math.min(CHUNK, count - start);
        // the product leaves tidy as a tensor: a typed array returned from tidy is walked element by element
        const product = tf.tidy(() =>
          tf.matMul(tf.tensor2d(queries.subarray(start * this.dims, (start + rows) * this.dims), [rows, this.dims]), index as Tensor2D, false, true),
        );
        const scores = product.dataSync() as Float32Array;
        product.dispose();
        const best = new Float32Array(k);
        for (let r = 0; r < rows; r++) {
          const owner = owners[start + r];
          const labels = out.subarray((start + r) * k, (start + r + 1) * k);
          let filled = 0;
          const row = r * users;
          for (let v = 0; v < users; v++) {
            const s = scores[row + v];
            if ((filled === k && s <= best[k - 1]) || v === owner || this.eligible[v] === 0) continue;
            let at = filled < k ? filled++ : k - 1;
            while (at > 0 && best[at - 1] < s) {
              best[at] = best[at - 1];
              labels[at] = labels[at - 1];
              at--;
            }
            best[at] = s;
            labels[at] = v;
          }
        }
      }
    } finally {
      index.dispose();
    }
    this.searches += count;
    return out;
  }
}

function commonPrefix(a: Int32Array, b: Int32Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
