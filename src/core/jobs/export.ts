// `grasp export <dataset or run>`: the way out to Python. Vectors as .npy (float32, C order, with an id
// map), neighbour tables as TSV, descriptions as RecBole atomic files (.item / .user), and a run's
// per-user ranks and metrics as CSV. Every file is built in memory first, then written atomically into a
// folder that is new, empty or an earlier export (never anything else), with export.json, listing them,
// written last. Ids, titles and LLM text are untrusted: tabs, line breaks and control characters
// become spaces, so each record stays one line of its file.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { assertCachedIds, cachePaths } from '../data/cachePaths';
import { loadRunDataset } from '../train/runDataset';
import { leaveOneOut } from '../data/split';
import type { Dataset } from '../data/types';
import { readEmbedding, type StoredEmbedding } from '../embed/store';
import { entityTexts, type EntityTexts } from '../embed/texts';
import type { JobContext } from '../util/jobContext';
import { loadForJob, type DatasetLoadParams } from '../data/loadForJob';
import type { Entity, ItemDescription, SynthesisOutput, UserProfile } from '../llm/schema';
import { readIndexManifest, readNeighbourTable } from '../retrieval/store';
import { validateStoredConfig, type RunConfig } from '../train/config';
import { buildTextArtifacts, textsChoice, withFields } from '../train/textArtifacts';
import { writeFileAtomic } from '../util/atomicWrite';
import { ConfigError } from '../util/errors';
import { npyBytes } from '../export/npy';
import { RUN_FILES } from '../train/runFolder';

export interface ExportJobParams {
  /** A dataset file or folder, or a run folder (one holding the config.json and metrics.json of a finished run). */
  target: string;
  /** Where the files go (default `<cache root>/exports/<dataset cache or run folder name>`). */
  out?: string;
  /** Dataset only: the cache folder `grasp embed` / `grasp index` used (default `<workspace>/.grasp`). */
  cacheDir?: string;
  /** Dataset only: how to read it (the same flags as the other stages). */
  load?: DatasetLoadParams;
}

export interface ExportedFile {
  file: string;
  what: string;
  /** .npy: its shape; tables: data rows (header not counted). */
  shape?: number[];
  rows?: number;
}

export interface ExportJobResult {
  kind: 'dataset' | 'run';
  target: string;
  out: string;
  files: ExportedFile[];
  /** What was left out and why (a stale embedding, a plain run without a text side…). */
  notes: string[];
}

interface Pending extends ExportedFile {
  content: string | Uint8Array;
}

const MANIFEST = 'export.json';
const FORMAT = 'grasp-export/1';

export async function exportJob(params: ExportJobParams, ctx: JobContext): Promise<ExportJobResult> {
  const target = resolve(params.target);
  return isRunFolder(target) ? exportRun(target, params, ctx) : exportDataset(target, params, ctx);
}

/** A run folder: its config.json parses as JSON with `data` and `model`, beside a run's own files. */
export function isRunFolder(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory() || !existsSync(join(dir, RUN_FILES.config))) return false;
    if (![RUN_FILES.metrics, RUN_FILES.checkpoint, RUN_FILES.log].some((name) => existsSync(join(dir, name)))) return false;
    const config = JSON.parse(readFileSync(join(dir, RUN_FILES.config), 'utf8')) as Record<string, unknown> | null;
    return !!config && typeof config === 'object' && 'data' in config && 'model' in config;
  } catch {
    return false;
  }
}

// ---- a dataset: whatever `grasp synthesize / embed / index` left in its cache -------------------------

