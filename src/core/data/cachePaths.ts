// Where a dataset's caches live, and the check that a cache folder belongs to the dataset being read.
// A cache belongs to exactly one dataset: the canonical (real) path of the interactions file it loads.
// A folder and the file it loads (`data`, `data/demo.inter`) are one dataset with one cache; two
// folders whose readable names agree (`a-b` and `a/b`) never share one, because the folder name ends
// with a hash of that canonical path, and an identity file inside says whose cache it is.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync, realpathSync, renameSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomicSync } from '../util/atomicWrite';
import { ConfigError } from '../util/errors';
import { sha256Hex } from '../util/hash';
import { cacheRoot, datasetWorkspace } from '../util/workspace';
import { chooseDatasetFiles } from './detect';
import { excerpt } from './errors';

export interface CachePaths {
  /** `<workspace>/.grasp`, or the given cache folder. Holds `templates/`, `runs/` and `datasets/`. */
  root: string;
  /** `<root>/datasets/<slug>-<hash>`: this dataset's synthesis caches, embeddings and indexes. */
  dataset: string;
  /** The canonical interactions file the cache belongs to; undefined when the dataset path resolves to none (then nothing was checked). */
  interactions?: string;
}

/** The identity file in a dataset's cache folder. */
export const CACHE_IDENTITY_FILE = 'dataset.json';
const IDENTITY_VERSION = 1;
/** Bytes hashed at each end of the interactions file: a cheap fingerprint, not a full hash of gigabytes. */
const FINGERPRINT_BYTES = 64 * 1024;
const HASH_CHARS = 10;
const MAX_SLUG = 80;

export interface DatasetFingerprint {
  size: number;
  /** sha256 of the first and last 64 KiB */
  sha256: string;
}

export interface CacheIdentity {
  v: typeof IDENTITY_VERSION;
  /** Canonical (real) path of the interactions file. */
  interactions: string;
  /** The file when the cache was claimed: tells "this dataset changed" apart from "another dataset". */
  fingerprint: DatasetFingerprint;
  claimedAt: string;
}

/**
 * Where a dataset's caches live, checked to be this dataset's. The workspace is the nearest folder at
 * or above the dataset that holds `.grasp`, `.git` or `.vscode`; failing that, the dataset's own
 * folder. A cache folder replaces `<workspace>/.grasp` (for read-only data). The dataset's folder is
 * `<root>/datasets/<readable slug>-<10 hex of sha256(canonical interactions path)>`.
 *
 * When that folder exists, its identity file must name this dataset: one naming another is a
 * ConfigError naming both, and the folder is left as it is; a folder without one is claimed. A
 * folder that does not exist yet is not created here: writers create it, the next access claims it.
 */
export function cachePaths(datasetPath: string, cacheDir?: string): CachePaths {
  const given = resolve(datasetPath);
  const root = cacheRoot(given, cacheDir);
  const workspace = datasetWorkspace(given);
  const file = interactionsFile(given);
  if (file === undefined) {
    // Missing, or a folder without interactions: loading it fails with the reason; nothing to check or claim.
    return { root, dataset: join(root, 'datasets', `${slug(readableName(workspace, given))}-${shortHash(given)}`) };
  }
  const interactions = realpathSync(file);
  // Both parts from canonical paths: a dataset reached through a symlink keeps its one cache.
  const dataset = join(root, 'datasets', `${slug(readableName(realpathSync(workspace), interactions))}-${shortHash(interactions)}`);
  if (!existsSync(dataset)) adoptLegacyCache(root, dataset, legacyNames(workspace, given, file));
  if (existsSync(dataset)) checkOrClaim(dataset, interactions);
  return { root, dataset, interactions };
}

/**
 * Refuses cached rows (an embedding's ids) that are not the dataset's, in order: they would be read
 * as another dataset's neighbours under this one's titles. `rebuild` says how to make them again
 * ("rebuild it with …").
 */
export function assertCachedIds(
  paths: CachePaths,
  file: string,
  entity: 'item' | 'user',
  cached: readonly string[],
  current: readonly string[],
  rebuild: string,
): void {
  let row = 0;
  while (row < cached.length && row < current.length && cached[row] === current[row]) row++;
  if (row === cached.length && row === current.length) return;
  const where = paths.interactions ?? 'the dataset';
  const difference =
    cached.length !== current.length
      ? `${cached.length} ${entity}s there, ${current.length} in ${where}`
      : `${entity} ${row + 1} is ${excerpt(cached[row])} there, ${excerpt(current[row])} in ${where}`;
  const changed = datasetChanged(paths) ? `; ${where} has changed since this cache was created` : '';
  throw new ConfigError(`${file} was built for other ${entity}s than this dataset's (${difference})${changed}: ${rebuild}`);
}

/** Whether the interactions file differs from the one the cache was claimed for (size or end bytes); false when unknown. */
export function datasetChanged(paths: CachePaths): boolean {
  if (!paths.interactions) return false;
  const identity = readIdentity(join(paths.dataset, CACHE_IDENTITY_FILE));
  if (!identity || identity.interactions !== paths.interactions) return false;
  try {
    const now = fingerprint(paths.interactions);
    return now.size !== identity.fingerprint.size || now.sha256 !== identity.fingerprint.sha256;
  } catch {
    return false;
  }
}

/**
 * The canonical (real) path of the interactions file a dataset path loads, or undefined when it loads
 * none: the identity a cache (and a run's `data.path`) is matched by, without claiming or checking any
 * cache folder. `data` and `data/demo.inter` give the same path; a symlinked dataset gives its target.
 */
