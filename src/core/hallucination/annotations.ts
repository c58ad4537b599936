import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DataError, excerpt } from '../data/errors';
import { JsonlAppender } from '../util/jsonl';
import { cacheRoot } from '../util/workspace';
import { textHash } from './detect';
import { VERDICTS, type AnnotationRecord, type AppliedAnnotation, type FlagEntity, type StaleAnnotation, type Verdict } from './types';

/**
 * The annotations file: people's verdicts on LLM texts, one JSON record per line, meant to be
 * committed with the workspace. Append-only (a later record for the same text supersedes an
 * earlier one); each record names the hash of the text it judged, so a verdict on a text that has
 * since changed is reported as stale and never applied to the new text.
 */
export const DEFAULT_ANNOTATIONS_FILE = 'grasp.annotations.jsonl';
const MAX_EDITED = 4000;
const MAX_NOTE = 1000;

/** `<workspace>/grasp.annotations.jsonl`, the workspace being the folder that holds `.grasp` for this dataset. */
export function defaultAnnotationsPath(datasetPath: string): string {
  return join(dirname(cacheRoot(datasetPath)), DEFAULT_ANNOTATIONS_FILE);
}

export interface LocatedAnnotation extends AnnotationRecord {
  /** 1-based line in the file. */
  line: number;
}

/** Why a value is not an annotation record, or undefined when it is one. */
export function annotationProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'a JSON object';
  const record = value as Partial<Record<keyof AnnotationRecord, unknown>>;
  if (record.v !== 1) return '"v": 1';
  if (record.entity !== 'item' && record.entity !== 'user') return '"entity": "item" or "user"';
  if (typeof record.id !== 'string' || record.id === '') return 'a non-empty string "id"';
  if (typeof record.textHash !== 'string' || !/^[0-9a-f]{64}$/.test(record.textHash)) return 'a sha256 hex "textHash"';
  if (typeof record.verdict !== 'string' || !VERDICTS.includes(record.verdict as Verdict)) return `"verdict" one of ${VERDICTS.join(', ')}`;
  if (record.verdict === 'edited' && (typeof record.editedText !== 'string' || record.editedText.trim() === ''))
    return 'an "editedText" for the verdict "edited"';
  if (record.editedText !== undefined && (typeof record.editedText !== 'string' || record.editedText.length > MAX_EDITED))
    return `an "editedText" string of at most ${MAX_EDITED} characters`;
  if (record.note !== undefined && (typeof record.note !== 'string' || record.note.length > MAX_NOTE))
    return `a "note" string of at most ${MAX_NOTE} characters`;
  if (typeof record.at !== 'string' || Number.isNaN(Date.parse(record.at))) return 'an ISO time "at"';
  return undefined;
}

/**
 * Reads every record. A person may edit this file by hand, so anything unreadable is an error that
 * names the file and line (a blank line is fine); a missing file is simply empty.
 */
export async function readAnnotations(path: string): Promise<LocatedAnnotation[]> {
  if (!existsSync(path)) return [];
  const lines = (await readFile(path, 'utf8')).split('\n');
  const records: LocatedAnnotation[] = [];
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new DataError(path, i + 1, 'one JSON annotation record per line', excerpt(text));
    }
    const problem = annotationProblem(value);
    if (problem) throw new DataError(path, i + 1, problem, excerpt(text));
    records.push({ ...(value as AnnotationRecord), line: i + 1 });
  });
  return records;
}

export interface NewAnnotation {
  entity: FlagEntity;
  id: string;
  /** The text judged (its hash is stored, not the text). */
  text: string;
  verdict: Verdict;
  editedText?: string;
  note?: string;
}

/**
 * The record of one verdict, exactly as `appendAnnotation` writes it (not validated: callers check
 * it with `annotationProblem` before writing). The simulated reviewer builds its records here too, so
 * a run's own annotations file reads like the one the review view writes.
 */