async function exportDataset(target: string, params: ExportJobParams, ctx: JobContext): Promise<ExportJobResult> {
  const dataset = await loadForJob(target, params.load, ctx, 0.2);
  const split = leaveOneOut(dataset.sequences);
  const paths = cachePaths(target, params.cacheDir);
  const out = resolve(params.out ?? join(paths.root, 'exports', basename(paths.dataset)));
  const files: Pending[] = [];
  const notes: string[] = [];
  for (const entity of ['item', 'user'] as const) {
    ctx.progress({ message: `Exporting ${entity} texts`, fraction: entity === 'item' ? 0.3 : 0.5 });
    files.push(atomicFile(dataset, await entityTexts(dataset, split, paths.dataset, entity, 'auto')));
  }
  ctx.progress({ message: 'Exporting embeddings and neighbour tables', fraction: 0.7 });
  const embeddings = new Map<string, StoredEmbedding>();
  const embeddingDir = join(paths.dataset, 'embeddings');
  for (const name of listNames(embeddingDir, /^(items|users)\.([A-Za-z0-9-]+)\.json$/)) {
    const [, plural, embedder] = /^(items|users)\.([A-Za-z0-9-]+)\.json$/.exec(name)!;
    const entity: Entity = plural === 'items' ? 'item' : 'user';
    const file = join(embeddingDir, name);
    let stored: StoredEmbedding;
    try {
      stored = await readEmbedding(file);
      assertCachedIds(paths, file, entity, stored.manifest.ids, entity === 'item' ? dataset.itemIds : dataset.userIds, 'run `grasp embed` again');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      notes.push(`left out ${name}: ${error.message}`);
      continue;
    }
    embeddings.set(name, stored);
    const { manifest } = stored;
    const stem = `${plural}.${embedder}`;
    const source = `${manifest.embedder.name}/${manifest.embedder.model}`;
    files.push(
      npyFile(
        `${stem}.npy`,
        `${entity} text vectors (${source}, ${manifest.vectors.dim} wide); row i is row i of ${stem}.ids.tsv`,
        stored.vectors,
        manifest.count,
        manifest.vectors.dim,
      ),
    );
    files.push(
      npyFile(
        `${stem}.pca.npy`,
        `their PCA to ${manifest.reduced.dim} dimensions, fitted on training ${entity}s`,
        stored.reduced,
        manifest.count,
        manifest.reduced.dim,
      ),
    );
    files.push(idMap(`${stem}.ids.tsv`, entity, manifest.ids));
  }
  const indexDir = join(paths.dataset, 'indexes');
  for (const name of listNames(indexDir, /^(items|users)\.([A-Za-z0-9-]+)\.(vectors|reduced)\.json$/)) {
    const [, plural, embedder, space] = /^(items|users)\.([A-Za-z0-9-]+)\.(vectors|reduced)\.json$/.exec(name)!;
    const entity: Entity = plural === 'items' ? 'item' : 'user';
    const file = join(indexDir, name);
    const index = await readIndexManifest(file);
    const embedding = embeddings.get(index.embedding.manifest);
    const sha = embedding && (index.space === 'vectors' ? embedding.manifest.vectors.sha256 : embedding.manifest.reduced.sha256);
    if (!embedding || sha !== index.embedding.sha256 || index.count !== embedding.manifest.count) {
      notes.push(
        `left out ${name}: ${embedding ? 'built from an older embedding (run `grasp index` again)' : `its embedding ${index.embedding.manifest} is not exported`}`,
      );
      continue;
    }
    const table = await readNeighbourTable(file, index);
    files.push(
      neighbourFile(
        `${plural}.${embedder}${space === 'reduced' ? '.pca' : ''}.neighbours.tsv`,
        entity,
        embedding.manifest.ids,
        table.k,
        table.labels,
        table.similarities,
        `${entity} neighbours by cosine similarity (${index.method} index of ${plural}.${embedder}${space === 'reduced' ? '.pca' : ''}.npy)`,
      ),
    );
  }
  if (embeddings.size === 0) notes.push(`no embeddings in ${embeddingDir}: run \`grasp embed\` (and \`grasp index\`) first to export vectors and neighbours`);
  return writeExport(out, { kind: 'dataset', target, out, files: [], notes }, files, ctx);
}

// ---- a run: the text side it trained with, and its results ------------------------------------------

