/**
 * The corruption tool (issues 5 and 6): plants known false claims in a chosen fraction of item
 * descriptions, so hallucination robustness (GRASP vs baselines) and the flag detector can be
 * measured against ground truth.
 *
 * Stable API (other modules call this; keep it small):
 *
 *   corruptDescriptions(records: readonly DescriptionRecord[], options: CorruptionOptions): CorruptionResult
 *
 *   - records: `{ id, description }` per item, `description` being the synthesis output
 *     (ItemDescription of src/core/llm/schema.ts). Pure: nothing is read, written or mutated.
 *   - returns `records` in the same order: untouched entries are the very same objects (so
 *     byte-identical); corrupted entries are new objects. Embed `outputText(record.description)`.
 *   - `truth` lists every corrupted item with its kinds, the original and corrupted text (both
 *     `outputText`), and the character span in the corrupted text of every inserted claim.
 *   - exactly round(fraction × records.length) items are corrupted; which ones, and how, depends
 *     only on (seed, item id), so the same seed gives the same corruption on every run and platform.
 *
 * Kinds: `category` (the category claim, and its mentions in the summary, become another real
 * category of the dataset; a built-in list stands in when the dataset has fewer than two),
 * `brand` (an invented brand name), `attributes` (invented specifics: materials, sizes, counts,
 * durations, years, absent from the original text).
 */
import { outputText, type ItemDescription } from '../llm/schema';
import { sha256Hex } from '../util/hash';
import { Random } from '../util/random';
import { ConfigError } from '../util/errors';
import { renderWithOffsets, segmentOf } from './text';

export const CORRUPTION_KINDS = ['category', 'brand', 'attributes'] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

export interface DescriptionRecord {
  /** Raw item id, as in the dataset file. */
  id: string;
  description: ItemDescription;
}

export interface CorruptionOptions {
  /** Share of the records to corrupt, in [0, 1]. */
  fraction: number;
  seed?: number;
  /** Kinds to draw from (default all). Each corrupted item gets a non-empty random subset. */
  kinds?: readonly CorruptionKind[];
  /** Extra real categories to swap in (the records' own category claims are always used). */
  categories?: readonly string[];
}

export interface CorruptionSpan {
  kind: CorruptionKind;
  /** `summary` or the claim the inserted text sits in (`category`, `brand`, `attributes`). */
  field: string;
  /** [start, end) in the corrupted text. */
  start: number;
  end: number;
  text: string;
}

export interface CorruptedItem {
  id: string;
  /** Position in the records given. */
  index: number;
  kinds: CorruptionKind[];
  original: string;
  corrupted: string;
  spans: CorruptionSpan[];
}

export interface CorruptionTruth {
  v: 1;
  seed: number;
  fraction: number;
  kinds: CorruptionKind[];
  total: number;
  /** `dataset` when swapped categories come from the records; `builtin` when it had too few. */
  categorySource: 'dataset' | 'builtin';
  items: CorruptedItem[];
}

export interface CorruptionResult {
  records: DescriptionRecord[];
  truth: CorruptionTruth;
}

/** Stand-in categories for datasets with no category metadata (e.g. Beauty with titles only). */
const BUILTIN_CATEGORIES = ['Kitchen & Dining', 'Automotive Parts', 'Pet Supplies', 'Garden Tools', 'Office Products', 'Toys & Games', 'Camera Accessories', 'Power Tools', 'Baby Care', 'Sports Nutrition'];
const MATERIALS = ['titanium', 'bamboo fibre', 'tourmaline', 'carbon fibre', 'walnut wood', 'borosilicate glass', 'beeswax', 'activated charcoal', 'copper', 'silk', 'ceramic', 'volcanic ash', 'goat milk', 'pearl powder', 'graphene'];
const SYLLABLES = ['zor', 'vel', 'kai', 'mir', 'tex', 'lum', 'qua', 'nor', 'bri', 'sol', 'vex', 'dra', 'fen', 'xyl', 'pell', 'grav', 'tor', 'ky'];
const ENDINGS = ['a', 'ex', 'ix', 'ora', 'ique', 'on', 'ara', 'elle', 'is', 'o', 'umi', 'eon'];

interface Insertion {
  kind: CorruptionKind;
  /** The inserted claim (what the span covers). */
  value: string;
}

