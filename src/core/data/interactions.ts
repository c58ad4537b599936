import { CancelledError } from '../util/jobContext';
import { resolveColumns, splitCsvLine, type ResolvedColumns } from './columns';
import { DataError, excerpt } from './errors';
import { locateJsonError } from './jsonErrors';
import { readLineBatches, readTextFile } from './lines';
import { InteractionCollector } from './collector';
import type { InteractionFormat, LoadOptions } from './types';

type ReadOptions = Pick<LoadOptions, 'columns' | 'onProgress' | 'isCancelled'> & { hasHeader?: boolean };

/** Reads an interactions file in the given (already detected) format. */
export async function readInteractions(path: string, format: InteractionFormat, options: ReadOptions = {}): Promise<InteractionCollector> {
  const collector = await READERS[format](path, options);
  if (collector.count === 0) throw new DataError(path, undefined, `at least one interaction (${format} format)`, 'none: the file is empty');
  return collector;
}

const READERS: Record<InteractionFormat, (path: string, options: ReadOptions) => Promise<InteractionCollector>> = {
  s3rec: readSequences,
  pairs: readPairs,
  recbole: (path, options) => readDelimited(path, '\t', options, true),
  tsv: (path, options) => readDelimited(path, '\t', options, false),
  csv: (path, options) => readDelimited(path, ',', options, false),
  jsonl: readJsonLines,
  'json-seq': readJsonSequences,
};

interface Line {
  text: string;
  number: number;
}

/**
 * Calls `each` for every non-blank line. Batches arrive asynchronously but lines within one are
 * handled synchronously: one await per megabyte, not one per line.
 */
async function forEachLine(path: string, options: ReadOptions, each: (line: Line) => void): Promise<void> {
  const line: Line = { text: '', number: 0 };
  for await (const batch of readLineBatches(path, options)) {
    for (let i = 0; i < batch.lines.length; i++) {
      line.text = batch.lines[i];
      if (line.text.trim() === '') continue;
      line.number = batch.first + i;
      each(line);
    }
  }
}

const INTEGER = /^\d+$/;

/** S3-Rec: `user item item …`, integer ids, items in time order. */
async function readSequences(path: string, options: ReadOptions): Promise<InteractionCollector> {
  const collector = new InteractionCollector(false);
  await forEachLine(path, options, (line) => {
    const tokens = line.text.trim().split(/\s+/);
    if (tokens.length < 2) throw new DataError(path, line.number, 'a user id followed by at least one item id', excerpt(line.text));
    const bad = tokens.find((token) => !INTEGER.test(token));
    if (bad !== undefined) throw new DataError(path, line.number, 'non-negative integer ids (s3rec format)', excerpt(bad));
    for (let i = 1; i < tokens.length; i++) collector.add(tokens[0], tokens[i]);
  });
  return collector;
}

/** `user item` per line; file order is time order. */
async function readPairs(path: string, options: ReadOptions): Promise<InteractionCollector> {
  const collector = new InteractionCollector(false);
  await forEachLine(path, options, (line) => {
    const tokens = line.text.trim().split(/\s+/);
    if (tokens.length !== 2) throw new DataError(path, line.number, '2 columns (user item)', `${tokens.length}: ${excerpt(line.text)}`);
    collector.add(tokens[0], tokens[1]);
  });
  return collector;
}

async function readDelimited(path: string, delimiter: string, options: ReadOptions, recbole: boolean): Promise<InteractionCollector> {
  let header: string[] | undefined;
  let columns: ResolvedColumns | undefined;
  let collector: InteractionCollector | undefined;
  const hasHeader = recbole || options.hasHeader !== false;
  await forEachLine(path, options, (line) => {
    const fields = splitCsvLine(line.text, delimiter);
    if (fields === undefined) throw new DataError(path, line.number, 'a closing quote', `an unterminated quoted field: ${excerpt(line.text)}`);
    if (header === undefined) {
      header = hasHeader ? fields : fields.map((_, index) => String(index));
      if (recbole && !fields.every((name) => /^[^:]+:[a-z_]+$/i.test(name.trim()))) {
        throw new DataError(path, line.number, 'a RecBole header of name:type columns (e.g. user_id:token)', excerpt(line.text));
      }
      const resolved = resolveColumns(header, hasHeader ? options.columns : { user: '0', item: '1', ...options.columns });
      if (resolved.missing.length > 0) {
        throw new DataError(path, line.number, resolved.missing.join('; '), `header ${excerpt(line.text, 120)}`);
      }
      columns = resolved.columns as ResolvedColumns;
      collector = new InteractionCollector(columns.timestamp !== undefined);
      if (hasHeader) return;
    }
    if (fields.length !== header.length) {
      throw new DataError(path, line.number, `${header.length} columns like the header`, `${fields.length}: ${excerpt(line.text)}`);
    }
    addRow(path, line.number, fields, columns!, collector!);
  });
  if (collector === undefined) throw new DataError(path, undefined, 'a header and interaction rows', 'an empty file');
  if (hasHeader && collector.count === 0) throw new DataError(path, undefined, 'interaction rows after the header', 'a header but no interactions');
  return collector;
}

