// Resume points: resume.json + one binary state file it names (weights, then Adam's first and second
// moments, each laid out as the model's named variables). Written after every validation the way
// checkpoints are (state file under a new name, then resume.json replaced atomically, then the old
// state file removed), so a kill at any moment leaves the previous point or the new one, never a mix.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '../engine/tf';
import type { SequentialRecommender } from '../model/types';
import { writeFileAtomic } from '../util/atomicWrite';
import type { TrainerSnapshot, TrainEvent } from './trainer';

export const RESUME_FILE = 'resume.json';
/** Binary state files: resume-e<epoch>-<time>.bin */
export const RESUME_STATE = /^resume-e\d+-[a-z0-9]+\.bin$/;

interface ResumeManifest extends Omit<TrainerSnapshot, 'optimizer'> {
  format: 'grasp-resume/1';
  state: string;
  optimizerStep: number;
  /** offsets in floats inside each of the three sections (weights, m, v), each `total` floats long */
  tensors: Array<{ name: string; shape: number[]; offset: number }>;
  total: number;
  /** log.jsonl's length at this point: a resumed run cuts what came after (epochs it does again) */
  logBytes: number;
}

export async function saveResumePoint(dir: string, model: SequentialRecommender, snapshot: TrainerSnapshot, logBytes: number): Promise<void> {
  const named = model.namedVariables();
  const tensors: ResumeManifest['tensors'] = [];
  let total = 0;
  for (const [name, variable] of named) {
    tensors.push({ name, shape: variable.shape, offset: total });
    total += variable.size;
  }
  const state = new Float32Array(3 * total);
  for (const [i, [name, variable]] of named.entries()) {
    const moments = snapshot.optimizer.moments.get(name);
    if (!moments) throw new Error(`no optimiser state for ${name}`);
    state.set(variable.dataSync() as Float32Array, tensors[i].offset);
    state.set(moments.m, total + tensors[i].offset);
    state.set(moments.v, 2 * total + tensors[i].offset);
  }
  const previous = await readResumeManifest(dir).catch(() => undefined);
  const stateFile = `resume-e${snapshot.epoch}-${Date.now().toString(36)}.bin`;
  await writeFileAtomic(join(dir, stateFile), new Uint8Array(state.buffer));
  const { optimizer, ...rest } = snapshot;
  const manifest: ResumeManifest = { format: 'grasp-resume/1', ...rest, state: stateFile, optimizerStep: optimizer.step, tensors, total, logBytes };
  await writeFileAtomic(join(dir, RESUME_FILE), `${JSON.stringify(manifest)}\n`);
  if (previous && previous.state !== stateFile) await rm(join(dir, previous.state), { force: true });
}

export interface ResumePoint {
  snapshot: TrainerSnapshot;
  logBytes: number;
}

/**
 * Loads the resume point into `model` (built from the run's config) and returns the trainer state, or
 * undefined when the folder has none. A point that does not fit the model is an error, not a restart.
 */
export async function loadResumePoint(dir: string, model: SequentialRecommender): Promise<ResumePoint | undefined> {
  if (!existsSync(join(dir, RESUME_FILE))) return undefined;
  const manifest = await readResumeManifest(dir);
  const bytes = await readFile(join(dir, manifest.state));
  if (bytes.byteLength !== 12 * manifest.total) throw new Error(`${join(dir, manifest.state)}: ${bytes.byteLength} bytes, expected ${12 * manifest.total}`);
  const state = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const byName = new Map(model.namedVariables());
  const moments = new Map<string, { m: Float32Array; v: Float32Array }>();
  for (const { name, shape, offset } of manifest.tensors) {
    const variable = byName.get(name);
    if (!variable || variable.shape.join('x') !== shape.join('x')) throw new Error(`${join(dir, RESUME_FILE)}: ${name} [${shape}] does not fit the model`);
    const size = variable.size;
    const value = tf.tensor(state.slice(offset, offset + size), shape, 'float32');
    variable.assign(value);
    value.dispose();
    moments.set(name, {
      m: state.slice(manifest.total + offset, manifest.total + offset + size),
      v: state.slice(2 * manifest.total + offset, 2 * manifest.total + offset + size),
    });
    byName.delete(name);
  }
  if (byName.size > 0) throw new Error(`${join(dir, RESUME_FILE)}: lacks ${[...byName.keys()].join(', ')}`);
  const { epoch, best, evalsSinceBest, trainSeconds, totalSteps, history, random } = manifest;
  return {
    snapshot: {
      epoch,
      best,
      evalsSinceBest,
      trainSeconds,
      totalSteps,
      history: history as TrainEvent[],
      random,
      optimizer: { step: manifest.optimizerStep, moments },
    },
    logBytes: manifest.logBytes,
  };
}

/** Removes the resume point (a finished run needs none). */
export async function removeResumePoint(dir: string): Promise<void> {
  const manifest = await readResumeManifest(dir).catch(() => undefined);
  await rm(join(dir, RESUME_FILE), { force: true });
  if (manifest) await rm(join(dir, manifest.state), { force: true });
}

async function readResumeManifest(dir: string): Promise<ResumeManifest> {
  const file = join(dir, RESUME_FILE);
  const manifest = JSON.parse(await readFile(file, 'utf8')) as ResumeManifest;
  if (manifest.format !== 'grasp-resume/1' || typeof manifest.state !== 'string' || !RESUME_STATE.test(manifest.state))
    throw new Error(`${file}: not a resume point this version reads`);
  return manifest;
}
