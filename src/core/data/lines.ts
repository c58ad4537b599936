import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { CancelledError } from '../jobs/context';
import { DataError } from './errors';

/** Consecutive lines of a file; `first` is the 1-based number of lines[0]. */
export interface LineBatch {
  first: number;
  lines: string[];
}

export interface ReadLinesOptions {
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  isCancelled?: () => boolean;
  chunkBytes?: number;
}

const NEWLINE = 0x0a;

/** Checks the file exists and is a regular file; returns its size. */
export async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new DataError(path, undefined, 'a file', 'a folder or special file');
    return info.size;
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(path, undefined, 'an existing readable file', describeFsError(error));
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  return code ?? String(error);
}

/**
 * Streams a text file as batches of lines, so memory stays bounded by the chunk size and not
 * the file size. Every byte must be valid UTF-8: decoding with `fatal` makes a bad byte an error
 * that names its line instead of a silent U+FFFD. A leading BOM and trailing `\r` are dropped.
 */
export async function* readLineBatches(path: string, options: ReadLinesOptions = {}): AsyncGenerator<LineBatch> {
  const total = await fileSize(path);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  let carry: Buffer = Buffer.alloc(0);
  let lineNumber = 0;
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.isCancelled?.()) throw new CancelledError();
      bytesRead += chunk.length;
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const lastNewline = data.lastIndexOf(NEWLINE);
      if (lastNewline < 0) {
        carry = data;
        continue;
      }
      carry = data.subarray(lastNewline + 1);
      const batch = decodeLines(path, data.subarray(0, lastNewline), lineNumber, decoder);
      lineNumber += batch.lines.length;
      options.onProgress?.(bytesRead, total);
      yield batch;
    }
    if (carry.length > 0) {
      yield decodeLines(path, carry, lineNumber, decoder);
    }
    options.onProgress?.(total, total);
  } finally {
    stream.destroy();
  }
}

function decodeLines(path: string, bytes: Buffer, linesBefore: number, decoder: TextDecoder): LineBatch {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw locateInvalidUtf8(path, bytes, linesBefore);
  }
  if (linesBefore === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (text.includes('\r')) for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
  return { first: linesBefore + 1, lines };
}

function locateInvalidUtf8(path: string, bytes: Buffer, linesBefore: number): DataError {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let line = linesBefore + 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    try {
      strict.decode(bytes.subarray(start, end));
    } catch {
      return new DataError(path, line, 'UTF-8 text', 'bytes that are not valid UTF-8');
    }
    start = end + 1;
    line += 1;
  }
  return new DataError(path, line, 'UTF-8 text', 'bytes that are not valid UTF-8');
}

/** Reads a whole (small) file as UTF-8 text, with the same checks and error messages. */
export async function readTextFile(path: string): Promise<string> {
  const parts: string[] = [];
  for await (const batch of readLineBatches(path)) parts.push(batch.lines.join('\n'));
  return parts.join('\n');
}
