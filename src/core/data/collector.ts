const CHUNK = 1 << 16;

/**
 * A column of numbers stored in fixed-size chunks: growing never copies, so peak memory is the
 * data itself (4 or 8 bytes an interaction) rather than 1.5× it during a doubling.
 */
class ChunkedColumn<T extends Int32Array | Float64Array> {
  length = 0;
  private readonly chunks: T[] = [];

  constructor(private readonly make: (capacity: number) => T) {}

  push(value: number): void {
    const offset = this.length & (CHUNK - 1);
    if (offset === 0) this.chunks.push(this.make(CHUNK));
    this.chunks[this.chunks.length - 1][offset] = value;
    this.length++;
  }

  get(index: number): number {
    return this.chunks[index >>> 16][index & (CHUNK - 1)];
  }
}

/** Ids cut out of a long line can be V8 "sliced strings" that keep the whole line alive: copy them. */
function detached(raw: string): string {
  return raw.length > 12 ? Buffer.from(raw, 'utf8').toString('utf8') : raw;
}

/** Raw id ↔ dense 0-based id, in order of first appearance. */
export class IdIndex {
  readonly ids: string[] = [];
  private readonly lookup = new Map<string, number>();

  intern(raw: string): number {
    let dense = this.lookup.get(raw);
    if (dense === undefined) {
      dense = this.ids.length;
      const own = detached(raw);
      this.lookup.set(own, dense);
      this.ids.push(own);
    }
    return dense;
  }

  get(raw: string): number | undefined {
    return this.lookup.get(raw);
  }
}

export interface CollectedInteractions {
  userIds: string[];
  itemIds: string[];
  sequences: Int32Array[];
  timestamps?: Float64Array[];
}

/**
 * Accumulates interactions as they stream in (memory: a few bytes per interaction plus the id
 * tables), then groups them per user in time order. Ties in time keep file order.
 */
export class InteractionCollector {
  readonly users = new IdIndex();
  readonly items = new IdIndex();
  private readonly userColumn = new ChunkedColumn((n) => new Int32Array(n));
  private readonly itemColumn = new ChunkedColumn((n) => new Int32Array(n));
  private readonly timeColumn: ChunkedColumn<Float64Array> | undefined;

  constructor(readonly hasTimestamps: boolean) {
    this.timeColumn = hasTimestamps ? new ChunkedColumn((n) => new Float64Array(n)) : undefined;
  }

  get count(): number {
    return this.userColumn.length;
  }

  add(user: string, item: string, time = 0): void {
    this.userColumn.push(this.users.intern(user));
    this.itemColumn.push(this.items.intern(item));
    this.timeColumn?.push(time);
  }

  /**
   * Groups rows per user. All sequences are views into one buffer (offsets per user), so a
   * dataset with many short users does not pay for one allocation each.
   */
  build(): CollectedInteractions {
    const userCount = this.users.ids.length;
    const offsets = new Int32Array(userCount + 1);
    for (let row = 0; row < this.count; row++) offsets[this.userColumn.get(row) + 1]++;
    for (let user = 0; user < userCount; user++) offsets[user + 1] += offsets[user];
    const allItems = new Int32Array(this.count);
    const allTimes = this.timeColumn ? new Float64Array(this.count) : undefined;
    const fill = offsets.slice(0, userCount);
    for (let row = 0; row < this.count; row++) {
      const position = fill[this.userColumn.get(row)]++;
      allItems[position] = this.itemColumn.get(row);
      if (allTimes) allTimes[position] = this.timeColumn!.get(row);
    }
    const sequences = Array.from({ length: userCount }, (_, user) => allItems.subarray(offsets[user], offsets[user + 1]));
    const timestamps = allTimes && Array.from({ length: userCount }, (_, user) => allTimes.subarray(offsets[user], offsets[user + 1]));
    if (timestamps) {
      for (let user = 0; user < userCount; user++) sortByTime(sequences[user], timestamps[user]);
    }
    return { userIds: this.users.ids, itemIds: this.items.ids, sequences, timestamps };
  }
}

/** Stable sort of one user's items by time; most files are already in order, so check first. */
function sortByTime(items: Int32Array, times: Float64Array): void {
  let sorted = true;
  for (let i = 1; i < times.length && sorted; i++) sorted = times[i - 1] <= times[i];
  if (sorted) return;
  const order = Array.from(times.keys()).sort((a, b) => times[a] - times[b] || a - b);
  const itemsCopy = items.slice();
  const timesCopy = times.slice();
  order.forEach((from, to) => {
    items[to] = itemsCopy[from];
    times[to] = timesCopy[from];
  });
}
