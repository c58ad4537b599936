// The small demo worlds and run configs the training, worker and export tests train on.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoJob } from '../../../src/core/jobs/demo';
import { silentContext } from '../../../src/core/util/jobContext';
import { tempFolder } from '../helpers';

/** A generated demo dataset (without retrieval indexes) in <dir>/demo; returns its folder. */
export async function demoData(dir: string, users: number, items: number, seed: number): Promise<string> {
  return (await demoJob({ outDir: join(dir, 'demo'), users, items, seed, retrieval: false }, silentContext)).dir;
}

/** A fresh workspace (a temp folder marked as a repository root: caches go to <dir>/.grasp) holding a demo dataset. */
export async function demoWorkspace(users: number, items: number, seed: number): Promise<{ dir: string; data: string }> {
  const dir = tempFolder();
  mkdirSync(join(dir, '.git'));
  return { dir, data: await demoData(dir, users, items, seed) };
}

/** A small one-layer SASRec run config on a dataset, evaluated by full ranking; a test adds the variant and the rest. */
export function sasrecConfig(
  data: string,
  { d = 16, maxLen = 8, epochs = 1, batchSize = 32, lr }: { d?: number; maxLen?: number; epochs?: number; batchSize?: number; lr?: number } = {},
) {
  return {
    data: { path: data },
    model: { kind: 'sasrec', d, layers: 1, maxLen },
    train: { epochs, batchSize, ...(lr !== undefined && { lr }) },
    eval: { sampled: 0 },
  };
}