async function exportRun(runDir: string, params: ExportJobParams, ctx: JobContext): Promise<ExportJobResult> {
  // the run's config says where its dataset and caches are; the dataset-reading flags do not apply
  if (params.cacheDir) throw new ConfigError(`${runDir} is a run folder: its caches are where its config says (grasp.cacheDir), not --cache-dir`);
  const configFile = join(runDir, RUN_FILES.config);
  let config: RunConfig;
  try {
    config = validateStoredConfig(JSON.parse(await readFile(configFile, 'utf8')), configFile);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${configFile}: unreadable run config (${(error as Error).message})`);
  }
  const seedDirs = (config.train.seeds ?? [config.train.seed]).map((seed, _, all) => ({ seed, dir: all.length > 1 ? join(runDir, `seed-${seed}`) : runDir }));
  for (const { dir } of seedDirs) {
    if (!existsSync(join(dir, RUN_FILES.metrics)) || !existsSync(join(dir, RUN_FILES.ranks)))
      throw new ConfigError(`${dir} is not a finished run (no metrics.json and ranks.json): let it finish, or resume it with \`grasp train\``);
  }
  ctx.progress({ message: `Reading ${config.data.path}`, fraction: 0.05 });
  const dataset = await loadRunDataset(config, () => ctx.isCancelled());
  const split = leaveOneOut(dataset.sequences);
  const paths = cachePaths(config.data.path, config.grasp.cacheDir);
  const out = resolve(params.out ?? join(paths.root, 'exports', `run-${basename(runDir)}`));
  const files: Pending[] = [];
  const notes: string[] = [];

  ctx.progress({ message: 'Exporting ranks and metrics', fraction: 0.1 });
  const ranks: string[] = ['seed,split,user_row,rank,user_id'];
  const metrics: string[] = ['seed,split,protocol,metric,value'];
  for (const { seed, dir } of seedDirs) {
    ranks.push(...rankRows(join(dir, RUN_FILES.ranks), seed, dataset));
    metrics.push(...metricRows(join(dir, RUN_FILES.metrics), seed));
  }
  files.push({
    file: 'ranks.csv',
    what: 'per user and split (valid, test): the full-ranking rank of the held-out item, 1 = first (history masked); user_row is the row in users.ids.tsv',
    rows: ranks.length - 1,
    content: `${ranks.join('\n')}\n`,
  });
  files.push({
    file: 'metrics.csv',
    what: 'every metric of the best epoch: full ranking, unmasked, sampled100 (labelled), head/tail users and items',
    rows: metrics.length - 1,
    content: `${metrics.join('\n')}\n`,
  });

  if (config.variant === 'plain') {
    notes.push('a plain run has no text side: no vectors, neighbours or descriptions to export (export its dataset for those)');
    files.push(idMap('users.ids.tsv', 'user', dataset.userIds));
  } else {
    ctx.progress({ message: 'Rebuilding the text side from the caches', fraction: 0.3 });
    // The same function the run trained with: it loads its embeddings and neighbours from the caches (and says so).
    const artifacts = await buildTextArtifacts(dataset, split, config, ctx);
    const view = withFields(dataset, config.grasp.texts);
    for (const [entity, part] of [
      ['item', artifacts.items],
      ['user', artifacts.users],
    ] as const) {
      const plural = `${entity}s`;
      const ids = entity === 'item' ? dataset.itemIds : dataset.userIds;
      const stored = await readEmbedding(part.manifest);
      const { manifest } = stored;
      files.push(
        npyFile(
          `${plural}.npy`,
          `${entity} text vectors the model read: PCA to ${artifacts.dims} of ${manifest.embedder.name}/${manifest.embedder.model}, scaled to unit RMS; row i is row i of ${plural}.ids.tsv`,
          part.vectors,
          part.count,
          artifacts.dims,
        ),
      );
      files.push(
        npyFile(
          `${plural}.raw.npy`,
          `the embedder's own ${entity} vectors (${manifest.embedder.name}/${manifest.embedder.model}, ${manifest.vectors.dim} wide)`,
          stored.vectors,
          manifest.count,
          manifest.vectors.dim,
        ),
      );
      files.push(idMap(`${plural}.ids.tsv`, entity, ids));
      files.push(
        neighbourFile(
          `${plural}.neighbours.tsv`,
          entity,
          ids,
          part.k,
          part.neighbours,
          part.similarities,
          `the ${part.k} retrieved ${entity} neighbours the model attended over (training ${entity}s only), by cosine similarity`,
        ),
      );
      files.push(atomicFile(dataset, await entityTexts(view, split, paths.dataset, entity, textsChoice(config.grasp))));
    }
    if (artifacts.corruption || artifacts.annotations)
      notes.push(
        "the descriptions are as synthesised; the vectors are of the texts the run embedded, after its annotations or corruption (see the run's annotations.json / corruption.json)",
      );
  }
  return writeExport(out, { kind: 'run', target: runDir, out, files: [], notes }, files, ctx);
}

