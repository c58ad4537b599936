// The demo's training stage: SASRec and GRASP-SASRec on the demo world with the same settings (SASRec's
// strong preset, src/core/train/presets/, with its early stopping on validation NDCG@10), each best
// epoch evaluated on test, then a paired test over users. Run folders sit beside the dataset.
import { join } from 'node:path';
import { compareRuns, type CompareResult } from '../eval/compare';
import type { Metrics } from '../eval/metrics';
import { trainJob, type TrainJobResult } from './train';
import type { JobContext } from '../util/jobContext';

export interface DemoModelResult {
  run: string;
  model: string;
  variant: 'plain' | 'grasp';
  best_epoch: number;
  test: { full: Metrics; sampled100?: { uniform: Metrics; popularity: Metrics; negatives: number }; tailUsers?: Metrics; tailItems?: Metrics };
  train_s: number;
  ms_per_step: number;
}

export interface DemoTrainingResult {
  /** SASRec's run (the fields the demo always had) */
  run: string;
  backend: string;
  model: string;
  best_epoch: number;
  test: { full: Metrics; sampled100?: { uniform: Metrics; popularity: Metrics; negatives: number } };
  train_s: number;
  /** SASRec, then GRASP-SASRec (when it was trained) */
  models: DemoModelResult[];
  /** GRASP-SASRec against SASRec: per-user test NDCG@10, paired t-test */
  paired?: CompareResult;
}

const SETTINGS = { model: { kind: 'sasrec' }, train: { seed: 1 } };

function summary(result: TrainJobResult, variant: DemoModelResult['variant']): DemoModelResult {
  const { full, sampled100, groups } = result.metrics.test;
  return {
    run: result.run,
    model: result.model,
    variant,
    best_epoch: result.best_epoch,
    test: { full, sampled100, tailUsers: groups?.tailUsers, tailItems: groups?.tailItems },
    train_s: result.timing.train_s,
    ms_per_step: result.timing.ms_per_step,
  };
}

export async function demoTraining(dir: string, ctx: JobContext, options: { grasp?: boolean } = {}): Promise<DemoTrainingResult> {
  ctx.progress({ message: 'Training SASRec on the demo world' });
  // DESIGN §4: runs live under .grasp/ (where the side bar's run list looks). The demo world is
  // generated anew each time, so its runs replace the previous demo's.
  const plain = await trainJob(
    { config: { name: 'demo-sasrec', data: { path: dir }, ...SETTINGS }, outDir: join(dir, '.grasp', 'runs', 'sasrec'), overwrite: true },
    ctx,
  );
  const models = [summary(plain, 'plain')];
  let paired: CompareResult | undefined;
  if (options.grasp !== false) {
    ctx.progress({ message: 'Training GRASP-SASRec on the demo world' });
    const grasp = await trainJob(
      {
        config: { name: 'demo-grasp-sasrec', data: { path: dir }, ...SETTINGS, variant: 'grasp' },
        outDir: join(dir, '.grasp', 'runs', 'grasp-sasrec'),
        overwrite: true,
      },
      ctx,
    );
    models.push(summary(grasp, 'grasp'));
    paired = await compareRuns(grasp.run, plain.run);
  }
  const { full, sampled100 } = plain.metrics.test;
  return {
    run: plain.run,
    backend: plain.backend,
    model: plain.model,
    best_epoch: plain.best_epoch,
    test: { full, sampled100 },
    train_s: plain.timing.train_s,
    models,
    ...(paired ? { paired } : {}),
  };
}
