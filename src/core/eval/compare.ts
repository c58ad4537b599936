// Paired comparison of two runs evaluated on the same split: per-user test NDCG@10 (from each run's
// ranks.json), paired t-test on the differences.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ndcgPerUser } from './metrics';
import { pairedTTest, type PairedTest } from './significance';

interface RanksFile {
  users: number[];
  ranks: number[];
}

export interface CompareResult extends PairedTest {
  metric: string;
  a: { run: string; mean: number };
  b: { run: string; mean: number };
}

async function readRanks(run: string): Promise<RanksFile> {
  const file = join(run, 'ranks.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RanksFile;
  } catch (error) {
    throw new Error(
      `${file}: cannot read per-user ranks (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is ${run} a finished single-seed run folder?`,
    );
  }
}

export async function compareRuns(runA: string, runB: string, k = 10): Promise<CompareResult> {
  const [a, b] = await Promise.all([readRanks(runA), readRanks(runB)]);
  if (a.users.length !== b.users.length || a.users.some((user, i) => user !== b.users[i])) {
    throw new Error(`${runA} and ${runB} were not evaluated on the same users (same dataset and split?)`);
  }
  const ndcgA = ndcgPerUser(a.ranks, k);
  const ndcgB = ndcgPerUser(b.ranks, k);
  const mean = (values: Float64Array) => values.reduce((x, y) => x + y, 0) / Math.max(1, values.length);
  return {
    metric: `NDCG@${k} (test, full ranking, per user)`,
    a: { run: runA, mean: mean(ndcgA) },
    b: { run: runB, mean: mean(ndcgB) },
    ...pairedTTest(ndcgA, ndcgB),
  };
}