export function canonicalInteractions(datasetPath: string): string | undefined {
  const file = interactionsFile(resolve(datasetPath));
  if (file === undefined) return undefined;
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/** The interactions file a dataset path loads (the loader's choice in a folder), or undefined. */
function interactionsFile(path: string): string | undefined {
  let info: Stats;
  try {
    info = statSync(path);
  } catch {
    return undefined;
  }
  if (info.isFile()) return path;
  // A FIFO, socket or device is no dataset (the loader says so); never opened here.
  if (!info.isDirectory()) return undefined;
  let names: string[];
  try {
    names = readdirSync(path, { withFileTypes: true })
      .filter((entry) => !entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return undefined;
  }
  const chosen = chooseDatasetFiles(names).interactions;
  if (chosen === undefined) return undefined;
  // Only a regular file is fingerprinted: opening a FIFO with no writer would block for ever.
  try {
    return statSync(join(path, chosen)).isFile() ? join(path, chosen) : undefined;
  } catch {
    return undefined;
  }
}

function checkOrClaim(dir: string, interactions: string): void {
  const file = join(dir, CACHE_IDENTITY_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new ConfigError(`${file}: unreadable cache identity (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    claim(file, interactions);
    return;
  }
  const identity = parseIdentity(text);
  if (!identity) throw new ConfigError(`${file} is not a GRASP cache identity: move ${dir} away (its caches cannot be told to be this dataset's)`);
  if (identity.interactions !== interactions) {
    throw new ConfigError(
      `the cache folder ${dir} belongs to the dataset ${excerpt(identity.interactions, 200)}, not to ${excerpt(interactions, 200)}: it is not used; move it away, or give this dataset another --cache-dir`,
    );
  }
}

function claim(file: string, interactions: string): void {
  const identity: CacheIdentity = { v: IDENTITY_VERSION, interactions, fingerprint: fingerprint(interactions), claimedAt: new Date().toISOString() };
  try {
    writeFileAtomicSync(file, `${JSON.stringify(identity, null, 1)}\n`);
  } catch (error) {
    // A read-only cache (shared, or on read-only media) is still read; the next writable access claims it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error;
  }
}

function readIdentity(file: string): CacheIdentity | undefined {
  try {
    return parseIdentity(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseIdentity(text: string): CacheIdentity | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const identity = value as Partial<CacheIdentity> | null;
  if (!identity || typeof identity !== 'object' || identity.v !== IDENTITY_VERSION || typeof identity.interactions !== 'string') return undefined;
  const print = identity.fingerprint as Partial<DatasetFingerprint> | undefined;
  if (!print || typeof print.size !== 'number' || typeof print.sha256 !== 'string') return undefined;
  return identity as CacheIdentity;
}

/** Size and a hash of both ends of the file: catches edits, appends and truncations without reading gigabytes. */
export function fingerprint(path: string): DatasetFingerprint {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const hash = createHash('sha256');
    const read = (position: number, length: number): void => {
      const buffer = Buffer.alloc(length);
      const bytes = readSync(fd, buffer, 0, length, position);
      hash.update(buffer.subarray(0, bytes));
    };
    read(0, Math.min(size, FINGERPRINT_BYTES));
    if (size > FINGERPRINT_BYTES) read(Math.max(FINGERPRINT_BYTES, size - FINGERPRINT_BYTES), Math.min(FINGERPRINT_BYTES, size - FINGERPRINT_BYTES));
    return { size, sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/**
 * Before identities, a dataset's cache was `<root>/datasets/<slug of its path in the workspace>`,
 * which a folder and the file it loads did not share and `a-b` and `a/b` did. Such a folder holds
 * paid-for synthesis, so it is adopted (renamed to the new name and claimed) rather than abandoned:
 * only when it has no identity file (no newer dataset owns it) and the new folder does not exist yet
 * (nothing is merged or overwritten). A legacy folder two datasets wrote into goes to whichever asks
 * first; embeddings read from it are still checked against the dataset's ids.
 */
function adoptLegacyCache(root: string, target: string, names: string[]): void {
  for (const name of names) {
    const legacy = join(root, 'datasets', name);
    if (legacy === target || !isFolder(legacy) || existsSync(join(legacy, CACHE_IDENTITY_FILE))) continue;
    try {
      renameSync(legacy, target);
    } catch {
      // Another process adopted it (or made the new folder) first: the caller checks what is there now.
    }
    return;
  }
}

/** The legacy folder names of this dataset: as given, as its interactions file, and as the folder that loads that file. */
function legacyNames(workspace: string, given: string, file: string): string[] {
  const paths = [given, file];
  const folder = dirname(file);
  if (interactionsFile(folder) === file) paths.push(folder);
  return [...new Set(paths.map((path) => legacySlug(readableName(workspace, path))))];
}

/** The path inside the workspace, or the base name when it lies outside. */
function readableName(workspace: string, path: string): string {
  const inside = relative(workspace, path);
  return inside && !inside.startsWith('..') ? inside : basename(path);
}

function shortHash(canonical: string): string {
  return sha256Hex(canonical).slice(0, HASH_CHARS);
}

/** A readable folder name from a path; untrusted text, so reduced to a safe alphabet. Not unique: the hash is. */
function slug(path: string): string {
  return legacySlug(path).slice(0, MAX_SLUG);
}

/** The whole cache folder name before identities (kept exactly, to find those folders). */
function legacySlug(path: string): string {
  const cleaned = path
    .split(sep)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.-]+/, '');
  return cleaned || 'dataset';
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
