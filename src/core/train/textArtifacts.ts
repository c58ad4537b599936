// The text side of a GRASP / LLM-baseline run (DESIGN §2 steps 1-3), built through the same core
// functions as `grasp synthesize / embed / index`, from TRAINING data only: user profiles come from
// training prefixes, LSA and PCA are fitted on training entities, and retrieved neighbours are
// restricted to entities with training interactions. Embeddings and indexes are stored under
// <dataset cache>/grasp/<key>/, the key hashing the exact texts and settings, so variants
// (corrupted texts, other widths) never overwrite each other and a rerun loads instead of rebuilding.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, Split } from '../data/types';
import { embedderModel, embedSecrets, embedTexts, fitRows, type EmbedderSpec } from '../embed/embed';
import { pca } from '../embed/pca';
import { embeddingManifestPath, readEmbedding, writeEmbedding } from '../embed/store';
import { entityTexts, type EntityTexts } from '../embed/texts';
import type { JobContext } from '../util/jobContext';
import type { Entity } from '../llm/schema';
import { synthesize } from '../llm/synthesize';
import { buildIndex } from '../retrieval/build';
import { indexManifestPath, readIndexManifest, readNeighbourTable, type NeighbourTable } from '../retrieval/store';
import { sha256Hex } from '../util/hash';
import { Random } from '../util/random';
import { assertCachedIds, cachePaths, type CachePaths } from '../data/cachePaths';
import { applyCorruption, type CorruptionReport } from './corruption';
import { defaultAnnotationsPath } from '../hallucination/annotations';
import { flagItemTexts, percent, simulateReview } from '../hallucination/review';
import { annotatedEntityTexts, verdictsApplied, type AnnotationReport } from '../hallucination/training';
import type { AnnotationRecord } from '../hallucination/types';
import { writeFileAtomic } from '../util/atomicWrite';
import type { GraspSettings, RunConfig } from './config';
import { RUN_FILES } from './runFolder';
import type { PrefixUserRetrieval } from '../retrieval/prefixUsers';

/** One entity kind's frozen text side: d_s-wide embeddings and the top-K retrieved neighbours. */
export interface EntityArtifacts {
  count: number;
  /** count × dims, standardised (unit RMS over the fitted rows) */
  vectors: Float32Array;
  k: number;
  /** count × k dense ids, best first; -1 = no neighbour in that slot */
  neighbours: Int32Array;
  similarities: Float32Array;
  /** the stored embedding manifest these came from */
  manifest: string;
}

export interface TextArtifacts {
  dims: number;
  items: EntityArtifacts;
  users: EntityArtifacts;
  corruption?: CorruptionReport;
  /** People's verdicts the texts honoured (grasp.annotations.jsonl, then the run's own review file): the run records them. */
  annotations?: AnnotationReport[];
  /** The simulated reviewer's verdicts (grasp.review.simulated): the run's own annotations file, see writeRunAnnotations. */
  reviewRecords?: AnnotationRecord[];
  /** Per item (dense), the detector's risk of the text the run embeds (grasp.distrustGate only) */
  itemRisk?: Float32Array;
  /** Similar users per position (grasp.userRetrieval "position"; train/variant.ts builds it after the rest) */
  prefixUsers?: PrefixUserRetrieval;
}

/** Bump when what is stored under a key changes meaning. */
const ARTIFACT_VERSION = 1;

