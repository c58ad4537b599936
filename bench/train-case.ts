// Our side of `npm run bench:train`, in its own process so peak RSS is ours alone: SASRec on Beauty
// at the PyTorch reference's settings (B=128, L=50, d=64, 1 head, dropout 0.2, Adam 1e-3 / 0.9 / 0.98;
// by default 2 blocks and BCE with one negative, or the loss, negatives and blocks given). Median ms per step over full batches after warm-up (as
// sasrec_torch.py bench measures), then one full epoch (sampling included) and a full-ranking
// evaluation of every test user. Prints one JSON line.
import { leaveOneOut, loadDataset } from '../src/core/data';
import { Adam } from '../src/core/engine/adam';
import { initEngine, type BackendChoice } from '../src/core/engine/backend';
import { tf } from '../src/core/engine/tf';
import { evaluate } from '../src/core/eval/evaluator';
import { createModel } from '../src/core/model';
import { NextItemSampler, negativeSamplingFor } from '../src/core/train/sampler';
import type { LossKind } from '../src/core/model/losses';
import { trainStep } from '../src/core/train/step';
import { Random } from '../src/core/util/random';

async function main(): Promise<void> {
  const [data, backendArg, warmArg, stepsArg, epochArg, lossArg, negativesArg, blocksArg] = process.argv.slice(2);
  const loss = (lossArg ?? 'bce') as LossKind;
  const negatives = Number(negativesArg ?? 1);
  const engine = await initEngine({ backend: (backendArg ?? 'auto') as BackendChoice });
  const dataset = await loadDataset(data);
  const split = leaveOneOut(dataset.sequences);
  const numItems = dataset.itemIds.length;
  const model = createModel({ kind: 'sasrec', d: 64, layers: Number(blocksArg ?? 2), heads: 1, dropout: 0.2, maxLen: 50 }, numItems, 42);
  const optimizer = new Adam(model.namedVariables(), { lr: 1e-3, beta1: 0.9, beta2: 0.98, epsilon: 1e-8 });
  const sampler = new NextItemSampler(split.train, numItems, 50, negativeSamplingFor(loss, negatives), new Random(42));
  let batches = sampler.epoch(128);
  const fullBatch = () => {
    for (;;) {
      const next = batches.next();
      if (next.done) {
        batches = sampler.epoch(128);
        continue;
      }
      if (next.value.batchSize === 128) return next.value;
    }
  };
  const warm = Number(warmArg ?? 10);
  const timed = Number(stepsArg ?? 50);
  for (let i = 0; i < warm; i++) trainStep(model, optimizer, fullBatch(), loss);
  const times: number[] = [];
  for (let i = 0; i < timed; i++) {
    const batch = fullBatch();
    const started = performance.now();
    trainStep(model, optimizer, batch, loss);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const median = times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;

  let epochSeconds: number | null = null;
  let epochSteps = 0;
  if (epochArg !== '0') {
    const started = performance.now();
    for (const batch of sampler.epoch(128)) {
      trainStep(model, optimizer, batch, loss);
      epochSteps++;
    }
    epochSeconds = (performance.now() - started) / 1000;
  }
  const evalStarted = performance.now();
  const test = await evaluate(model, split, 'test', { sampled: 0 });
  const evalSeconds = (performance.now() - evalStarted) / 1000;
  // What the reference's eval_s covers: validation and test full ranking, plus the sampled-100 sets.
  const bothStarted = performance.now();
  await evaluate(model, split, 'valid', { sampled: 0 });
  await evaluate(model, split, 'test', { sampled: 100 });
  const bothSeconds = (performance.now() - bothStarted) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      case: 'ours',
      loss,
      negatives: loss === 'ce' ? null : negatives,
      blocks: Number(blocksArg ?? 2),
      epoch_ms_per_step_incl_sampling: epochSeconds === null ? null : (1000 * epochSeconds) / Math.max(1, epochSteps),
      backend: engine.backend,
      native: engine.native ? `${engine.native.blas}, ${engine.native.threads} threads` : null,
      native_detail: engine.nativeDetail,
      wasm_simd: engine.wasmSimd ?? null,
      users: dataset.userIds.length,
      items: numItems,
      ms_per_step_median: median,
      ms_per_step_p10: times[Math.floor(0.1 * times.length)],
      ms_per_step_p90: times[Math.floor(0.9 * times.length)],
      epoch_s: epochSeconds,
      epoch_steps: epochSteps,
      eval_s: evalSeconds,
      eval_users: test.users,
      eval_valid_and_test_sampled_s: bothSeconds,
      eval_test_ndcg10_after_warmup: test.full['NDCG@10'],
      tensors_alive: tf.memory().numTensors,
      peak_rss_mb: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    })}\n`,
  );
}

void main();
