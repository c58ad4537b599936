// Checkpoints: checkpoint.json (model config, item-id mapping, manifest) + a weights file it names.
// The weights file is written first under a new name, then checkpoint.json is replaced atomically,
// then the old weights file is removed: a crash or a cancel at any point leaves a loadable pair.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '../engine/tf';
import type { SequentialRecommender } from '../model/types';
import { writeFileAtomic } from '../util/atomicWrite';
import type { RunConfig } from './config';

export interface CheckpointManifest {
  format: 'grasp-checkpoint/1';
  weights: string;
  epoch: number;
  config: RunConfig;
  numItems: number;
  /** dense item id → raw id in the dataset file */
  itemIds: string[];
  tensors: Array<{ name: string; shape: number[]; offset: number }>;
  valid?: Record<string, number>;
  backend: string;
}

export const CHECKPOINT_FILE = 'checkpoint.json';

export async function saveCheckpoint(
  dir: string,
  model: SequentialRecommender,
  meta: Omit<CheckpointManifest, 'format' | 'weights' | 'tensors' | 'numItems'>,
): Promise<void> {
  const named = model.namedVariables();
  const tensors: CheckpointManifest['tensors'] = [];
  let offset = 0;
  for (const [name, variable] of named) {
    tensors.push({ name, shape: variable.shape, offset });
    offset += variable.size;
  }
  const weights = new Float32Array(offset);
  for (const [i, [, variable]] of named.entries()) weights.set(variable.dataSync() as Float32Array, tensors[i].offset);
  const previous = await readManifest(dir).catch(() => undefined);
  const weightsFile = `weights-e${meta.epoch}-${Date.now().toString(36)}.bin`;
  await writeFileAtomic(join(dir, weightsFile), new Uint8Array(weights.buffer));
  const manifest: CheckpointManifest = { format: 'grasp-checkpoint/1', weights: weightsFile, numItems: model.numItems, tensors, ...meta };
  await writeFileAtomic(join(dir, CHECKPOINT_FILE), `${JSON.stringify(manifest)}\n`);
  if (previous && previous.weights !== weightsFile) await rm(join(dir, previous.weights), { force: true });
}

export async function readManifest(dir: string): Promise<CheckpointManifest> {
  const file = join(dir, CHECKPOINT_FILE);
  if (!existsSync(file)) throw new Error(`${dir}: no ${CHECKPOINT_FILE} (is this a run folder with a finished epoch?)`);
  const manifest = JSON.parse(await readFile(file, 'utf8')) as CheckpointManifest;
  if (manifest.format !== 'grasp-checkpoint/1') throw new Error(`${file}: unknown checkpoint format ${String(manifest.format)}`);
  return manifest;
}

/** Loads weights into a model built from the same config (names and shapes must match). */
export async function loadWeights(dir: string, model: SequentialRecommender, manifest?: CheckpointManifest): Promise<CheckpointManifest> {
  const info = manifest ?? (await readManifest(dir));
  const bytes = await readFile(join(dir, info.weights));
  const weights = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const byName = new Map(model.namedVariables());
  for (const { name, shape, offset } of info.tensors) {
    const variable = byName.get(name);
    if (!variable) throw new Error(`${dir}: checkpoint has ${name}, the model has no such parameter`);
    if (variable.shape.join('x') !== shape.join('x')) throw new Error(`${dir}: ${name} is [${shape}] in the checkpoint, [${variable.shape}] in the model`);
    const size = shape.reduce((a, b) => a * b, 1);
    // A fresh copy: the variable must own its memory (the optimiser updates it in place).
    const value = tf.tensor(weights.slice(offset, offset + size), shape, 'float32');
    variable.assign(value);
    value.dispose();
    byName.delete(name);
  }
  if (byName.size > 0) throw new Error(`${dir}: checkpoint lacks ${[...byName.keys()].join(', ')}`);
  return info;
}