export async function buildTextArtifacts(dataset: Dataset, split: Split, config: RunConfig, ctx: JobContext): Promise<TextArtifacts> {
  const settings = config.grasp;
  const paths = cachePaths(config.data.path, settings.cacheDir);
  const view = withFields(dataset, settings.texts);
  // metadata and openai-compatible descriptions are written when the run starts (cached: a rerun writes none)
  const describe = settings.texts.provider === 'metadata' || settings.texts.provider === 'openai-compatible';
  const stage = stages(ctx, 2 * (describe ? 3 : 2));
  let corruption: CorruptionReport | undefined;
  let reviewRecords: AnnotationRecord[] | undefined;
  let itemRisk: Float32Array | undefined;
  const annotations: AnnotationReport[] = [];
  const build = async (entity: Entity, k: number): Promise<EntityArtifacts> => {
    if (describe) {
      const count = entity === 'item' ? view.itemIds.length : view.userIds.length;
      const described = stage(
        `Describing ${count.toLocaleString('en-US')} ${entity}s (${settings.texts.provider === 'metadata' ? 'metadata provider' : `${settings.texts.model} at ${settings.texts.baseUrl}`})`,
      );
      await describeEntities(view, split, paths, entity, settings, ctx, described);
    }
    const prepared = await runTexts(view, split, config, entity, ctx);
    if (entity === 'item' && settings.distrustGate && config.variant === 'grasp') itemRisk = textRisks(prepared.texts, view, split, ctx);
    corruption ??= prepared.corruption;
    reviewRecords ??= prepared.reviewRecords;
    annotations.push(...prepared.annotations);
    const texts = prepared.texts;
    return entityArtifacts(view, split, texts, settings, k, paths, ctx, stage);
  };
  let items = await build('item', settings.kItems);
  let users = await build('user', settings.kUsers);
  // An embedder narrower than grasp.dims (or fewer fitted rows) gives fewer PCA components: both sides
  // keep the leading components they share, and the run says so rather than failing on a shape.
  const dims = Math.min(settings.dims, items.vectors.length / Math.max(1, items.count), users.vectors.length / Math.max(1, users.count));
  if (dims < settings.dims) {
    ctx.log(`text side: ${dims} dims, not grasp.dims ${settings.dims} (the embedder's vectors or the fitted rows allow no more)`);
    items = { ...items, vectors: leadingColumns(items.vectors, items.count, dims) };
    users = { ...users, vectors: leadingColumns(users.vectors, users.count, dims) };
  }
  if (settings.randomEmbeddings) {
    // Ablation: the adapters read noise of the same shape and scale; retrieval is left as it was.
    randomise(items.vectors, settings.corruption.seed ^ 0x51ed);
    randomise(users.vectors, settings.corruption.seed ^ 0x2bad);
  }
  return {
    dims,
    items,
    users,
    corruption,
    ...(annotations.length > 0 ? { annotations } : {}),
    ...(reviewRecords ? { reviewRecords } : {}),
    ...(itemRisk ? { itemRisk } : {}),
  };
}

/** The detector's risk of each item text the run embeds (as `grasp flag` would score it), for GRASP's distrust gate. */
function textRisks(texts: EntityTexts, view: Dataset, split: Split, ctx: Pick<JobContext, 'log'>): Float32Array {
  const flags = flagItemTexts(texts, view, split, 'the distrust gate reads no GRASP checkpoint');
  const risk = new Float32Array(flags.length);
  for (const flag of flags) risk[flag.index] = flag.risk;
  ctx.log(`items: detector risk read for the distrust gate (${flags.filter((flag) => flag.flagged).length} of ${flags.length} texts flagged)`);
  return risk;
}

/**
 * Writes the run's own annotations file (the simulated reviewer's verdicts, one record per line, the
 * format the review view appends to grasp.annotations.jsonl) into the run folder, whole and atomically:
 * a resumed run reviews again, deterministically, and replaces it. Nothing when the run has no review.
 * The workspace's grasp.annotations.jsonl is never written: verdicts made for one run's corruption would
 * reach every other run of the dataset.
 */
export async function writeRunAnnotations(runDir: string, artifacts: Pick<TextArtifacts, 'reviewRecords'> | undefined): Promise<string | undefined> {
  if (!artifacts?.reviewRecords) return undefined;
  const file = join(runDir, RUN_FILES.reviewAnnotations);
  await writeFileAtomic(file, artifacts.reviewRecords.map((record) => `${JSON.stringify(record)}\n`).join(''));
  return file;
}

/** The texts a run embeds for one entity kind, and what it records about how they came to be. */
export interface RunTexts {
  texts: EntityTexts;
  corruption?: CorruptionReport;
  /** The workspace's verdicts, then the run's own (simulated reviewer), each when it had records. */
  annotations: AnnotationReport[];
  reviewRecords?: AnnotationRecord[];
}

