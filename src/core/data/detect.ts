import type { Dirent, Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { DataError, excerpt } from './errors';
import { describeFsError, fileSize, notRegularFile } from './lines';
import type { InteractionFormat } from './types';

export interface DatasetFiles {
  interactions: string;
  metadata: string[];
}

const METADATA_NAME = /(^|[_.-])items?([_.-]|$)|item2|item_text|\.item(\.json)?$|meta/i;
// grasp.annotations.jsonl holds people's verdicts on texts: a JSON-lines file, but never interactions.
const IGNORED = /^(readme|license|licence|changelog)|\.(md|yaml|yml|py|sh|gz|zip)$|^\.|(^|[._-])annotations\.jsonl$/i;

/**
 * Resolves a dataset path: a file is the interactions file; in a folder the interactions file
 * is chosen by name (RecBole `.inter` first) and item metadata files are collected beside it.
 */
export async function findDatasetFiles(path: string): Promise<DatasetFiles> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw new DataError(path, undefined, 'an existing dataset file or folder', describeFsError(error));
  }
  // Checked before anything is opened: opening a FIFO with no writer blocks forever.
  if (info.isFile()) return { interactions: path, metadata: await siblingMetadata(path) };
  if (!info.isDirectory()) throw notRegularFile(path, info);
  const entries = await readdir(path, { withFileTypes: true });
  // Subfolders (caches, runs) are not dataset files; a FIFO or socket with a dataset name is, and fails when checked below.
  const { interactions, metadata } = chooseDatasetFiles(entries.filter((entry) => !entry.isDirectory()).map((entry) => entry.name));
  if (interactions === undefined) {
    throw new DataError(path, undefined, 'an interactions file (.inter, .inter.json, .jsonl, .txt, .csv, .tsv)', describeContents(entries));
  }
  // Metadata files get the same check when (and if) they are read.
  await fileSize(join(path, interactions));
  return { interactions: join(path, interactions), metadata: metadata.map((name) => join(path, name)) };
}

/**
 * The choice `findDatasetFiles` makes in a folder, from the names of its non-folder entries alone
 * (no I/O): the interactions file by name (RecBole `.inter` first) and the item metadata files. A
 * synchronous caller (where a dataset's caches live) shares it, so a folder and the file it loads
 * are one dataset. `interactions` is undefined when no name looks like one.
 */
export function chooseDatasetFiles(fileNames: readonly string[]): { interactions: string | undefined; metadata: string[] } {
  const names = fileNames.filter((name) => !IGNORED.test(name)).sort();
  const metadata = names.filter((name) => METADATA_NAME.test(name) && !name.endsWith('.inter') && !name.endsWith('.user'));
  const candidates = names.filter((name) => !metadata.includes(name) && !name.endsWith('.user'));
  const rank = (name: string): number => {
    const order = ['.inter', '.inter.json', '.jsonl', '.txt', '.csv', '.tsv', '.json'];
    const index = order.findIndex((suffix) => name.endsWith(suffix));
    return index < 0 ? order.length : index;
  };
  const interactions = candidates.filter((name) => rank(name) < 7).sort((a, b) => rank(a) - rank(b))[0];
  return { interactions, metadata };
}

const LISTED_ENTRIES = 10;

/** What a folder holds, for an error message: names are untrusted, so quoted and shortened, and a few only. */
function describeContents(entries: Dirent[]): string {
  if (entries.length === 0) return 'none: the folder is empty';
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = sorted.slice(0, LISTED_ENTRIES).map((entry) => `${excerpt(entry.name, 40)}${entry.isDirectory() ? ' (folder)' : ''}`);
  const more = entries.length > LISTED_ENTRIES ? ` and ${entries.length - LISTED_ENTRIES} more` : '';
  return `none; the folder holds ${names.join(', ')}${more}`;
}

/** RecBole's convention for a single file: `name.inter` comes with `name.item` (or `name.item.json`) beside it. */
async function siblingMetadata(path: string): Promise<string[]> {
  const stem = basename(path).replace(/(\.inter)?(\.[a-z]+)$/i, '');
  const siblings = await readdir(dirname(path)).catch(() => [] as string[]);
  return [`${stem}.item`, `${stem}.item.json`].filter((name) => siblings.includes(name)).map((name) => join(dirname(path), name));
}

/** Guesses the format of an interactions file from its name and first lines. */
export async function detectFormat(path: string): Promise<InteractionFormat> {
  const name = basename(path).toLowerCase();
  if (name.endsWith('.inter')) return 'recbole';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (name.endsWith('.json')) return 'json-seq';
  const head = await readHead(path);
  const lines = head
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
  if (lines.length === 0) return extname(name) === '.csv' ? 'csv' : 'pairs';
  if (lines[0].split('\t').every((field) => /^[^:\s]+:[a-z_]+$/i.test(field.trim()))) return 'recbole';
  if (lines[0].trimStart().startsWith('{')) return 'jsonl';
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.tsv') || lines[0].includes('\t')) return 'tsv';
  if (lines[0].includes(',')) return 'csv';
  const sample = lines.slice(0, 200);
  return sample.some((line) => line.trim().split(/\s+/).length > 2) ? 's3rec' : 'pairs';
}

async function readHead(path: string, bytes = 64 * 1024): Promise<string> {
  await fileSize(path);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new DataError(path, undefined, 'an existing readable file', describeFsError(error));
  }
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    // The last line may be cut mid-way; detection only needs whole lines.
    return bytesRead === bytes ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}
