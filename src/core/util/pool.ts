/**
 * Runs `work` over `items` with at most `limit` in flight. Stops taking new items once
 * `shouldStop()` is true; items already started run to completion.
 */
export async function runPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, shouldStop: () => boolean = () => false): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !shouldStop()) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
