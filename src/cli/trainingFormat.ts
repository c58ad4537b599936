import type { DemoTrainingResult } from '../core/jobs/demoTraining';

const round = (x: number | undefined) => (x === undefined ? '   —  ' : x.toFixed(4));

/** The demo's test metrics: SASRec vs GRASP-SASRec side by side (full ranking), then the paired test. */
export function formatDemoTraining(training: DemoTrainingResult): string {
  const lines = [`Demo world, test split, full ranking (${training.backend} backend; best validation epoch of each):`];
  const header = ['model          ', 'HR@10 ', 'NDCG@10', 'HR@20 ', 'NDCG@20', 'MRR   ', 'NDCG@10 tail users', 'NDCG@10 tail items', 'best epoch', 'train s'];
  lines.push(`  ${header.join('  ')}`);
  for (const model of training.models) {
    const { full, tailUsers, tailItems } = model.test;
    const name = (model.variant === 'grasp' ? 'GRASP-SASRec' : 'SASRec').padEnd(15);
    lines.push(
      `  ${[name, round(full['HR@10']), round(full['NDCG@10']).padEnd(7), round(full['HR@20']), round(full['NDCG@20']).padEnd(7), round(full.MRR), round(tailUsers?.['NDCG@10']).padEnd(18), round(tailItems?.['NDCG@10']).padEnd(18), String(model.best_epoch).padEnd(10), model.train_s.toFixed(1)].join('  ')}`,
    );
  }
  if (training.paired) {
    const { meanDifference, p, n } = training.paired;
    lines.push(
      `GRASP-SASRec − SASRec, test NDCG@10 per user: ${meanDifference >= 0 ? '+' : ''}${meanDifference.toFixed(4)} (paired t-test over ${n} users, p = ${p < 1e-4 ? p.toExponential(1) : p.toFixed(4)}; one seed each)`,
    );
  }
  const { sampled100 } = training.test;
  if (sampled100)
    lines.push(
      `SASRec, sampled-${sampled100.negatives} (uniform; not full ranking)  HR@10 ${round(sampled100.uniform['HR@10'])}  NDCG@10 ${round(sampled100.uniform['NDCG@10'])}`,
    );
  lines.push(`Run folders: ${training.models.map((model) => model.run).join(', ')}`);
  return lines.join('\n');
}