/**
 * The texts of one entity kind as the run embeds them (`view`: the dataset through grasp.texts.fields,
 * descriptions already written): the chosen synthesis, then the corruption (items), then the verdicts
 * of the workspace's annotations file, then the simulated reviewer's (grasp.review.simulated).
 *
 * Corruption comes before the verdicts because a verdict names the text it judged by hash: the review
 * loop judges corrupted texts, so its verdicts must meet them. Rows the corruption leaves alone are
 * byte-identical, so for them (and for every row of a run without corruption) the verdicts apply as
 * they did when they came first; on a corrupted row only a verdict on the corrupted text applies (one
 * on the text before corruption is stale: the run does not embed that text).
 */
export async function runTexts(view: Dataset, split: Split, config: RunConfig, entity: Entity, ctx: Pick<JobContext, 'log'>): Promise<RunTexts> {
  const settings = config.grasp;
  const paths = cachePaths(config.data.path, settings.cacheDir);
  let texts = await entityTexts(view, split, paths.dataset, entity, textsChoice(settings));
  let corruption: CorruptionReport | undefined;
  if (entity === 'item' && settings.corruption.fraction > 0) {
    const corrupted = applyCorruption(texts, view, split, settings.corruption);
    texts = corrupted.texts;
    corruption = corrupted.report;
    ctx.log(
      `items: ${corruption?.items.length ?? 0} of ${texts.texts.length} descriptions corrupted (fraction ${settings.corruption.fraction}, seed ${settings.corruption.seed}) before embedding`,
    );
  }
  const asCorrupted = texts;
  const annotations: AnnotationReport[] = [];
  // People's verdicts (hallucinated → metadata-only text, edited → the edited text, ok → unchanged).
  const annotated = await annotatedEntityTexts(texts, view, split, defaultAnnotationsPath(config.data.path));
  texts = annotated.texts;
  if (annotated.report) {
    annotations.push(annotated.report);
    ctx.log(
      `${entity}s: ${annotated.report.used.length} annotation(s) applied from ${annotated.report.file}${annotated.report.stale.length ? `, ${annotated.report.stale.length} stale (text changed since; not applied)` : ''}`,
    );
  }
  const simulated = settings.review?.simulated;
  if (entity !== 'item' || !simulated) return { texts, corruption, annotations };
  // validateConfig refuses a review without corruption; a config that got past it must not review nothing silently
  if (!corruption)
    throw new Error(
      'grasp.review.simulated needs grasp.corruption.fraction > 0 (the simulated reviewer marks what the corruption ground truth calls corrupted)',
    );
  const review = simulateReview(asCorrupted, texts.texts, view, split, corruption, simulated);
  // The run's own verdicts, after the workspace's and through the same hash check; they live in the run folder only.
  const applied = verdictsApplied(
    texts,
    view,
    split,
    review.records.map((record, i) => ({ ...record, line: i + 1 })),
    RUN_FILES.reviewAnnotations,
  );
  const used = applied.report?.used.length ?? 0;
  annotations.push({ ...(applied.report ?? { file: RUN_FILES.reviewAnnotations, entity: 'item', used: [], stale: [], unknown: [] }), review: review.summary });
  const { reviewed, catalogue, marked } = review.summary;
  ctx.log(
    `items: simulated reviewer read ${reviewed} of ${catalogue} descriptions (top ${percent(simulated.k)} %, ${review.summary.order === 'reach' ? 'flagged ones of the most-bought items first' : 'riskiest first'}): ${review.summary.corrupted} corrupted, ${marked} marked hallucinated, ${used} applied (their metadata-only description is embedded instead); verdicts → ${RUN_FILES.reviewAnnotations} of the run`,
  );
  return { texts: applied.texts, corruption, annotations, reviewRecords: review.records };
}

/** The first `dims` columns of a row-major count × width matrix. */
export function leadingColumns(vectors: Float32Array, count: number, dims: number): Float32Array {
  const width = vectors.length / Math.max(1, count);
  if (width === dims) return vectors;
  const out = new Float32Array(count * dims);
  for (let row = 0; row < count; row++) out.set(vectors.subarray(row * width, row * width + dims), row * dims);
  return out;
}

