import { basename } from 'node:path';
import { normaliseColumnName, resolveColumns, splitCsvLine } from './columns';
import { DataError, excerpt } from './errors';
import { locateJsonError } from './jsonErrors';
import { readLineBatches, readTextFile } from './lines';
import type { ItemMetadata } from './types';

type RawMetadata = Map<string, Record<string, string>>;

/**
 * Loads item metadata files (TSV/CSV with a header, RecBole `.item`, or a JSON object keyed by
 * item) and aligns them with the dataset's dense item ids. Several files merge field by field.
 */
export async function loadItemMetadata(paths: string[], itemIds: string[]): Promise<ItemMetadata> {
  const denseOf = new Map(itemIds.map((raw, dense) => [raw, dense]));
  const rows: Array<Record<string, string> | undefined> = new Array(itemIds.length).fill(undefined);
  const fields: string[] = [];
  const unmatched = new Set<string>();
  for (const path of paths) {
    const raw = path.toLowerCase().endsWith('.json') ? await readJsonMetadata(path) : await readTableMetadata(path);
    for (const [item, record] of raw) {
      for (const field of Object.keys(record)) if (!fields.includes(field)) fields.push(field);
      const dense = denseOf.get(item);
      if (dense === undefined) {
        unmatched.add(item);
        continue;
      }
      rows[dense] = { ...rows[dense], ...record };
    }
  }
  return { sources: paths, fields, rows, unmatchedItems: unmatched.size };
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value))
    return value
      .map(stringify)
      .filter((part) => part !== '')
      .join(' ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

async function readJsonMetadata(path: string): Promise<RawMetadata> {
  const text = await readTextFile(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const located = locateJsonError(text);
    throw new DataError(path, located?.line, 'a JSON object keyed by item id', located?.reason ?? (error as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DataError(path, 1, 'a JSON object keyed by item id', excerpt(text.slice(0, 40)));
  }
  // A bare value per item (e.g. a list of attribute ids) becomes one field named after the file.
  const bareField = /attribute/i.test(basename(path)) ? 'attributes' : 'text';
  const result: RawMetadata = new Map();
  for (const [item, value] of Object.entries(parsed)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      result.set(item, Object.fromEntries(Object.entries(value).map(([field, v]) => [field, stringify(v)])));
    } else {
      result.set(item, { [bareField]: stringify(value) });
    }
  }
  return result;
}

async function readTableMetadata(path: string): Promise<RawMetadata> {
  const delimiter = path.toLowerCase().endsWith('.csv') ? ',' : '\t';
  const result: RawMetadata = new Map();
  let header: string[] | undefined;
  let keyColumn = 0;
  for await (const batch of readLineBatches(path)) {
    for (const [index, text] of batch.lines.entries()) {
      const line = { text, number: batch.first + index };
      if (line.text.trim() === '') continue;
      const cells = splitCsvLine(line.text, delimiter);
      if (cells === undefined) throw new DataError(path, line.number, 'a closing quote', excerpt(line.text));
      if (header === undefined) {
        header = cells.map(normaliseColumnName);
        keyColumn = resolveColumns(cells).columns.item ?? 0;
        continue;
      }
      if (cells.length !== header.length) {
        throw new DataError(path, line.number, `${header.length} columns like the header`, `${cells.length}: ${excerpt(line.text)}`);
      }
      const record: Record<string, string> = {};
      cells.forEach((cell, column) => {
        if (column !== keyColumn) record[header![column]] = cell.trim();
      });
      result.set(cells[keyColumn].trim(), record);
    }
  }
  if (header === undefined) throw new DataError(path, undefined, 'a header row and item rows', 'an empty file');
  return result;
}
