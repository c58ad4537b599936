import { closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from './errors';

export interface JsonlContents<T> {
  records: T[];
  /** Lines that did not parse: at most the last one after a kill mid-write; more means damage. */
  badLines: number[];
}

/**
 * Reads an append-only JSONL file. A process killed mid-append can leave one torn last line;
 * it is skipped (and reported) rather than failing the whole cache.
 */
export async function readJsonl<T>(path: string, accept: (value: unknown) => value is T): Promise<JsonlContents<T>> {
  if (!existsSync(path)) return { records: [], badLines: [] };
  const text = await readFile(path, 'utf8');
  const records: T[] = [];
  const badLines: number[] = [];
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    try {
      const value: unknown = JSON.parse(raw);
      if (accept(value)) records.push(value);
      else badLines.push(line);
    } catch {
      badLines.push(line);
    }
  }
  return { records, badLines };
}

/**
 * Opens for appending without following a symbolic link at the path (O_NOFOLLOW): a link planted
 * where a cache, journal or log belongs would otherwise make every append land in its target.
 */
export function openAppendOnly(path: string): number {
  try {
    return openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0), 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK')
      throw new ConfigError(`${path} is a symbolic link: refusing to append through it (replace it with a regular file)`);
    throw error;
  }
}

/**
 * Appends one JSON record per line with a single write(2) each, so a SIGKILL loses at most the
 * record being written and never damages earlier ones. The kernel keeps written data when the
 * process dies, so no fsync is needed for that (only for power loss, which is not the threat here).
 */
export class JsonlAppender {
  private descriptor: number;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.descriptor = openAppendOnly(path);
    // A torn last line from a killed writer: start on a fresh line so the next record stays whole.
    const size = fstatSync(this.descriptor).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(this.descriptor, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) writeSync(this.descriptor, '\n');
    }
  }

  /** the open file (for its size); -1 once closed */
  get fd(): number {
    return this.descriptor;
  }

  append(record: unknown): void {
    writeSync(this.descriptor, `${JSON.stringify(record)}\n`);
  }

  /**
   * Several records in one write(2), for a reply that carries many (an embedding batch). A kill mid-write
   * can only tear the last line, as with append: the whole lines before it are kept.
   */
  appendAll(records: readonly unknown[]): void {
    if (records.length > 0) writeSync(this.descriptor, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
  }

  close(): void {
    if (this.descriptor >= 0) closeSync(this.descriptor);
    this.descriptor = -1;
  }
}