interface SummaryEdit {
  start: number;
  end: number;
  /** Replacement text; `value` is the part that is the inserted claim (the span). */
  before: string;
  value: string;
  after: string;
  kind: CorruptionKind;
}

export function corruptDescriptions(records: readonly DescriptionRecord[], options: CorruptionOptions): CorruptionResult {
  const { fraction } = options;
  if (!Number.isFinite(fraction) || fraction < 0 || fraction > 1) throw new ConfigError(`corruption fraction must be in [0, 1], got ${fraction}`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0) throw new ConfigError(`corruption seed must be a non-negative integer, got ${seed}`);
  const kinds = [...new Set(options.kinds ?? CORRUPTION_KINDS)];
  if (kinds.length === 0 || kinds.some((kind) => !CORRUPTION_KINDS.includes(kind))) throw new ConfigError(`corruption kinds must be among ${CORRUPTION_KINDS.join(', ')}`);

  const own = [...new Set([...records.map((record) => record.description.claims.category.trim()), ...(options.categories ?? [])].filter((category) => category !== ''))].sort();
  const categorySource = own.length >= 2 ? 'dataset' : 'builtin';
  const categories = categorySource === 'dataset' ? own : BUILTIN_CATEGORIES;
  const knownBrands = new Set(records.map((record) => record.description.claims.brand.toLowerCase()).filter(Boolean));

  // Rank by a hash of (seed, id): which items are picked depends on nothing else.
  const count = Math.round(fraction * records.length);
  const ranked = records.map((record, index) => ({ index, rank: sha256Hex(`${seed}\u0000${record.id}\u0000${index}`) }));
  ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.index - b.index));
  const chosen = ranked
    .slice(0, count)
    .map((entry) => entry.index)
    .sort((a, b) => a - b);

  const out = records.slice();
  const items: CorruptedItem[] = [];
  for (const index of chosen) {
    const record = records[index];
    const random = new Random(parseInt(sha256Hex(`${seed}\u0001${record.id}\u0001${index}`).slice(0, 8), 16));
    const picked = kinds.filter(() => random.next() < 0.5);
    if (picked.length === 0) picked.push(random.pick(kinds));
    const corrupted = corruptOne(record.description, picked, random, categories, knownBrands);
    out[index] = { id: record.id, description: corrupted.description };
    items.push({ id: record.id, index, kinds: picked, original: outputText(record.description), corrupted: corrupted.text, spans: corrupted.spans });
  }
  return { records: out, truth: { v: 1, seed, fraction, kinds, total: records.length, categorySource, items } };
}