function rankRows(file: string, seed: number, dataset: Dataset): string[] {
  const ranks = readJson(file) as { users?: unknown; ranks?: unknown; validUsers?: unknown; validRanks?: unknown };
  const rows: string[] = [];
  for (const [split, usersField, ranksField] of [
    ['valid', 'validUsers', 'validRanks'],
    ['test', 'users', 'ranks'],
  ] as const) {
    const users = ranks[usersField];
    const values = ranks[ranksField];
    if (users === undefined && split === 'valid') continue; // written before validation ranks were kept
    if (!Array.isArray(users) || !Array.isArray(values) || users.length !== values.length)
      throw new ConfigError(`${file}: ${usersField} and ${ranksField} must be lists of the same length`);
    users.forEach((user, i) => {
      const rank = values[i];
      if (!Number.isInteger(user) || user < 0 || user >= dataset.userIds.length)
        throw new ConfigError(`${file}: ${usersField}[${i}] is not a user row of ${dataset.source} (${dataset.userIds.length} users)`);
      if (!Number.isInteger(rank) || rank < 0) throw new ConfigError(`${file}: ${ranksField}[${i}] is not a rank`);
      rows.push(`${seed},${split},${user},${rank + 1},${csvField(dataset.userIds[user])}`);
    });
  }
  return rows;
}

function metricRows(file: string, seed: number): string[] {
  const result = readJson(file) as { metrics?: Record<string, unknown> };
  if (!result.metrics || typeof result.metrics !== 'object') throw new ConfigError(`${file}: no metrics (is it a run's metrics.json?)`);
  const rows: string[] = [];
  for (const split of ['valid', 'test'] as const) {
    const part = result.metrics[split] as Record<string, unknown> | undefined;
    if (!part || typeof part !== 'object') throw new ConfigError(`${file}: metrics.${split} is missing`);
    const groups = (part.groups ?? {}) as Record<string, unknown>;
    const sampled = (part.sampled100 ?? {}) as Record<string, unknown>;
    const protocols: Array<[string, unknown]> = [
      ['full', part.full],
      ['full_unmasked', part.fullUnmasked],
      ['sampled100_uniform', sampled.uniform],
      ['sampled100_popularity', sampled.popularity],
      ['head_users', groups.headUsers],
      ['tail_users', groups.tailUsers],
      ['head_items', groups.headItems],
      ['tail_items', groups.tailItems],
    ];
    for (const [protocol, values] of protocols) {
      if (values === undefined) continue;
      if (!values || typeof values !== 'object') throw new ConfigError(`${file}: metrics.${split}.${protocol} is not an object of numbers`);
      for (const [metric, value] of Object.entries(values)) {
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(`${file}: metrics.${split}.${protocol}.${metric} is not a number`);
        rows.push(`${seed},${split},${protocol},${csvField(metric)},${value}`);
      }
    }
  }
  return rows;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${file}: unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

// ---- the files --------------------------------------------------------------------------------------

function npyFile(file: string, what: string, data: Float32Array, rows: number, cols: number): Pending {
  return { file, what, shape: [rows, cols], content: npyBytes(data.length === rows * cols ? data : data.subarray(0, rows * cols), [rows, cols]) };
}

function idMap(file: string, entity: Entity, ids: readonly string[]): Pending {
  const lines = [`row\t${entity}_id`, ...ids.map((id, row) => `${row}\t${tsvField(id)}`)];
  return { file, what: `${entity} ids by row (the rows of the vectors and of the *_row columns)`, rows: ids.length, content: `${lines.join('\n')}\n` };
}

/** One line per (row, neighbour): numbers first, so `np.loadtxt(…, usecols=(0, 2, 3))` reads them without the ids. */
function neighbourFile(file: string, entity: Entity, ids: readonly string[], k: number, labels: Int32Array, similarities: Float32Array, what: string): Pending {
  const lines = [`row\trank\tneighbour_row\tsimilarity\t${entity}_id\tneighbour_id`];
  for (let row = 0; row < ids.length; row++) {
    for (let j = 0; j < k; j++) {
      const label = labels[row * k + j];
      if (label < 0) continue;
      lines.push(`${row}\t${j + 1}\t${label}\t${similarities[row * k + j]}\t${tsvField(ids[row])}\t${tsvField(ids[label])}`);
    }
  }
  return { file, what, rows: lines.length - 1, content: `${lines.join('\n')}\n` };
}

/** RecBole atomic file: `<dataset>.item` (descriptions and their claims) or `<dataset>.user` (profiles). */
function atomicFile(dataset: Dataset, texts: EntityTexts): Pending {
  const name = datasetName(dataset);
  const source = texts.source ? `${texts.source.provider}/${texts.source.model}` : 'raw';
  const rows = texts.ids.map((id, i) => {
    const output: SynthesisOutput | undefined = texts.outputs[i];
    const from = output ? source : 'raw';
    if (texts.entity === 'item') {
      const claims = (output as ItemDescription | undefined)?.claims;
      return [id, texts.texts[i], claims?.category ?? '', claims?.brand ?? '', claims?.price_tier ?? '', from];
    }
    const claims = (output as UserProfile | undefined)?.claims;
    return [id, texts.texts[i], claims?.interests.join(' ; ') ?? '', claims?.price_tier ?? '', from];
  });
  const header =
    texts.entity === 'item'
      ? ['item_id:token', 'description:token_seq', 'category:token', 'brand:token', 'price_tier:token', 'source:token']
      : ['user_id:token', 'profile:token_seq', 'interests:token_seq', 'price_tier:token', 'source:token'];
  const lines = [header.join('\t'), ...rows.map((row) => row.map(tsvField).join('\t'))];
  const what =
    texts.entity === 'item'
      ? `RecBole item features: the description each item was embedded from (${texts.fromSynthesis} from ${source}, ${texts.fallback} raw metadata) and its claims`
      : `RecBole user features: each user's profile from the training prefix (${texts.fromSynthesis} from ${source}, ${texts.fallback} raw titles)`;
  return { file: `${name}.${texts.entity}`, what, rows: rows.length, content: `${lines.join('\n')}\n` };
}

/** RecBole names a dataset's files after its folder: a safe version of the dataset's name. */
function datasetName(dataset: Dataset): string {
  return (
    dataset.name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[.-]+/, '')
      .slice(0, 80) || 'dataset'
  );
}

