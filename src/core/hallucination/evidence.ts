import type { EntityInput, ItemInput, UserInput } from '../llm/inputs';

/**
 * What the synthesis was given for one entity, in the forms the checks compare claims with: the
 * input's words (with crude singulars), its numbers, and the metadata fields that a claim can
 * contradict. Only the input counts as support: world knowledge the LLM added is, by definition,
 * unsupported — that is what a reviewer should look at, not necessarily wrong.
 */
export interface Evidence {
  /** The whole input, lower-cased, for phrase look-ups. */
  text: string;
  words: Set<string>;
  numbers: Set<string>;
  /** Metadata fields a claim may contradict (lower-cased); absent when the input lacks them. */
  categories?: string;
  brand?: string;
  /** The same two fields as written, for messages. */
  shown: { categories?: string; brand?: string };
  /** `key value` pairs from an attributes field (`scent=lavender` → scent: lavender). */
  attributes: Map<string, string>;
}

/** Words the synthesis templates themselves write (`Brand: …`, `Bought 12 items; most recently: …`). */
const TEMPLATE_WORDS = ['brand', 'category', 'categories', 'item', 'items', 'title', 'bought', 'most', 'recently', 'no', 'an', 'with'];

export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

export function wordsOf(text: string): string[] {
  return normalise(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Crude English singular, so `staples` supports `staple` and `categories` supports `category`. */
export function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('es') && /(ch|sh|ss|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Digits of a number without grouping commas or trailing zero decimals: `1,000` and `1000.0` → `1000`. */
export function canonicalNumber(raw: string): string {
  const plain = raw.replace(/(?<=\d),(?=\d{3}(?!\d))/g, '');
  const value = Number(plain.replace(',', '.'));
  return Number.isFinite(value) ? String(value) : plain;
}

export function buildEvidence(input: EntityInput): Evidence {
  const parts: string[] = [];
  let categories: string | undefined;
  let brand: string | undefined;
  const attributes = new Map<string, string>();
  const shown: Evidence['shown'] = {};
  if (input.entity === 'item') {
    for (const [name, value] of (input.input as ItemInput).fields) {
      parts.push(name, value);
      const field = name.toLowerCase();
      if (field === 'categories' || field === 'category') {
        categories = `${categories ?? ''} ${normalise(value)}`.trim();
        shown.categories = [shown.categories, value].filter(Boolean).join('; ');
      } else if (field === 'brand') {
        brand = normalise(value).trim();
        shown.brand = value;
      } else if (field === 'attributes')
        for (const [, key, val] of value.matchAll(/([\p{L}_]+)=([^\s=;,]+(?:\s+(?![\p{L}_]+=)[^\s=;,]+)*)/gu)) attributes.set(normalise(key), normalise(val));
    }
  } else {
    const user = input.input as UserInput;
    parts.push(...user.titles, String(user.trainLength), String(user.titles.length));
  }
  const text = normalise(parts.join('\n'));
  const words = new Set<string>(TEMPLATE_WORDS);
  for (const word of wordsOf(text)) {
    words.add(word);
    words.add(singular(word));
  }
  const numbers = new Set<string>();
  for (const match of text.matchAll(/\d+(?:[.,]\d+)*/g)) {
    numbers.add(canonicalNumber(match[0]));
    for (const piece of match[0].split(/[.,]/)) numbers.add(String(Number(piece)));
  }
  return { text, words, numbers, categories, brand, shown, attributes };
}

/** True when every content word of a phrase (or its singular) occurs in the input. */
export function supportedPhrase(evidence: Evidence, phrase: string, share = 1): boolean {
  const words = wordsOf(phrase).filter((word) => word.length > 1);
  if (words.length === 0) return true;
  const found = words.filter((word) => evidence.words.has(word) || evidence.words.has(singular(word))).length;
  return found / words.length >= share;
}