/**
 * Names each preparation stage with its own progress: the message says which stage runs, and
 * `series` numbers it (stage i of n) with the stage's own fraction, so a view can list the stages
 * (the job's overall fraction is unknown until training starts). Returns the stage's context.
 */
function stages(ctx: JobContext, total: number): (name: string) => JobContext {
  let current = 0;
  return (name) => {
    const stage = ++current;
    const report = (message: string | undefined, fraction: number | undefined): void =>
      ctx.progress({
        message: message ? `${name}: ${message}` : name,
        series: { stage, stages: total, ...(fraction !== undefined ? { stageFraction: fraction } : {}) },
      });
    report(undefined, 0);
    // Everything else of the context (cancellation, logs, whatever else a runner gives) passes through.
    return { ...ctx, progress: (update) => report(update.message, update.fraction) };
  };
}

async function entityArtifacts(
  dataset: Dataset,
  split: Split,
  texts: EntityTexts,
  settings: GraspSettings,
  k: number,
  paths: CachePaths,
  ctx: JobContext,
  stage: (name: string) => JobContext,
): Promise<EntityArtifacts> {
  const entity = texts.entity;
  const rows = fitRows(dataset, split, entity);
  const count = texts.texts.length;
  // Ask the index for more than K: neighbours without training interactions are dropped below.
  const stored = Math.min(count - 1, 2 * k + 5);
  const rowsHash = sha256Hex(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength));
  const spec = embedderSpec(settings);
  // The key names the embedder and its model (and width), so runs with other vectors never share a folder; LSA keys are as before.
  const embedderKey =
    settings.embedder === 'lsa' ? [settings.embedder, settings.width] : [settings.embedder, spec.model, spec.dimensions ?? null, spec.maxChars ?? null];
  const key = sha256Hex(JSON.stringify([ARTIFACT_VERSION, entity, texts.sha256, rowsHash, ...embedderKey, settings.dims, stored])).slice(0, 16);
  const dir = join(paths.dataset, 'grasp', key);
  const manifestPath = embeddingManifestPath(dir, entity, settings.embedder);
  const indexPath = indexManifestPath(dir, entity, settings.embedder, 'vectors');
  if (!existsSync(manifestPath) || !existsSync(indexPath)) {
    const embedding = stage(`Embedding ${count.toLocaleString('en-US')} ${entity} texts (${settings.embedder}, then PCA to ${settings.dims})`);
    const started = Date.now();
    const raw = await embedTexts(texts.texts, rows, spec, paths.dataset, embedding, embedSecrets(ctx));
    const reduced = pca(raw.vectors, count, raw.width, settings.dims, rows, 1);
    await writeEmbedding(
      manifestPath,
      {
        v: 1,
        entity,
        embedder: {
          name: settings.embedder,
          model: raw.model,
          width: raw.width,
          ...(spec.baseURL ? { baseURL: spec.baseURL } : {}),
          ...(spec.dimensions ? { dimensions: spec.dimensions } : {}),
        },
        texts: { source: texts.source, fromSynthesis: texts.fromSynthesis, fallback: texts.fallback, sha256: texts.sha256 },
        count,
        ids: texts.ids,
        createdAt: new Date().toISOString(),
        seconds: (Date.now() - started) / 1000,
      },
      { data: raw.vectors, dim: raw.width },
      { data: reduced.vectors, dim: reduced.dim, explainedVariance: reduced.explainedVariance, fittedOn: reduced.fittedOn },
    );
    embedding.progress({ fraction: 1 });
    await buildIndex(manifestPath, dir, { k: stored, space: 'vectors', recallQueries: 100 }, stage(`Indexing the ${entity} neighbours (top ${stored})`));
  } else {
    stage(`Embedding ${count.toLocaleString('en-US')} ${entity} texts: cached`);
    stage(`Indexing the ${entity} neighbours: cached`);
    ctx.log(`${entity}s: text embeddings and neighbours from ${dir}`);
  }
  const embedding = await readEmbedding(manifestPath);
  // The key hashes texts, not ids: rows of another dataset's (or an older version's) entities are refused, not trained on.
  assertCachedIds(paths, manifestPath, entity, embedding.manifest.ids, texts.ids, `delete ${dir} and run again to rebuild it`);
  const index = await readIndexManifest(indexPath);
  const table = await readNeighbourTable(indexPath, index);
  const { neighbours, similarities } = pickNeighbours(table, k, trainedRows(split, entity, rows, count));
  const dims = embedding.manifest.reduced.dim;
  const reduced = Float32Array.from(embedding.reduced);
  return { count, vectors: scaleTextVectors(settings, reduced, count, dims, rows), k, neighbours, similarities, manifest: manifestPath };
}

