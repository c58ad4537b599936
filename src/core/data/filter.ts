import type { DuplicatePolicy } from './types';

export interface Sequences {
  userIds: string[];
  itemIds: string[];
  sequences: Int32Array[];
  timestamps?: Float64Array[];
}

/** Counts interactions that repeat an item the same user already had earlier. */
export function countRepeats(sequences: Int32Array[], itemCount: number): number {
  // One stamp per item (the last user seen with it) instead of a Set per user: no allocation per user.
  const lastUser = new Int32Array(itemCount).fill(-1);
  let repeats = 0;
  sequences.forEach((sequence, user) => {
    for (const item of sequence) {
      if (lastUser[item] === user) repeats++;
      lastUser[item] = user;
    }
  });
  return repeats;
}

/** Applies a duplicate policy; returns how many interactions it removed. */
export function applyDuplicatePolicy(data: Sequences, policy: DuplicatePolicy): number {
  if (policy === 'keep') return 0;
  let removed = 0;
  data.sequences.forEach((sequence, user) => {
    const keep = keepMask(sequence, policy);
    const kept = keep.reduce((sum, flag) => sum + flag, 0);
    if (kept === sequence.length) return;
    removed += sequence.length - kept;
    data.sequences[user] = sequence.filter((_, i) => keep[i] === 1);
    if (data.timestamps) data.timestamps[user] = data.timestamps[user].filter((_, i) => keep[i] === 1);
  });
  return removed;
}

function keepMask(sequence: Int32Array, policy: DuplicatePolicy): Uint8Array {
  const keep = new Uint8Array(sequence.length).fill(1);
  if (policy === 'drop-consecutive') {
    for (let i = 1; i < sequence.length; i++) if (sequence[i] === sequence[i - 1]) keep[i] = 0;
    return keep;
  }
  const seen = new Set<number>();
  const order = policy === 'first' ? [...sequence.keys()] : [...sequence.keys()].reverse();
  for (const i of order) {
    if (seen.has(sequence[i])) keep[i] = 0;
    seen.add(sequence[i]);
  }
  return keep;
}

/**
 * Iterative k-core: removes users with fewer than `userCore` interactions and items with fewer
 * than `itemCore`, repeating until nothing changes (removing one can push another below k).
 * Returns the number of interactions removed; ids are then re-densified by `compact`.
 */
export function applyKCore(data: Sequences, userCore: number, itemCore: number): number {
  if (userCore <= 1 && itemCore <= 1) return 0;
  let removed = 0;
  for (;;) {
    const itemCounts = new Int32Array(data.itemIds.length);
    for (const sequence of data.sequences) for (const item of sequence) itemCounts[item]++;
    let changed = false;
    data.sequences.forEach((sequence, user) => {
      if (sequence.length === 0) return;
      if (sequence.length < userCore) {
        removed += sequence.length;
        data.sequences[user] = new Int32Array(0);
        if (data.timestamps) data.timestamps[user] = new Float64Array(0);
        changed = true;
        return;
      }
      const keep = sequence.map((item) => (itemCounts[item] >= itemCore ? 1 : 0));
      const kept = keep.reduce((sum, flag) => sum + flag, 0);
      if (kept === sequence.length) return;
      removed += sequence.length - kept;
      data.sequences[user] = sequence.filter((_, i) => keep[i] === 1);
      if (data.timestamps) data.timestamps[user] = data.timestamps[user].filter((_, i) => keep[i] === 1);
      changed = true;
    });
    if (!changed) return removed;
  }
}

/** Drops users with no interactions left and items no one has, renumbering both densely. */
export function compact(data: Sequences): Sequences {
  if (!data.sequences.some((sequence) => sequence.length === 0) && everyItemUsed(data)) return data;
  const itemMap = new Int32Array(data.itemIds.length).fill(-1);
  const itemIds: string[] = [];
  const userIds: string[] = [];
  const sequences: Int32Array[] = [];
  const timestamps: Float64Array[] | undefined = data.timestamps ? [] : undefined;
  data.sequences.forEach((sequence, user) => {
    if (sequence.length === 0) return;
    userIds.push(data.userIds[user]);
    sequences.push(
      sequence.map((item) => {
        if (itemMap[item] < 0) {
          itemMap[item] = itemIds.length;
          itemIds.push(data.itemIds[item]);
        }
        return itemMap[item];
      }),
    );
    timestamps?.push(data.timestamps![user]);
  });
  return { userIds, itemIds, sequences, timestamps };
}

function everyItemUsed(data: Sequences): boolean {
  const used = new Uint8Array(data.itemIds.length);
  for (const sequence of data.sequences) for (const item of sequence) used[item] = 1;
  return used.every((flag) => flag === 1);
}
