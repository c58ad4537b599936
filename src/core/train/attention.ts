// Explanations (DESIGN §2 step 4): the attention weights a trained GRASP run puts on an item's
// retrieved neighbours (item level; the item itself is slot 0) and on a user's retrieved similar
// users (user level, at the state that predicts the user's next item), read back from the run's
// checkpoint. The neighbours view shows these beside the retrieval similarities.
import { leaveOneOut } from '../data/split';
import { loadRunDataset } from './runDataset';
import { initEngine } from '../engine/backend';
import { CancelledError, silentContext, type JobContext } from '../util/jobContext';
import { entityLabel } from '../retrieval/labels';
import { ConfigError } from '../util/errors';
import { loadWeights, readManifest } from './checkpoint';
import type { EntityArtifacts } from './textArtifacts';
import { buildModel, prepareText, variantOf } from './variant';

export type AttentionTarget = { item: string } | { user: string };

export interface AttentionNeighbour {
  /** raw id, as in the dataset file */
  id: string;
  /** dense id (row) */
  row: number;
  /** cosine similarity of the texts at retrieval; null for the item's own slot */
  similarity: number | null;
  /** the learned attention weight (the weights of one query sum to 1) */
  weight: number;
  /** the item's own slot (item level) */
  self: boolean;
  /** item title, or a user's latest training titles (untrusted dataset text) */
  label: string;
}

export interface AttentionExplanation {
  run: string;
  model: string;
  epoch: number;
  entity: 'item' | 'user';
  query: { id: string; row: number; label: string };
  /** slot order: items start with the item itself, then its neighbours by similarity */
  neighbours: AttentionNeighbour[];
  /** user level: mean gate value σ(W_g[h; g; A_u(e_u)]) at that state (null when the gate is off) */
  gate?: number | null;
  /** why there are no weights (the level is switched off in this run) */
  note?: string;
}

/** A GRASP run's model, dataset and text artifacts, as trained, with its checkpoint's weights loaded. */
async function openGraspRun(runDir: string, ctx: JobContext) {
  const manifest = await readManifest(runDir);
  if (variantOf(manifest.config) !== 'grasp')
    throw new ConfigError(`${runDir}: a ${variantOf(manifest.config)} run has no GRASP attention weights (train with "variant": "grasp")`);
  const opened = await openRun(runDir, ctx);
  return { ...opened, artifacts: opened.artifacts!, grasp: opened.grasp! };
}

