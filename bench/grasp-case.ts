// GRASP-SASRec's training step beside plain SASRec, for `npm run bench:train`: the models in ONE process
// at SASRec's strong preset (what `grasp train` runs when a config is silent: full cross-entropy, 2
// blocks, B=128, L=50, d=64), their steps alternating on the same batches, so all see the same machine
// load; the ratio of medians is the overhead. GRASP at its defaults (the item level, whitened text,
// K_I = 10, metadata descriptions → LSA → PCA 64), again with the user level on as well (DESIGN §2's
// whole module, K_U = 10), with the semantic term (grasp.semanticScore), with the distrust gate
// (grasp.distrustGate), and GRASP-GRU4Rec beside GRU4Rec at its preset; text artefacts come from
// (or go to) <repo>/.grasp, built from training data only. Prints one JSON line.
import { dirname, join } from 'node:path';
import { leaveOneOut, loadDataset } from '../src/core/data';
import { Adam } from '../src/core/engine/adam';
import { initEngine, type BackendChoice } from '../src/core/engine/backend';
import type { SequentialRecommender } from '../src/core/model';
import { validateConfig } from '../src/core/train/config';
import { negativeSamplingFor, NextItemSampler, type NextItemBatch } from '../src/core/train/sampler';
import { trainStep } from '../src/core/train/step';
import { buildModel, prepareText } from '../src/core/train/variant';
import { Random } from '../src/core/util/random';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const [data, backendArg, warmArg, stepsArg] = process.argv.slice(2);
  const engine = await initEngine({ backend: (backendArg ?? 'auto') as BackendChoice });
  const folder = dirname(data);
  const root = join(__dirname, '..');
  const base = {
    data: { path: folder },
    model: { kind: 'sasrec' },
    train: { seed: 42 },
  };
  const plainConfig = validateConfig({ ...base, variant: 'plain' }, 'bench');
  const graspConfig = validateConfig({ ...base, variant: 'grasp', grasp: { cacheDir: join(root, '.grasp') } }, 'bench');
  const semanticConfig = validateConfig({ ...base, variant: 'grasp', grasp: { cacheDir: join(root, '.grasp'), semanticScore: true } }, 'bench');
  const usersConfig = validateConfig({ ...base, variant: 'grasp', grasp: { cacheDir: join(root, '.grasp'), userLevel: true } }, 'bench');
  const distrustConfig = validateConfig({ ...base, variant: 'grasp', grasp: { cacheDir: join(root, '.grasp'), distrustGate: true } }, 'bench');
  // GRU4Rec's strong preset has SASRec's loss, batch and maxLen, so both backbones step on the same batches
  const gru = { ...base, model: { kind: 'gru4rec' } };
  const gruPlainConfig = validateConfig({ ...gru, variant: 'plain' }, 'bench');
  const gruGraspConfig = validateConfig({ ...gru, variant: 'grasp', grasp: { cacheDir: join(root, '.grasp') } }, 'bench');
  for (const config of [gruPlainConfig, gruGraspConfig])
    if (
      config.train.loss !== plainConfig.train.loss ||
      config.train.batchSize !== plainConfig.train.batchSize ||
      config.model.maxLen !== plainConfig.model.maxLen
    )
      throw new Error("GRU4Rec's preset no longer steps on SASRec's batches: give it its own sampler");
  const { loss, negatives, batchSize } = plainConfig.train;
  const { maxLen } = plainConfig.model;
  const dataset = await loadDataset(folder);
  const split = leaveOneOut(dataset.sequences);
  const numItems = dataset.itemIds.length;
  const quiet = { progress: () => {}, log: (line: string) => process.stderr.write(`${line}\n`), isCancelled: () => false };
  const started = performance.now();
  const artifacts = await prepareText(graspConfig, dataset, split, quiet);
  const artifactSeconds = (performance.now() - started) / 1000;
  // the same text side, with the detector's risk of each text (the distrust gate's input)
  const withRisk = await prepareText(distrustConfig, dataset, split, quiet);
  const models: Array<{ name: string; model: SequentialRecommender; optimizer: Adam; times: number[]; cpu: number[] }> = (
    [
      ['sasrec', plainConfig, artifacts],
      ['grasp', graspConfig, artifacts],
      ['grasp+semantic', semanticConfig, artifacts],
      ['grasp+users', usersConfig, artifacts],
      ['grasp+distrust', distrustConfig, withRisk],
      ['gru4rec', gruPlainConfig, artifacts],
      ['grasp-gru4rec', gruGraspConfig, artifacts],
    ] as const
  ).map(([name, config, text]) => {
    const { model } = buildModel(config, numItems, split, text);
    return {
      name,
      model,
      optimizer: new Adam(model.namedVariables(), { lr: 1e-3, beta1: 0.9, beta2: 0.98, epsilon: 1e-8 }),
      times: [],
      cpu: [],
    };
  });
  const sampler = new NextItemSampler(split.train, numItems, maxLen, negativeSamplingFor(loss, negatives), new Random(42));
  let batches = sampler.epoch(batchSize);
  const fullBatch = (): NextItemBatch => {
    for (;;) {
      const next = batches.next();
      if (next.done) batches = sampler.epoch(batchSize);
      else if (next.value.batchSize === batchSize) return next.value;
    }
  };
  const warm = Number(warmArg ?? 10);
  const timed = Number(stepsArg ?? 50);
  for (let i = 0; i < warm; i++) {
    const batch = fullBatch();
    for (const entry of models) trainStep(entry.model, entry.optimizer, batch, loss);
  }
  // Step by step, alternating (which model goes first alternates too), on the same batches: other
  // people's jobs come and go within seconds, so both models see the same machine.
  for (let i = 0; i < timed; i++) {
    const batch = fullBatch();
    for (const entry of i % 2 === 0 ? models : [...models].reverse()) {
      const t = performance.now();
      const c = process.cpuUsage();
      trainStep(entry.model, entry.optimizer, batch, loss);
      entry.times.push(performance.now() - t);
      const used = process.cpuUsage(c);
      entry.cpu.push((used.user + used.system) / 1000);
    }
  }
  const pairRatios = models[1].times.map((t, i) => t / models[0].times[i]);
  const [plain, grasp, semantic, users, distrust, gruPlain, gruGrasp] = models.map((entry) => {
    const sorted = [...entry.times].sort((a, b) => a - b);
    return { median: median(entry.times), p10: sorted[Math.floor(0.1 * sorted.length)], p90: sorted[Math.floor(0.9 * sorted.length)] };
  });
  process.stdout.write(
    `${JSON.stringify({
      case: 'grasp-vs-sasrec',
      backend: engine.backend,
      native: engine.native ? `${engine.native.blas}, ${engine.native.threads} threads` : null,
      sasrec_ms_per_step_median: plain.median,
      sasrec_ms_per_step_p10: plain.p10,
      sasrec_ms_per_step_p90: plain.p90,
      grasp_ms_per_step_median: grasp.median,
      grasp_ms_per_step_p10: grasp.p10,
      grasp_ms_per_step_p90: grasp.p90,
      grasp_overhead: grasp.median / plain.median,
      loss,
      grasp_semantic_ms_per_step_median: semantic.median,
      grasp_semantic_overhead: semantic.median / plain.median,
      grasp_users_ms_per_step_median: users.median,
      /** with the user level as well (userLevel: true, off by default) */
      grasp_users_overhead: users.median / plain.median,
      grasp_distrust_ms_per_step_median: distrust.median,
      /** with the distrust gate (grasp.distrustGate, off by default) */
      grasp_distrust_overhead: distrust.median / plain.median,
      gru4rec_ms_per_step_median: gruPlain.median,
      grasp_gru4rec_ms_per_step_median: gruGrasp.median,
      /** GRASP-GRU4Rec at its defaults (keepItemScale on) over GRU4Rec at its preset */
      grasp_gru4rec_overhead: gruGrasp.median / gruPlain.median,
      /** median over steps of GRASP's time / SASRec's on the same batch, measured back to back */
      grasp_overhead_paired_median: median(pairRatios),
      /** the same ratio in this process's CPU time (user + system, all threads): less moved by other people's jobs than wall time */
      sasrec_cpu_ms_per_step_median: median(models[0].cpu),
      grasp_cpu_ms_per_step_median: median(models[1].cpu),
      grasp_cpu_overhead: median(models[1].cpu) / median(models[0].cpu),
      grasp_params: models[1].model.namedVariables().reduce((n, [, v]) => n + v.size, 0),
      sasrec_params: models[0].model.namedVariables().reduce((n, [, v]) => n + v.size, 0),
      text_artifacts_s: artifactSeconds,
      peak_rss_mb: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    })}\n`,
  );
  for (const entry of models) entry.model.dispose();
}

void main();