/** The embedder a run's settings name, as the embed library takes it (no key: those come from the job's context). */
export function embedderSpec(settings: Pick<GraspSettings, 'embedder' | 'embedding' | 'width'>): EmbedderSpec {
  if (settings.embedder === 'lsa') return { name: 'lsa', width: settings.width, seed: 1 };
  const { baseUrl, model, dimensions, batchSize, concurrency, maxChars } = settings.embedding ?? {};
  const spec: EmbedderSpec = {
    name: settings.embedder,
    model: embedderModel({ name: settings.embedder, model }),
    baseURL: baseUrl,
    dimensions,
    batchSize,
    concurrency,
    maxChars,
  };
  return spec;
}

/** Which synthesis the run's texts come from, as entityTexts takes it. */
export function textsChoice(settings: Pick<GraspSettings, 'texts'>): string {
  const { provider, model } = settings.texts;
  if (provider === 'raw') return 'none';
  return model && (provider === 'openai-compatible' || provider === 'anthropic') ? `${provider}:${model}` : provider;
}

/**
 * Writes the descriptions or profiles a run reads when they are written at run time: offline from
 * metadata, or by an OpenAI-compatible chat server (through the synthesis cache, so a rerun calls
 * nothing; inputs it failed on fall back to their raw text, and the log says how many).
 */
export async function describeEntities(
  view: Dataset,
  split: Split,
  paths: CachePaths,
  entity: Entity,
  settings: Pick<GraspSettings, 'texts'>,
  ctx: JobContext,
  progress: JobContext,
): Promise<void> {
  const { provider, baseUrl, model, concurrency } = settings.texts;
  if (provider === 'metadata') {
    await synthesize(view, split, paths, { entity, provider: 'metadata' }, { ...progress, log: () => {} });
    return;
  }
  if (provider !== 'openai-compatible') return;
  // Inputs that failed before are not asked again here: a resumed or re-evaluated run must read the
  // very texts it started with (`grasp synthesize --provider openai-compatible` retries them).
  const result = await synthesize(
    view,
    split,
    paths,
    { entity, provider, baseURL: baseUrl, model, concurrency: concurrency ?? 8, retryFailed: false },
    { ...progress, log: (line) => ctx.log(line) },
    { openaiApiKey: ctx.secret?.('OPENAI_API_KEY') },
  );
  const { counts } = result;
  if (counts.calls > 0 || counts.failed > 0) {
    ctx.log(
      `${entity}s: ${model} wrote ${counts.done} texts (${counts.cached} cached, ${counts.failed} failed: embedded from their raw text), ${counts.calls} calls, ${counts.inputTokens + counts.outputTokens} tokens in ${(result.elapsedMs / 1000).toFixed(1)} s`,
    );
  }
}

/** Which rows may be retrieved: entities with training interactions. */
export function trainedRows(split: Split, entity: Entity, fitted: Int32Array, count: number): Uint8Array {
  const trained = new Uint8Array(count);
  if (entity === 'user') for (let u = 0; u < count; u++) trained[u] = split.train[u].length > 0 ? 1 : 0;
  else for (const row of fitted) trained[row] = 1;
  return trained;
}

