import type { Dataset, Split } from '../data/types';
import { canonicalJson, sha256Hex } from '../util/hash';
import type { Entity } from './schema';

/** An item's metadata as the prompt sees it: cleaned (field, value) pairs in a stable order. */
export interface ItemInput {
  fields: Array<[string, string]>;
}

/** A user's TRAINING prefix as titles, oldest first (never the validation or test item). */
export interface UserInput {
  titles: string[];
  /** Length of the whole training prefix, when longer than the titles shown. */
  trainLength: number;
}

export interface EntityInput {
  entity: Entity;
  /** Dense id (index into the dataset's items or users). */
  index: number;
  /** Raw id as in the dataset file. */
  id: string;
  input: ItemInput | UserInput;
  inputHash: string;
}

/** The most recent training titles a user prompt shows: enough for a profile, bounded in tokens. */
export const MAX_HISTORY = 50;
const FIELD_LIMITS: Record<string, number> = { title: 300, description: 1500 };
const DEFAULT_FIELD_LIMIT = 400;
const FIELD_ORDER = ['title', 'brand', 'categories', 'category', 'price_tier', 'price', 'attributes', 'description'];
/** Identifiers and bare code lists tell a language model nothing and would only cost tokens. */
const OPAQUE_FIELD = /^(asin|id|.*_id|item|url|image.*|imurl)$/i;

/**
 * Dataset text is untrusted: control characters go, whitespace collapses, angle brackets become
 * look-alikes so a value cannot close the tags that fence data off in a prompt, and length is capped.
 */
export function cleanText(value: string, limit: number): string {
  const cleaned = value
    .normalize('NFKC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length <= limit ? cleaned : `${cleaned.slice(0, limit - 1)}…`;
}

export function itemInput(record: Record<string, string> | undefined): ItemInput {
  if (!record) return { fields: [] };
  const names = Object.keys(record)
    .filter((name) => !OPAQUE_FIELD.test(name))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const fields: Array<[string, string]> = [];
  for (const name of names) {
    const value = cleanText(record[name] ?? '', FIELD_LIMITS[name] ?? DEFAULT_FIELD_LIMIT);
    if (value !== '' && !/^\d+([\s,;]+\d+)+$/.test(value)) fields.push([name, value]);
  }
  return { fields };
}

function rank(field: string): number {
  const index = FIELD_ORDER.indexOf(field.toLowerCase());
  return index < 0 ? FIELD_ORDER.length : index;
}

/** The title the prompts and the neighbours view use for an item (its raw id when it has none). */
export function itemTitle(dataset: Dataset, item: number): string {
  const title = dataset.metadata?.rows[item]?.title;
  return title && title.trim() !== '' ? cleanText(title, FIELD_LIMITS.title) : `item ${cleanText(dataset.itemIds[item], 60)}`;
}

export function userInput(dataset: Dataset, trainPrefix: Int32Array): UserInput {
  const shown = trainPrefix.subarray(Math.max(0, trainPrefix.length - MAX_HISTORY));
  return { titles: Array.from(shown, (item) => itemTitle(dataset, item)), trainLength: trainPrefix.length };
}

/**
 * Every item's or user's input, with the hash that keys the cache. Users are built from the
 * leave-one-out training prefix only (DESIGN §3), which is what keeps their profiles leak-free.
 */
export function buildInputs(dataset: Dataset, split: Split, entity: Entity, limit?: number): EntityInput[] {
  const count = entity === 'item' ? dataset.itemIds.length : dataset.userIds.length;
  const n = limit === undefined ? count : Math.min(limit, count);
  const inputs: EntityInput[] = new Array(n);
  for (let index = 0; index < n; index++) {
    const input = entity === 'item' ? itemInput(dataset.metadata?.rows[index]) : userInput(dataset, split.train[index]);
    inputs[index] = {
      entity,
      index,
      id: entity === 'item' ? dataset.itemIds[index] : dataset.userIds[index],
      input,
      inputHash: sha256Hex(canonicalJson(input)),
    };
  }
  return inputs;
}

/** The cache key: provider, model, template (name and version) and input hash (the four parts). */
export function synthesisKey(provider: string, model: string, template: { name: string; version: number }, inputHash: string): string {
  return sha256Hex(JSON.stringify([provider, model, template.name, template.version, inputHash]));
}
