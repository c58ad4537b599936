// What a long-lived worker keeps between jobs of one view (Inspect Neighbours asks about one id after
// another): the loaded dataset, its texts, the opened GRASP checkpoint. An entry is reused only while its
// stamp (sizes and modification times of the files it was built from) is unchanged, so an edited file or
// a rebuilt index is read again; a one-job worker (the CLI) simply never hits.
import { statSync } from 'node:fs';

interface Entry<T> {
  stamp: string;
  value: Promise<T>;
}

/** Size and mtime of each path ('-' for a missing one): changes when any of the files does. */
export function fileStamp(paths: ReadonlyArray<string | undefined>): string {
  return paths
    .map((path) => {
      if (!path) return '-';
      try {
        const info = statSync(path);
        return `${info.size}:${info.mtimeMs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}

export class WarmCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** @param capacity entries kept (least recently used go first); @param evicted frees what an entry holds */
  constructor(
    private readonly capacity: number,
    private readonly evicted: (value: T) => void = () => {},
  ) {}

  /** The cached value for `key` when its stamp matches, else `build()` (a failed build is not kept). */
  get(key: string, stamp: string, build: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.stamp === stamp) {
      this.entries.delete(key);
      this.entries.set(key, hit); // most recently used last
      return hit.value;
    }
    if (hit) this.drop(key, hit);
    const value = build();
    const entry = { stamp, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.capacity) {
      const [oldest, old] = this.entries.entries().next().value as [string, Entry<T>];
      this.drop(oldest, old);
    }
    return value;
  }

  private drop(key: string, entry: Entry<T>): void {
    this.entries.delete(key);
    entry.value.then(this.evicted, () => undefined);
  }
}