export function annotationRecord(annotation: NewAnnotation, now = new Date()): AnnotationRecord {
  return {
    v: 1,
    entity: annotation.entity,
    id: annotation.id,
    textHash: textHash(annotation.text),
    verdict: annotation.verdict,
    ...(annotation.editedText !== undefined ? { editedText: annotation.editedText } : {}),
    ...(annotation.note !== undefined && annotation.note !== '' ? { note: annotation.note } : {}),
    at: now.toISOString(),
  };
}

/**
 * Appends one verdict. The record is validated, and the existing file read through, before
 * anything is written: a bad request or a damaged file leaves the file as it was. The append is one
 * write(2) in O_APPEND mode, which the kernel does not interleave with another writer's, so the
 * extension and a terminal may annotate at once; a kill loses at most the record being written.
 */
export async function appendAnnotation(path: string, annotation: NewAnnotation, now = new Date()): Promise<AnnotationRecord> {
  const record = annotationRecord(annotation, now);
  const problem = annotationProblem(record);
  if (problem) throw new DataError(path, undefined, problem, excerpt(JSON.stringify(record)));
  await readAnnotations(path);
  const appender = new JsonlAppender(path);
  try {
    appender.append(record);
  } finally {
    appender.close();
  }
  return record;
}

/** The newest record per entity and id (file order is time order: the file is append-only). */
export function latestAnnotations(records: readonly LocatedAnnotation[]): Map<string, LocatedAnnotation> {
  const latest = new Map<string, LocatedAnnotation>();
  for (const record of records) latest.set(`${record.entity}\u0000${record.id}`, record);
  return latest;
}

export interface AnnotatableTexts {
  entity: FlagEntity;
  ids: readonly string[];
  /** The texts as they stand (what would be embedded without annotations). */
  texts: readonly string[];
  /** The metadata-only description of an entity: what a hallucinated text falls back to. */
  metadataOnly: (index: number) => string;
  /**
   * Other texts an annotation may have judged for the same entity (e.g. the metadata-only
   * description `grasp flag` showed where the embedder uses the raw input).
   */
  alternatives?: (index: number) => string[];
}

export interface AnnotationOutcome {
  texts: string[];
  /** Annotations that changed or confirmed a text, in dataset order. */
  used: AppliedAnnotation[];
  /** Records for texts that have changed since they were judged: reported, not applied. */
  stale: StaleAnnotation[];
  /** Records naming an id this dataset does not have. */
  unknown: AppliedAnnotation[];
}

const applied = (record: LocatedAnnotation): AppliedAnnotation => ({
  entity: record.entity,
  id: record.id,
  verdict: record.verdict,
  textHash: record.textHash,
  at: record.at,
  line: record.line,
});

/**
 * The texts training should embed, given people's verdicts: `hallucinated` → the metadata-only
 * description, `edited` → the edited text, `ok` → unchanged (recorded as used). Only the newest
 * record per entity counts, and only if it judged the text as it is now.
 */
export function applyAnnotations(input: AnnotatableTexts, records: readonly LocatedAnnotation[]): AnnotationOutcome {
  const texts = input.texts.slice();
  const used: AppliedAnnotation[] = [];
  const stale: StaleAnnotation[] = [];
  const unknown: AppliedAnnotation[] = [];
  const rowOf = new Map(input.ids.map((id, row) => [id, row]));
  for (const record of latestAnnotations(records.filter((r) => r.entity === input.entity)).values()) {
    const row = rowOf.get(record.id);
    if (row === undefined) {
      unknown.push(applied(record));
      continue;
    }
    const current = textHash(input.texts[row]);
    const judged = [current, ...(input.alternatives?.(row) ?? []).map(textHash)];
    if (!judged.includes(record.textHash)) {
      stale.push({ ...applied(record), currentHash: current });
      continue;
    }
    if (record.verdict === 'hallucinated') texts[row] = input.metadataOnly(row);
    else if (record.verdict === 'edited') texts[row] = record.editedText!;
    used.push(applied(record));
  }
  used.sort((a, b) => rowOf.get(a.id)! - rowOf.get(b.id)!);
  return { texts, used, stale, unknown };
}
