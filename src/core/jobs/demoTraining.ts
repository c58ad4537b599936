// The demo's training stage: SASRec on the demo world for a few epochs (well under a minute on two
// cores), best validation epoch evaluated on test. The run folder sits beside the dataset.
import { join } from 'node:path';
import type { Metrics } from '../eval/metrics';
import { trainJob } from '../train/job';
import type { JobContext } from './context';

export interface DemoTrainingResult {
  run: string;
  backend: string;
  model: string;
  best_epoch: number;
  test: { full: Metrics; sampled100?: { uniform: Metrics; popularity: Metrics; negatives: number } };
  train_s: number;
}

export async function demoTraining(dir: string, ctx: JobContext): Promise<DemoTrainingResult> {
  ctx.progress({ message: 'Training SASRec on the demo world' });
  const result = await trainJob(
    {
      config: {
        name: 'demo-sasrec',
        data: { path: dir },
        model: { kind: 'sasrec', d: 64, layers: 2, heads: 1, dropout: 0.2, maxLen: 50 },
        train: { epochs: 20, batchSize: 128, evalEvery: 2, patience: 2, seed: 1 },
      },
      // DESIGN §4: runs live under .grasp/ (where the side bar's run list looks).
      outDir: join(dir, '.grasp', 'runs', 'sasrec'),
    },
    ctx,
  );
  const { full, sampled100 } = result.metrics.test;
  return { run: result.run, backend: result.backend, model: result.model, best_epoch: result.best_epoch, test: { full, sampled100 }, train_s: result.timing.train_s };
}