/** Each row's best k stored neighbours that are another row and trained; -1 fills the rest. */
export function pickNeighbours(table: NeighbourTable, k: number, trained: Uint8Array): { neighbours: Int32Array; similarities: Float32Array } {
  const count = trained.length;
  const neighbours = new Int32Array(count * k).fill(-1);
  const similarities = new Float32Array(count * k);
  for (let row = 0; row < count; row++) {
    let slot = 0;
    for (let j = 0; j < table.k && slot < k; j++) {
      const label = table.labels[row * table.k + j];
      if (label < 0 || label === row || !trained[label]) continue;
      neighbours[row * k + slot] = label;
      similarities[row * k + slot] = table.similarities[row * table.k + j];
      slot++;
    }
  }
  return { neighbours, similarities };
}

/** The PCA vectors as the model reads them (in place): whitened (grasp.whiten) or standardised, over the fitted rows. */
export function scaleTextVectors(settings: Pick<GraspSettings, 'whiten'>, vectors: Float32Array, count: number, dims: number, rows: Int32Array): Float32Array {
  return settings.whiten ? whiten(vectors, count, dims, rows) : standardise(vectors, count, dims, rows);
}

/** Scales the PCA vectors to unit RMS over the fitted rows, so adapters start at a known input scale. */
export function standardise(vectors: Float32Array, count: number, dims: number, rows: Int32Array): Float32Array {
  let sum = 0;
  for (const row of rows) for (let c = 0; c < dims; c++) sum += vectors[row * dims + c] ** 2;
  const rms = Math.sqrt(sum / Math.max(1, rows.length * dims));
  if (rms > 0) for (let i = 0; i < count * dims; i++) vectors[i] /= rms;
  return vectors;
}

/** Scales each PCA component to unit RMS over the fitted rows (they are centred there): every direction weighs the same. */
export function whiten(vectors: Float32Array, count: number, dims: number, rows: Int32Array): Float32Array {
  const sums = new Float64Array(dims);
  for (const row of rows) for (let c = 0; c < dims; c++) sums[c] += vectors[row * dims + c] ** 2;
  const scale = Float64Array.from(sums, (sum) => (sum > 0 ? Math.sqrt(Math.max(1, rows.length) / sum) : 0));
  for (let r = 0; r < count; r++) for (let c = 0; c < dims; c++) vectors[r * dims + c] *= scale[c];
  return vectors;
}

function randomise(vectors: Float32Array, seed: number): void {
  const random = new Random(seed);
  for (let i = 0; i < vectors.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random.next()));
    const angle = 2 * Math.PI * random.next();
    vectors[i] = r * Math.cos(angle);
    if (i + 1 < vectors.length) vectors[i + 1] = r * Math.sin(angle);
  }
}

/**
 * The dataset as the run's descriptions see it: only the chosen metadata fields, and each code of a
 * code field written as one word (`attributes17`), which the text embedder reads as a token where the
 * description writers leave bare code lists out.
 */
export function withFields(dataset: Dataset, texts: Pick<GraspSettings['texts'], 'fields' | 'codeFields'>): Dataset {
  const { fields, codeFields } = texts;
  if ((!fields && !codeFields) || !dataset.metadata) return dataset;
  const keep = fields ? new Set(fields) : undefined;
  const codes = new Set(codeFields ?? []);
  const value = (name: string, text: string): string => (codes.has(name) ? codeWords(name, text) : text);
  const rows = dataset.metadata.rows.map((row) =>
    row ? Object.fromEntries(Object.entries(row).flatMap(([name, text]) => (!keep || keep.has(name) ? [[name, value(name, text)]] : []))) : row,
  );
  return { ...dataset, metadata: { ...dataset.metadata, fields: dataset.metadata.fields.filter((name) => !keep || keep.has(name)), rows } };
}

/** "4 17 203" in field `attributes` → "attributes4 attributes17 attributes203" (letters of the field name only). */
export function codeWords(field: string, text: string): string {
  const prefix = field.toLowerCase().replace(/[^a-z]/g, '') || 'code';
  return text
    .split(/[\s,;]+/)
    .filter((code) => code !== '')
    .map((code) => `${prefix}${code.replace(/[^\p{L}\p{N}]/gu, '')}`)
    .join(', ');
}