/** Any run's model (GRASP or not), dataset and text artifacts, as trained, with its checkpoint's weights loaded; dispose the model. */
export async function openRun(runDir: string, ctx: JobContext = silentContext) {
  const manifest = await readManifest(runDir);
  const { config } = manifest;
  await initEngine({ backend: config.engine.backend, native: config.engine.native, threads: config.engine.threads || undefined });
  const dataset = await loadRunDataset(config);
  if (dataset.itemIds.length !== manifest.numItems || dataset.itemIds.some((id, i) => id !== manifest.itemIds[i])) {
    throw new ConfigError(
      `${config.data.path} no longer gives the item ids ${runDir} was trained with (${dataset.itemIds.length} items now, ${manifest.numItems} then)`,
    );
  }
  const split = leaveOneOut(dataset.sequences);
  const artifacts = await prepareText(config, dataset, split, ctx);
  const { model, grasp } = buildModel(config, manifest.numItems, split, artifacts);
  try {
    await loadWeights(runDir, model, manifest);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { manifest, config, dataset, split, artifacts, model, grasp };
}

/**
 * For every item of a GRASP run, the share of its item-level attention on its retrieved neighbours
 * (the rest stays on the item itself): NaN where the item has no neighbours. With the catalogue
 * median, this is the model-distrust evidence of the hallucination detector.
 */
export async function itemNeighbourAttention(
  runDir: string,
  ctx: JobContext = silentContext,
): Promise<{ run: string; itemIds: string[]; mass: Float64Array; median: number }> {
  const { config, dataset, model, grasp } = await openGraspRun(runDir, ctx);
  try {
    if (!config.grasp.itemLevel) throw new ConfigError(`${runDir}: item-level attention is off in this run (grasp.itemLevel: false)`);
    const mass = new Float64Array(dataset.itemIds.length);
    for (let row = 0; row < mass.length; row++) {
      if (row % 500 === 0) {
        if (ctx.isCancelled()) throw new CancelledError();
        ctx.progress({ message: `Reading attention weights (${row} of ${mass.length} items)`, fraction: row / mass.length });
      }
      const { candidates, weights } = grasp.explainItem(row);
      mass[row] = candidates.length > 1 ? 1 - weights[0] : NaN;
    }
    const known = Array.from(mass)
      .filter((x) => !Number.isNaN(x))
      .sort((a, b) => a - b);
    const median = known.length === 0 ? NaN : known[Math.floor(known.length / 2)];
    return { run: runDir, itemIds: dataset.itemIds, mass, median };
  } finally {
    model.dispose();
  }
}

/** A GRASP run opened once (model, dataset, text side, weights) and asked about many items or users. */
export interface AttentionExplainer {
  run: string;
  explain(target: AttentionTarget): AttentionExplanation;
  dispose(): void;
}

/**
 * Opens a GRASP run for repeated questions: opening is the slow part (the dataset, the text side and
 * the weights), each question after it is one forward pass. Dispose it to free the model.
 */
export async function openAttention(runDir: string, ctx: JobContext = silentContext): Promise<AttentionExplainer> {
  const opened = await openGraspRun(runDir, ctx);
  return { run: runDir, explain: (target) => explain(runDir, opened, target), dispose: () => opened.model.dispose() };
}

/** The learned attention weights of a GRASP run for one item or user (raw id), from its checkpoint. */
export async function readAttention(runDir: string, target: AttentionTarget, ctx: JobContext = silentContext): Promise<AttentionExplanation> {
  const explainer = await openAttention(runDir, ctx);
  try {
    return explainer.explain(target);
  } finally {
    explainer.dispose();
  }
}

/** Each neighbour retrieved for `row` → its retrieval similarity. */
function retrievedSimilarity({ k, neighbours, similarities }: EntityArtifacts, row: number): Map<number, number> {
  const similarity = new Map<number, number>();
  for (let j = 0; j < k; j++) if (neighbours[row * k + j] >= 0) similarity.set(neighbours[row * k + j], similarities[row * k + j]);
  return similarity;
}

function explain(runDir: string, opened: Awaited<ReturnType<typeof openGraspRun>>, target: AttentionTarget): AttentionExplanation {
  const { manifest, config, dataset, split, artifacts, model, grasp } = opened;
  const base = { run: runDir, model: config.model.kind, epoch: manifest.epoch };
  const rowOf = (ids: string[], id: string, entity: string): number => {
    const row = ids.indexOf(id);
    if (row < 0) throw new ConfigError(`no ${entity} with id ${JSON.stringify(id.slice(0, 60))} in ${dataset.source}`);
    return row;
  };
  if ('item' in target) {
    const row = rowOf(dataset.itemIds, target.item, 'item');
    const { candidates, weights } = grasp.explainItem(row);
    const similarity = retrievedSimilarity(artifacts.items, row);
    return {
      ...base,
      entity: 'item',
      query: { id: target.item, row, label: entityLabel(dataset, undefined, 'item', row) },
      neighbours: candidates.map((item, j) => ({
        id: dataset.itemIds[item],
        row: item,
        similarity: j === 0 ? null : (similarity.get(item) ?? null),
        weight: weights[j],
        self: j === 0,
        label: entityLabel(dataset, undefined, 'item', item),
      })),
      ...(config.grasp.itemLevel ? {} : { note: 'item-level attention is off in this run (grasp.itemLevel: false)' }),
    };
  }
  const row = rowOf(dataset.userIds, target.user, 'user');
  // What the model reads at test time: the training prefix plus the validation item (when there is one).
  const history = split.valid[row] >= 0 ? Int32Array.from([...split.train[row], split.valid[row]]) : split.train[row];
  const input = new Int32Array(config.model.maxLen);
  model.inferenceRow(history, input, 0);
  const { neighbours, weights, gate } = grasp.explainUser(row, input);
  // per position, the users come from the row's items, not from the profile index: no profile similarity to show
  const similarity = artifacts.prefixUsers ? new Map<number, number>() : retrievedSimilarity(artifacts.users, row);
  return {
    ...base,
    entity: 'user',
    query: { id: target.user, row, label: entityLabel(dataset, split.train, 'user', row) },
    neighbours: neighbours.map((user, j) => ({
      id: dataset.userIds[user],
      row: user,
      similarity: similarity.get(user) ?? null,
      weight: weights[j],
      self: false,
      label: entityLabel(dataset, split.train, 'user', user),
    })),
    gate,
    ...(config.grasp.userLevel ? {} : { note: 'user-level attention is off in this run (grasp.userLevel: false)' }),
  };
}
