// Why GRASP helps or not, read from a finished GRASP run's best checkpoint: how much item-level
// attention stays on the item itself versus its retrieved neighbours, how spread the user-level
// attention is over similar users, and how open the fusion gate is. Measured on the test inputs of a
// fixed, evenly spaced sample of users; stored as attention.json in the run folder (computed once).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataset } from '../data/load';
import { leaveOneOut } from '../data/split';
import { initEngine } from '../engine/backend';
import { tf, type Tensor2D } from '../engine/tf';
import { evalCases } from '../eval/evaluator';
import type { JobContext } from '../jobs/context';
import { loadWeights, readManifest } from '../train/checkpoint';
import { buildModel, prepareText } from '../train/variant';
import { writeFileAtomic } from '../util/atomicWrite';

export interface AttentionDiagnostics {
  /** distinct input items whose item-level weights were read */
  items: number;
  /** mean weight on the item itself (slot 0); uniform attention would give 1 / (1 + neighbours) */
  itemSelf: number | null;
  /** mean of the largest single neighbour weight */
  itemTopNeighbour: number | null;
  /** mean number of real neighbours per item (the uniform reference is 1 / (1 + this)) */
  itemNeighbours: number | null;
  users: number;
  /** entropy of the user-level weights at the last position, over log(#neighbours): 1 = uniform */
  userEntropy: number | null;
  /** mean fusion gate σ(·) at the last position (null without a gate or user level) */
  gate: number | null;
}

const FILE = 'attention.json';

export async function attentionDiagnostics(run: string, ctx: JobContext, sampleUsers = 2000): Promise<AttentionDiagnostics> {
  const cached = join(run, FILE);
  if (existsSync(cached)) return JSON.parse(await readFile(cached, 'utf8')) as AttentionDiagnostics;
  const manifest = await readManifest(run);
  const { config } = manifest;
  await initEngine({ backend: config.engine.backend, native: config.engine.native, threads: config.engine.threads || undefined });
  const dataset = await loadDataset(config.data.path, { format: config.data.format, duplicates: config.data.duplicates, userCore: config.data.userCore, itemCore: config.data.itemCore });
  const split = leaveOneOut(dataset.sequences);
  const artifacts = await prepareText(config, dataset, split, ctx);
  const { model, grasp } = buildModel(config, manifest.numItems, split, artifacts);
  try {
    if (!grasp) throw new Error(`${run}: not a GRASP run (variant ${config.variant ?? 'plain'})`);
    await loadWeights(run, model, manifest);
    const cases = evalCases(split, 'test');
    const step = Math.max(1, Math.floor(cases.users.length / sampleUsers));
    const picked = Array.from({ length: Math.min(sampleUsers, cases.users.length) }, (_, i) => i * step).filter((i) => i < cases.users.length);
    const maxLen = model.config.maxLen;
    const seenItems = new Set<number>();
    let self = 0;
    let top = 0;
    let neighbours = 0;
    let entropy = 0;
    let entropyCount = 0;
    let gate = 0;
    let gateCount = 0;
    const batch = 256;
    for (let start = 0; start < picked.length; start += batch) {
      const rows = picked.slice(start, start + batch);
      const input = new Int32Array(rows.length * maxLen);
      rows.forEach((row, i) => model.inferenceRow(cases.history[row], input, i * maxLen));
      const users = Int32Array.from(rows, (row) => cases.users[row]);
      grasp.recording = true;
      try {
        tf.tidy(() => model.encode(tf.tensor2d(input, [rows.length, maxLen], 'int32') as Tensor2D, false, users));
      } finally {
        grasp.recording = false;
      }
      const item = grasp.lastItem;
      if (item) {
        const slots = item.candidates.length / item.items.length;
        for (let r = 0; r < item.items.length; r++) {
          if (seenItems.has(item.items[r])) continue;
          seenItems.add(item.items[r]);
          self += item.weights[r * slots];
          let best = 0;
          let real = 0;
          // A neighbour slot with ~0 weight is a missing neighbour (masked with -1e9 before the softmax).
          for (let j = 1; j < slots; j++) {
            const w = item.weights[r * slots + j];
            if (w > 1e-12) real++;
            best = Math.max(best, w);
          }
          top += best;
          neighbours += real;
        }
      }
      const user = grasp.lastUser;
      if (user) {
        const K = user.weights.length / (user.users.length * user.positions);
        for (let b = 0; b < user.users.length; b++) {
          const offset = (b * user.positions + user.positions - 1) * K;
          let h = 0;
          let real = 0;
          for (let j = 0; j < K; j++) {
            const w = user.weights[offset + j];
            if (w > 1e-12) {
              h -= w * Math.log(w);
              real++;
            }
          }
          if (real > 1) {
            entropy += h / Math.log(real);
            entropyCount++;
          }
          if (user.gate) {
            gate += user.gate[b * user.positions + user.positions - 1];
            gateCount++;
          }
        }
      }
      grasp.lastItem = undefined;
      grasp.lastUser = undefined;
    }
    const n = seenItems.size;
    const result: AttentionDiagnostics = {
      items: n,
      itemSelf: n ? self / n : null,
      itemTopNeighbour: n ? top / n : null,
      itemNeighbours: n ? neighbours / n : null,
      users: picked.length,
      userEntropy: entropyCount ? entropy / entropyCount : null,
      gate: gateCount ? gate / gateCount : null,
    };
    await writeFileAtomic(cached, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    model.dispose();
  }
}
