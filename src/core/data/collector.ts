/** A growable typed array: interactions are stored as columns of numbers, not row objects. */
class GrowableColumn<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(
    private data: T,
    private readonly make: (capacity: number) => T,
  ) {}

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index];
  }
}

/** Raw id ↔ dense 0-based id, in order of first appearance. */
export class IdIndex {
  readonly ids: string[] = [];
  private readonly lookup = new Map<string, number>();

  intern(raw: string): number {
    let dense = this.lookup.get(raw);
    if (dense === undefined) {
      dense = this.ids.length;
      this.lookup.set(raw, dense);
      this.ids.push(raw);
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
  private readonly userColumn = new GrowableColumn(new Int32Array(1024), (n) => new Int32Array(n));
  private readonly itemColumn = new GrowableColumn(new Int32Array(1024), (n) => new Int32Array(n));
  private readonly timeColumn: GrowableColumn<Float64Array> | undefined;

  constructor(readonly hasTimestamps: boolean) {
    this.timeColumn = hasTimestamps ? new GrowableColumn(new Float64Array(1024), (n) => new Float64Array(n)) : undefined;
  }

  get count(): number {
    return this.userColumn.length;
  }

  add(user: string, item: string, time = 0): void {
    this.userColumn.push(this.users.intern(user));
    this.itemColumn.push(this.items.intern(item));
    this.timeColumn?.push(time);
  }

  build(): CollectedInteractions {
    const userCount = this.users.ids.length;
    const lengths = new Int32Array(userCount);
    for (let row = 0; row < this.count; row++) lengths[this.userColumn.get(row)]++;
    const sequences = Array.from(lengths, (length) => new Int32Array(length));
    const timestamps = this.timeColumn ? Array.from(lengths, (length) => new Float64Array(length)) : undefined;
    const fill = new Int32Array(userCount);
    for (let row = 0; row < this.count; row++) {
      const user = this.userColumn.get(row);
      const position = fill[user]++;
      sequences[user][position] = this.itemColumn.get(row);
      if (timestamps && this.timeColumn) timestamps[user][position] = this.timeColumn.get(row);
    }
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