function addRow(path: string, lineNumber: number, fields: string[], columns: ResolvedColumns, collector: InteractionCollector): void {
  const user = fields[columns.user].trim();
  const item = fields[columns.item].trim();
  if (user === '' || item === '') throw new DataError(path, lineNumber, 'non-empty user and item ids', excerpt(fields.join(' ')));
  if (columns.rating !== undefined) parseNumber(path, lineNumber, fields[columns.rating], 'a numeric rating');
  const time = columns.timestamp === undefined ? 0 : parseTime(path, lineNumber, fields[columns.timestamp]);
  collector.add(user, item, time);
}

function parseNumber(path: string, lineNumber: number, text: string | undefined, expected: string): number {
  const value = text === undefined || text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new DataError(path, lineNumber, expected, excerpt(String(text ?? '')));
  return value;
}

/** Numeric timestamps (any unit) or ISO 8601 dates. */
function parseTime(path: string, lineNumber: number, text: string | undefined): number {
  const trimmed = (text ?? '').trim();
  const numeric = trimmed === '' ? NaN : Number(trimmed);
  if (Number.isFinite(numeric)) return numeric;
  const date = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : NaN;
  if (Number.isFinite(date)) return date / 1000;
  throw new DataError(path, lineNumber, 'a numeric timestamp or an ISO date', excerpt(trimmed));
}

async function readJsonLines(path: string, options: ReadOptions): Promise<InteractionCollector> {
  let columns: ResolvedColumns | undefined;
  let keys: string[] = [];
  let collector: InteractionCollector | undefined;
  await forEachLine(path, options, (line) => {
    let record: unknown;
    try {
      record = JSON.parse(line.text);
    } catch {
      throw new DataError(path, line.number, 'one JSON object per line', excerpt(line.text));
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new DataError(path, line.number, 'a JSON object', excerpt(line.text));
    }
    if (columns === undefined) {
      keys = Object.keys(record);
      const resolved = resolveColumns(keys, options.columns);
      if (resolved.missing.length > 0) throw new DataError(path, line.number, resolved.missing.join('; '), `keys ${excerpt(keys.join(', '), 120)}`);
      columns = resolved.columns as ResolvedColumns;
      collector = new InteractionCollector(columns.timestamp !== undefined);
    }
    const values = record as Record<string, unknown>;
    const fields = keys.map((key) => {
      const value = values[key];
      return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
    });
    addRow(path, line.number, fields, columns, collector!);
  });
  if (collector === undefined) throw new DataError(path, undefined, 'JSON objects, one per line', 'an empty file');
  return collector;
}

/** `{ "user": [item, …], … }` with items in time order (LC-Rec / LETTER style). */
async function readJsonSequences(path: string, options: ReadOptions): Promise<InteractionCollector> {
  const text = await readTextFile(path);
  if (options.isCancelled?.()) throw new CancelledError();
  if (text.trim() === '') throw new DataError(path, 1, 'a JSON object {user: [items]}', 'an empty file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const located = locateJsonError(text);
    throw new DataError(path, located?.line, 'valid JSON', located?.reason ?? (error as Error).message);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DataError(path, 1, 'a JSON object mapping each user to an array of items', excerpt(text.slice(0, 40)));
  }
  const collector = new InteractionCollector(false);
  for (const [user, items] of Object.entries(parsed)) {
    if (!Array.isArray(items) || items.some((item) => typeof item !== 'string' && typeof item !== 'number')) {
      throw new DataError(path, lineOfKey(text, user), `an array of item ids for user ${excerpt(user)}`, excerpt(JSON.stringify(items)));
    }
    for (const item of items) collector.add(user, String(item));
  }
  options.onProgress?.(text.length, text.length);
  return collector;
}

function lineOfKey(text: string, key: string): number | undefined {
  const index = text.indexOf(JSON.stringify(key));
  return index < 0 ? undefined : text.slice(0, index).split('\n').length;
}
