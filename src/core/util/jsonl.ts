import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

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
 * Appends one JSON record per line with a single write(2) each, so a SIGKILL loses at most the
 * record being written and never damages earlier ones. The kernel keeps written data when the
 * process dies, so no fsync is needed for that (only for power loss, which is not the threat here).
 */
export class JsonlAppender {
  private fd: number;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a+');
    // A torn last line from a killed writer: start on a fresh line so the next record stays whole.
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(this.fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) writeSync(this.fd, '\n');
    }
  }

  append(record: unknown): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
