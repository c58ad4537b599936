import { constants as bufferConstants } from 'node:buffer';
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { CancelledError } from '../util/jobContext';
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
  /** Every line (its line break excluded) must be shorter than this many bytes. */
  lineLimitBytes?: number;
}

/**
 * No line of an interactions or metadata file comes near this; a file that does is not line data
 * (a binary, a dump without line breaks), and stopping there keeps memory bounded by it.
 */
export const DEFAULT_LINE_LIMIT_BYTES = 64 * 1024 * 1024;

const NEWLINE = 0x0a;

/** Checks the file exists and is a regular file; returns its size. Reads nothing, so a FIFO cannot block. */
export async function fileSize(path: string): Promise<number> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    throw new DataError(path, undefined, 'an existing readable file', describeFsError(error));
  }
  if (!info.isFile()) throw notRegularFile(path, info);
  return info.size;
}

export function notRegularFile(path: string, info: Stats): DataError {
  return new DataError(path, undefined, 'a regular file', `${fileKind(info)}, not a regular file`);
}

function fileKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'a special file';
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  return code ?? String(error);
}

/**
 * Streams a text file as batches of lines, so memory stays bounded by the chunk size and the line
 * limit, not the file size. Every byte must be valid UTF-8: decoding with `fatal` makes a bad byte an
 * error that names its line instead of a silent U+FFFD. A leading BOM and trailing `\r` are dropped.
 */
export async function* readLineBatches(path: string, options: ReadLinesOptions = {}): AsyncGenerator<LineBatch> {
  const total = await fileSize(path);
  const limit = options.lineLimitBytes ?? DEFAULT_LINE_LIMIT_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const stream = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1 << 20 });
  // The unfinished last line is kept as the chunks that hold it and joined once, when its line break
  // arrives: joining on every chunk would copy a long line again and again (quadratic time).
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let lineNumber = 0;
  let bytesRead = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.isCancelled?.()) throw new CancelledError();
      bytesRead += chunk.length;
      const lastNewline = chunk.lastIndexOf(NEWLINE);
      if (lastNewline < 0) {
        partial.push(chunk);
        partialBytes += chunk.length;
      } else {
        partial.push(chunk.subarray(0, lastNewline));
        const data = partial.length === 1 ? partial[0] : Buffer.concat(partial);
        const rest = chunk.subarray(lastNewline + 1);
        partial = rest.length > 0 ? [rest] : [];
        partialBytes = rest.length;
        const long = findLongLine(data, limit);
        if (long !== undefined) {
          // The lines before it go first, so an earlier problem is still reported first.
          if (long.offset > 0) yield decodeLines(path, data.subarray(0, long.offset - 1), lineNumber, decoder);
          throw lineTooLong(path, lineNumber + long.index + 1, limit, `a line of ${long.bytes} bytes`);
        }
        const batch = decodeLines(path, data, lineNumber, decoder);
        lineNumber += batch.lines.length;
        options.onProgress?.(bytesRead, total);
        yield batch;
      }
      if (partialBytes >= limit) throw lineTooLong(path, lineNumber + 1, limit, `${partialBytes} bytes without a line break`);
    }
    if (partialBytes > 0) {
      yield decodeLines(path, Buffer.concat(partial), lineNumber, decoder);
    }
    options.onProgress?.(total, total);
  } finally {
    stream.destroy();
  }
}

function lineTooLong(path: string, line: number, limit: number, found: string): DataError {
  return new DataError(path, line, `a line shorter than ${limit} bytes`, found);
}

/** The first line of `bytes` (line breaks at 0x0a) that is `limit` bytes or longer. */
function findLongLine(bytes: Buffer, limit: number): { offset: number; index: number; bytes: number } | undefined {
  if (bytes.length < limit) return undefined;
  let start = 0;
  for (let index = 0; start <= bytes.length; index++) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    if (end - start >= limit) return { offset: start, index, bytes: end - start };
    start = end + 1;
  }
  return undefined;
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

/**
 * Reads a whole (small) file as UTF-8 text, with the same checks and error messages. A JSON file may
 * be one long line, so the only limit is the longest string the JavaScript engine can hold.
 */
export async function readTextFile(path: string): Promise<string> {
  // UTF-8 never takes fewer bytes than UTF-16 code units, so a file this size always fits in a string.
  const maxBytes = bufferConstants.MAX_STRING_LENGTH;
  const size = await fileSize(path);
  if (size > maxBytes) throw new DataError(path, undefined, `a file of at most ${maxBytes} bytes (it is read whole)`, `${size} bytes`);
  const parts: string[] = [];
  for await (const batch of readLineBatches(path, { lineLimitBytes: maxBytes + 1 })) parts.push(batch.lines.join('\n'));
  return parts.join('\n');
}