/** Untrusted text as one TSV field: tabs, line breaks and other control characters become spaces. */
export function tsvField(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

/** One CSV field (RFC 4180): control characters become spaces; quoted when it holds a comma or a quote. */
export function csvField(text: string): string {
  const clean = tsvField(text);
  return /[",]/.test(clean) ? `"${clean.replace(/"/g, '""')}"` : clean;
}

function listNames(dir: string, pattern: RegExp): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => pattern.test(name))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Writes the files into `out`: a new or empty folder, or an earlier export (its export.json lists what
 * it wrote; those files are replaced, and the ones this export no longer writes are removed). Any other
 * folder is refused before anything is written.
 */
async function writeExport(out: string, result: ExportJobResult, files: Pending[], ctx: JobContext): Promise<ExportJobResult> {
  const previous = claimOutFolder(out);
  ctx.progress({ message: `Writing ${files.length} files to ${out}`, fraction: 0.9 });
  for (const file of files) await writeFileAtomic(join(out, file.file), file.content);
  const listed = files.map(({ content: _content, ...info }) => info);
  const written = new Set(listed.map((file) => file.file));
  for (const stale of previous.filter((name) => !written.has(name))) await rm(join(out, stale), { force: true });
  await writeFileAtomic(
    join(out, MANIFEST),
    `${JSON.stringify({ format: FORMAT, kind: result.kind, target: result.target, createdAt: new Date().toISOString(), files: listed, notes: result.notes }, null, 1)}\n`,
  );
  ctx.log(`exported ${listed.length} files to ${out}${result.notes.length ? ` (${result.notes.length} note(s))` : ''}`);
  return { ...result, files: listed };
}

/** The files an earlier export listed in `out` (none for a new or empty folder); refuses anything else. */
function claimOutFolder(out: string): string[] {
  if (!existsSync(out)) return [];
  if (!statSync(out).isDirectory()) throw new ConfigError(`${out} is a file, not a folder: choose another --out`);
  const entries = readdirSync(out);
  if (entries.length === 0) return [];
  if (!entries.includes(MANIFEST)) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
    throw new ConfigError(`${out} holds files that are not a GRASP export (${shown}): choose an empty or new folder for --out`);
  }
  const manifest = readJson(join(out, MANIFEST)) as { format?: unknown; files?: Array<{ file?: unknown }> };
  if (manifest.format !== FORMAT || !Array.isArray(manifest.files))
    throw new ConfigError(`${join(out, MANIFEST)} is not a GRASP export manifest: choose an empty or new folder for --out`);
  const names = manifest.files.map((file) => file?.file).filter((name): name is string => typeof name === 'string');
  // only plain names an export writes: a manifest naming ../x or a path must not steer the removal
  const foreign = entries.filter((name) => name !== MANIFEST && !names.includes(name) && !/\.tmp-\d+-[a-z0-9]+$/.test(name));
  if (foreign.length > 0)
    throw new ConfigError(`${out} holds files this export did not write (${foreign.slice(0, 5).join(', ')}): choose an empty or new folder for --out`);
  return names.filter((name) => /^[A-Za-z0-9._-]+$/.test(name) && entries.includes(name));
}
