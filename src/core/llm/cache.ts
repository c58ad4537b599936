import { JsonlAppender, readJsonl } from '../util/jsonl';
import { acquireLock } from '../util/lock';
import type { Usage } from './provider';
import type { Entity, SynthesisOutput } from './schema';

/** One line of a synthesis cache. A later line for the same key supersedes an earlier failure. */
export interface SynthesisRecord {
  v: 1;
  key: string;
  entity: Entity;
  status: 'ok' | 'failed';
  provider: string;
  model: string;
  template: string;
  templateVersion: number;
  /** Hash of the template text used (a changed text with the same version keeps the cache). */
  templateHash: string;
  inputHash: string;
  /** Raw ids sharing this input when it was written (for people reading the file). */
  ids: string[];
  /** False for the metadata provider: the text carries no world knowledge. */
  worldKnowledge: boolean;
  mode: 'messages' | 'batch' | 'offline';
  attempts: number;
  usage: Usage;
  output?: SynthesisOutput;
  reason?: string;
  at: string;
}

function isRecord(value: unknown): value is SynthesisRecord {
  const record = value as Partial<SynthesisRecord> | null;
  return (
    !!record &&
    record.v === 1 &&
    typeof record.key === 'string' &&
    (record.status === 'ok' || record.status === 'failed') &&
    typeof record.provider === 'string'
  );
}

/**
 * The append-only JSONL cache of one entity kind. Opening it for writing takes a lock, so two
 * jobs never pay for the same calls; reading (to embed) takes none.
 */
export class SynthesisCache {
  private readonly byKey = new Map<string, SynthesisRecord>();
  private appender?: JsonlAppender;
  private release?: () => void;

  private constructor(
    readonly path: string,
    records: SynthesisRecord[],
    readonly badLines: number[],
  ) {
    for (const record of records) this.remember(record);
  }

  static async read(path: string): Promise<SynthesisCache> {
    const { records, badLines } = await readJsonl(path, isRecord);
    return new SynthesisCache(path, records, badLines);
  }

  static async openForWriting(path: string): Promise<SynthesisCache> {
    const release = acquireLock(`${path}.lock`, `the synthesis cache ${path}`);
    try {
      const cache = await SynthesisCache.read(path);
      cache.appender = new JsonlAppender(path);
      cache.release = release;
      return cache;
    } catch (error) {
      release();
      throw error;
    }
  }

  private remember(record: SynthesisRecord): void {
    // An ok record is final; a failure only replaces a failure (so a retried input can succeed later).
    if (this.byKey.get(record.key)?.status !== 'ok') this.byKey.set(record.key, record);
  }

  get(key: string): SynthesisRecord | undefined {
    return this.byKey.get(key);
  }

  isDone(key: string): boolean {
    return this.byKey.get(key)?.status === 'ok';
  }

  records(): IterableIterator<SynthesisRecord> {
    return this.byKey.values();
  }

  append(record: SynthesisRecord): void {
    if (!this.appender) throw new Error(`${this.path} was opened read-only`);
    this.appender.append(record);
    this.remember(record);
  }

  close(): void {
    this.appender?.close();
    this.appender = undefined;
    this.release?.();
    this.release = undefined;
  }
}