function corruptOne(original: ItemDescription, kinds: CorruptionKind[], random: Random, categories: readonly string[], knownBrands: Set<string>): { description: ItemDescription; text: string; spans: CorruptionSpan[] } {
  const claims = { ...original.claims, attributes: [...original.claims.attributes] };
  const originalText = outputText(original).toLowerCase();
  const edits: SummaryEdit[] = [];
  const appended: SummaryEdit[] = [];
  const claimInsertions: Array<Insertion & { field: string; element?: number }> = [];

  if (kinds.includes('category')) {
    const current = claims.category.trim().toLowerCase();
    const others = categories.filter((category) => category.toLowerCase() !== current && !originalText.includes(category.toLowerCase()));
    const category = random.pick(others.length > 0 ? others : categories.filter((category) => category.toLowerCase() !== current));
    const mentions = current === '' ? [] : wordOccurrences(original.summary, claims.category.trim());
    if (mentions.length > 0) for (const [start, end] of mentions) edits.push({ start, end, before: '', value: category, after: '', kind: 'category' });
    else appended.push({ start: 0, end: 0, before: ' It belongs to the ', value: category, after: ' category.', kind: 'category' });
    claims.category = category;
    claimInsertions.push({ kind: 'category', value: category, field: 'category' });
  }
  if (kinds.includes('brand')) {
    const brand = inventBrand(random, knownBrands, originalText);
    const mentions = claims.brand.trim() === '' ? [] : wordOccurrences(original.summary, claims.brand.trim());
    if (mentions.length > 0) for (const [start, end] of mentions) edits.push({ start, end, before: '', value: brand, after: '', kind: 'brand' });
    else appended.push({ start: 0, end: 0, before: ' Made by ', value: brand, after: '.', kind: 'brand' });
    claims.brand = brand;
    claimInsertions.push({ kind: 'brand', value: brand, field: 'brand' });
  }
  if (kinds.includes('attributes')) {
    const wanted = 1 + random.int(2);
    for (const generator of shuffled(ATTRIBUTE_GENERATORS, random).slice(0, wanted)) {
      const attribute = generator(random, originalText);
      appended.push({ start: 0, end: 0, before: ` ${attribute.before}`, value: attribute.value, after: attribute.after, kind: 'attributes' });
      claimInsertions.push({ kind: 'attributes', value: attribute.value, field: 'attributes', element: claims.attributes.length });
      claims.attributes.push(attribute.value);
    }
  }

  // Category and brand mentions may overlap (a brand inside a category name): keep the first of overlapping edits.
  edits.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept = edits.filter((edit, i) => i === 0 || edits.slice(0, i).every((other) => other.end <= edit.start || other.start >= edit.end));
  let summary = '';
  let at = 0;
  const spans: CorruptionSpan[] = [];
  const place = (edit: SummaryEdit): void => {
    summary += edit.before;
    spans.push({ kind: edit.kind, field: 'summary', start: summary.length, end: summary.length + edit.value.length, text: edit.value });
    summary += edit.value + edit.after;
  };
  for (const edit of kept) {
    summary += original.summary.slice(at, edit.start);
    place(edit);
    at = edit.end;
  }
  summary += original.summary.slice(at);
  // The summary schema caps length at 2000: drop appended claims that would not fit rather than cut one.
  for (const edit of appended) if (summary.length + edit.before.length + edit.value.length + edit.after.length <= 2000) place(edit);

  const description: ItemDescription = { summary, claims: claims as ItemDescription['claims'] };
  const rendered = renderWithOffsets(description);
  for (const insertion of claimInsertions) {
    const segment = segmentOf(rendered, insertion.field, insertion.element);
    if (segment) spans.push({ kind: insertion.kind, field: insertion.field, start: segment.start, end: segment.end, text: insertion.value });
  }
  spans.sort((a, b) => a.start - b.start);
  return { description, text: rendered.text, spans };
}

/** Whole-word, case-sensitive occurrences of a phrase, as [start, end) pairs. */
export function wordOccurrences(text: string, phrase: string): Array<[number, number]> {
  if (phrase.length < 2) return [];
  const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'gu');
  return Array.from(text.matchAll(pattern), (match) => [match.index, match.index + match[0].length] as [number, number]);
}

function inventBrand(random: Random, known: Set<string>, text: string): string {
  for (;;) {
    const parts = [random.pick(SYLLABLES), ...(random.next() < 0.5 ? [random.pick(SYLLABLES)] : []), random.pick(ENDINGS)];
    const word = parts.join('');
    const brand = word[0].toUpperCase() + word.slice(1);
    // Any draw collides rarely; the loop ends with probability 1 and in practice on the first try.
    if (!known.has(brand.toLowerCase()) && !text.includes(brand.toLowerCase())) return brand;
  }
}

function shuffled<T>(values: readonly T[], random: Random): T[] {
  const copy = values.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

type AttributeGenerator = (random: Random, text: string) => { before: string; value: string; after: string };

/** A number not already in the text, so the claim is new information. */
function freshNumber(random: Random, text: string, low: number, high: number): number {
  for (;;) {
    const n = low + random.int(high - low + 1);
    if (!new RegExp(`(?<![0-9])${n}(?![0-9])`).test(text)) return n;
  }
}

const ATTRIBUTE_GENERATORS: AttributeGenerator[] = [
  (random, text) => {
    const fresh = MATERIALS.filter((material) => !text.includes(material));
    return { before: 'It is made of ', value: random.pick(fresh.length > 0 ? fresh : MATERIALS), after: '.' };
  },
  (random, text) => {
    const unit = random.pick(['ml', 'g', 'mm', 'cm', 'watts']);
    return { before: 'It measures ', value: `${freshNumber(random, text, 13, 950)} ${unit}`, after: '.' };
  },
  (random, text) => ({ before: 'Each pack holds ', value: `${freshNumber(random, text, 3, 96)} pieces`, after: '.' }),
  (random, text) => ({ before: 'Its effect lasts ', value: `${freshNumber(random, text, 5, 72)} hours`, after: '.' }),
  (random, text) => ({ before: 'First released in ', value: String(freshNumber(random, text, 1961, 2019)), after: '.' }),
];
