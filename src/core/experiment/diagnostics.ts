// Why GRASP helps or not, read from a finished GRASP run's best checkpoint: how much item-level
// attention stays on the item itself versus its retrieved neighbours, how spread the user-level
// attention is over similar users, and how open the fusion gate is. Measured on the test inputs of a
// fixed, evenly spaced sample of users; stored as attention.json in the run folder (computed once).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRunDataset } from '../train/runDataset';
import { leaveOneOut } from '../data/split';
import { initEngine } from '../engine/backend';
import { tf, type Tensor2D } from '../engine/tf';
import { scoringTable } from '../model/embedding';
import { evalCases, rankTarget } from '../eval/evaluator';
import { throwIfCancelled, type JobContext } from '../util/jobContext';
import { loadWeights, readManifest } from '../train/checkpoint';
import { testPassArtifacts } from '../train/refreshedUsers';
import { buildModel, prepareText } from '../train/variant';
import { writeFileAtomic } from '../util/atomicWrite';
import { RUN_FILES } from '../train/runFolder';

export interface AttentionDiagnostics {
  /** distinct input items (of the sampled users) whose item-level weights were read */
  items: number;
  /** mean weight on the item itself (slot 0); uniform attention would give 1 / (1 + neighbours) */
  itemSelf: number | null;
  /** mean of the largest single neighbour weight */
  itemTopNeighbour: number | null;
  /** share of items whose most-weighted neighbour is their nearest retrieved one (retrieval rank 1) */
  itemTopIsNearest: number | null;
  /** mean number of real neighbours per item (the uniform reference is 1 / (1 + this)) */
  itemNeighbours: number | null;
  users: number;
  /** entropy of the user-level weights at the last position, over log(#neighbours): 1 = uniform */
  userEntropy: number | null;
  /** mean fusion gate σ(·) at the last position (null without a gate or user level) */
  gate: number | null;
  /**
   * Share of the sampled users whose test rank, recomputed here, equals the run's ranks.json: 1 means the
   * checkpoint and this build's model code reproduce the run, so the weights above are the run's own.
   */
  reproduced: number;
}

const FILE = 'attention.json';

export async function attentionDiagnostics(run: string, ctx: JobContext, sampleUsers = 2000, maxItems = 3000): Promise<AttentionDiagnostics> {
  const cached = join(run, FILE);
  if (existsSync(cached)) return JSON.parse(await readFile(cached, 'utf8')) as AttentionDiagnostics;
  const manifest = await readManifest(run);
  const { config } = manifest;
  await initEngine({ backend: config.engine.backend, native: config.engine.native, threads: config.engine.threads || undefined });
  const dataset = await loadRunDataset(config);
  const split = leaveOneOut(dataset.sequences);
  // the test inputs are read, so the similar users are those of the run's test pass (grasp.testRetrieval)
  const artifacts = await testPassArtifacts(dataset, split, config, await prepareText(config, dataset, split, ctx), ctx);
  const { model, grasp } = buildModel(config, manifest.numItems, split, artifacts);
  try {
    if (!grasp) throw new Error(`${run}: not a GRASP run (variant ${config.variant ?? 'plain'})`);
    await loadWeights(run, model, manifest);
    const cases = evalCases(split, 'test');
    const stored = JSON.parse(await readFile(join(run, RUN_FILES.ranks), 'utf8')) as { users: number[]; ranks: number[] };
    const runRanks = new Map(stored.users.map((user, i) => [user, stored.ranks[i]]));
    let reproduced = 0;
    const step = Math.max(1, Math.floor(cases.users.length / sampleUsers));
    const picked = Array.from({ length: Math.min(sampleUsers, cases.users.length) }, (_, i) => i * step).filter((i) => i < cases.users.length);
    const maxLen = model.config.maxLen;
    const seenItems = new Set<number>();
    let self = 0;
    let top = 0;
    let nearest = 0;
    let neighbours = 0;
    let entropy = 0;
    let entropyCount = 0;
    let gate = 0;
    let gateCount = 0;
    const batch = 256;
    for (let start = 0; start < picked.length; start += batch) {
      throwIfCancelled(ctx);
      const rows = picked.slice(start, start + batch);
      const input = new Int32Array(rows.length * maxLen);
      rows.forEach((row, i) => model.inferenceRow(cases.history[row], input, i * maxLen));
      const users = Int32Array.from(rows, (row) => cases.users[row]);
      const scores = tf.tidy(() => {
        const states = model.encode(tf.tensor2d(input, [rows.length, maxLen], 'int32') as Tensor2D, false, users);
        const last = tf.reshape(tf.slice(states, [0, maxLen - 1, 0], [rows.length, 1, -1]), [rows.length, -1]) as Tensor2D;
        return tf.matMul(last, tf.slice(scoringTable(model), [1, 0], [model.numItems, -1]), false, true);
      });
      const values = (await scores.data()) as Float32Array;
      scores.dispose();
      rows.forEach((row, i) => {
        const { masked } = rankTarget(values.subarray(i * model.numItems, (i + 1) * model.numItems), cases.targets[row], cases.history[row]);
        if (masked === runRanks.get(cases.users[row])) reproduced++;
      });
      // The weights through the module's own explanation API (one item / one user at a time), so this
      // reads what the neighbours view shows and does not depend on the module's batch layout.
      rows.forEach((row, i) => {
        const user = grasp.explainUser(cases.users[row], input.subarray(i * maxLen, (i + 1) * maxLen));
        if (user.weights.length > 1) {
          const h = user.weights.reduce((sum, w) => (w > 0 ? sum - w * Math.log(w) : sum), 0);
          entropy += h / Math.log(user.weights.length);
          entropyCount++;
        }
        if (user.gate !== null) {
          gate += user.gate;
          gateCount++;
        }
        for (const item of cases.history[row].slice(-maxLen)) {
          if (seenItems.has(item) || seenItems.size >= maxItems) continue;
          seenItems.add(item);
          const attention = grasp.explainItem(item);
          self += attention.weights[0];
          const neighbourWeights = attention.weights.slice(1);
          const best = Math.max(0, ...neighbourWeights);
          top += best;
          // candidates after the item itself are its retrieved neighbours, nearest first
          if (neighbourWeights.length > 0 && neighbourWeights[0] === best) nearest++;
          neighbours += attention.candidates.length - 1;
        }
      });
    }
    // Without the item level there is no item attention to describe (explainItem reports the item alone).
    const n = config.grasp.itemLevel ? seenItems.size : 0;
    const result: AttentionDiagnostics = {
      items: seenItems.size,
      itemSelf: n ? self / n : null,
      itemTopNeighbour: n ? top / n : null,
      itemTopIsNearest: n ? nearest / n : null,
      itemNeighbours: n ? neighbours / n : null,
      users: picked.length,
      userEntropy: entropyCount ? entropy / entropyCount : null,
      gate: gateCount ? gate / gateCount : null,
      reproduced: picked.length ? reproduced / picked.length : 0,
    };
    await writeFileAtomic(cached, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    model.dispose();
  }
}
