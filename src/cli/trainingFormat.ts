import type { DemoTrainingResult } from '../core/jobs/demoTraining';

const round = (x: number) => x.toFixed(4);

/** The demo's SASRec test metrics as a small table (full ranking, then the sampled protocol). */
export function formatDemoTraining(training: DemoTrainingResult): string {
  const { full, sampled100 } = training.test;
  const lines = [
    `SASRec on the demo world (${training.backend} backend, best validation epoch ${training.best_epoch}, ${training.train_s.toFixed(1)} s of training; run folder ${training.run})`,
    `test, full ranking      HR@10 ${round(full['HR@10'])}  NDCG@10 ${round(full['NDCG@10'])}  HR@20 ${round(full['HR@20'])}  NDCG@20 ${round(full['NDCG@20'])}  MRR ${round(full.MRR)}`,
  ];
  if (sampled100) lines.push(`test, sampled-${sampled100.negatives} (uniform)  HR@10 ${round(sampled100.uniform['HR@10'])}  NDCG@10 ${round(sampled100.uniform['NDCG@10'])}`);
  return lines.join('\n');
}
