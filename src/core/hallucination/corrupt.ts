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
 * Families, mixed by share (`mix`), each corrupted item in exactly one:
 * - `specifics` (the original tool, and the default): kinds `category` (the category claim, and its
 *   mentions in the summary, become another real category of the dataset; a built-in list stands in
 *   when the dataset has fewer than two), `brand` (an invented brand name), `attributes` (invented
 *   specifics: materials, sizes, counts, durations, years, absent from the original text). Most of
 *   the item's own words survive, which is why a model reading the text barely notices it.
 * - `wrong-product` (kind `wrong-product`): the whole description is replaced by the fluent
 *   description of another item of a different category (or, without categories, the least
 *   overlapping of a sample of items), the way an LLM confuses two products.
 * - `generic` (kind `generic`): plausible filler with no item-specific content, and empty claims.
 * `target` decides which items are hit: `uniform` (every item equally likely, head or tail) or `head`
 * (probability ∝ training interactions + 1, from `popularity`).
 */
import { outputText, type ItemDescription } from '../llm/schema';
import { sha256Hex } from '../util/hash';
import { Random } from '../util/random';
import { ConfigError } from '../util/errors';
import { renderWithOffsets, segmentOf } from './text';

/** The invented-specifics kinds (one family); `kinds` picks among them. */
export const SPECIFIC_KINDS = ['category', 'brand', 'attributes'] as const;
export const CORRUPTION_KINDS = [...SPECIFIC_KINDS, 'wrong-product', 'generic'] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];
export type SpecificKind = (typeof SPECIFIC_KINDS)[number];
export const CORRUPTION_FAMILIES = ['wrong-product', 'specifics', 'generic'] as const;
export type CorruptionFamily = (typeof CORRUPTION_FAMILIES)[number];
export type CorruptionMix = Record<CorruptionFamily, number>;
export const CORRUPTION_TARGETS = ['uniform', 'head'] as const;
export type CorruptionTarget = (typeof CORRUPTION_TARGETS)[number];
/** The original tool: invented specifics only (what a config that names no mix gets). */
export const DEFAULT_MIX: CorruptionMix = { 'wrong-product': 0, specifics: 1, generic: 0 };

export interface DescriptionRecord {
  /** Raw item id, as in the dataset file. */
  id: string;
  description: ItemDescription;
}

export interface CorruptionOptions {
  /** Share of the records to corrupt, in [0, 1]. */
  fraction: number;
  seed?: number;
  /** Invented-specifics kinds to draw from (default all three). Each such item gets a non-empty random subset. */
  kinds?: readonly SpecificKind[];
  /** Share of the corrupted items per family (normalised; default DEFAULT_MIX). */
  mix?: Partial<CorruptionMix>;
  /** Which items are hit (default uniform). */
  target?: CorruptionTarget;
  /** Training interactions per record, in the records' order: needed by target `head`. */
  popularity?: ArrayLike<number>;
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
  family: CorruptionFamily;
  kinds: CorruptionKind[];
  /** wrong-product: the item whose description this one now carries. */
  donor?: string;
  original: string;
  corrupted: string;
  spans: CorruptionSpan[];
}

export interface CorruptionTruth {
  v: 1;
  seed: number;
  fraction: number;
  /** the invented-specifics kinds drawn from */
  kinds: CorruptionKind[];
  /** shares per family (normalised) and the item counts they gave */
  mix: CorruptionMix;
  counts: CorruptionMix;
  target: CorruptionTarget;
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
const BUILTIN_CATEGORIES = [
  'Kitchen & Dining',
  'Automotive Parts',
  'Pet Supplies',
  'Garden Tools',
  'Office Products',
  'Toys & Games',
  'Camera Accessories',
  'Power Tools',
  'Baby Care',
  'Sports Nutrition',
];
const MATERIALS = [
  'titanium',
  'bamboo fibre',
  'tourmaline',
  'carbon fibre',
  'walnut wood',
  'borosilicate glass',
  'beeswax',
  'activated charcoal',
  'copper',
  'silk',
  'ceramic',
  'volcanic ash',
  'goat milk',
  'pearl powder',
  'graphene',
];
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
  const kinds = [...new Set(options.kinds ?? SPECIFIC_KINDS)];
  if (kinds.length === 0 || kinds.some((kind) => !SPECIFIC_KINDS.includes(kind)))
    throw new ConfigError(`corruption kinds must be among ${SPECIFIC_KINDS.join(', ')}`);
  const mix = normalisedMix(options.mix);
  const target = options.target ?? 'uniform';
  if (!CORRUPTION_TARGETS.includes(target)) throw new ConfigError(`corruption target must be one of ${CORRUPTION_TARGETS.join(', ')}, got ${String(target)}`);
  if (target === 'head' && options.popularity?.length !== records.length)
    throw new ConfigError('corruption target "head" needs the training popularity of every item');

  const own = [
    ...new Set([...records.map((record) => record.description.claims.category.trim()), ...(options.categories ?? [])].filter((category) => category !== '')),
  ].sort();
  const categorySource = own.length >= 2 ? 'dataset' : 'builtin';
  const categories = categorySource === 'dataset' ? own : BUILTIN_CATEGORIES;
  const knownBrands = new Set(records.map((record) => record.description.claims.brand.toLowerCase()).filter(Boolean));

  const count = Math.round(fraction * records.length);
  const chosen = chooseItems(records, count, seed, target, options.popularity);
  const families = assignFamilies(records, chosen, mix, seed);

  const out = records.slice();
  const items: CorruptedItem[] = [];
  const counts: CorruptionMix = { 'wrong-product': 0, specifics: 0, generic: 0 };
  for (const index of chosen) {
    const record = records[index];
    const family = families.get(index)!;
    counts[family]++;
    const random = new Random(parseInt(sha256Hex(`${seed}\u0001${record.id}\u0001${index}`).slice(0, 8), 16));
    let corrupted: { description: ItemDescription; text: string; spans: CorruptionSpan[]; kinds: CorruptionKind[]; donor?: string };
    if (family === 'specifics') {
      const picked = kinds.filter(() => random.next() < 0.5);
      if (picked.length === 0) picked.push(random.pick(kinds));
      corrupted = { ...corruptOne(record.description, picked, random, categories, knownBrands), kinds: picked };
    } else if (family === 'wrong-product') {
      const donor = wrongProductDonor(records, index, random);
      corrupted = { ...wholeReplacement(records[donor].description, 'wrong-product'), kinds: ['wrong-product'], donor: records[donor].id };
    } else {
      corrupted = { ...wholeReplacement(genericFiller(random, outputText(record.description).toLowerCase()), 'generic'), kinds: ['generic'] };
    }
    out[index] = { id: record.id, description: corrupted.description };
    items.push({
      id: record.id,
      index,
      family,
      kinds: corrupted.kinds,
      ...(corrupted.donor !== undefined ? { donor: corrupted.donor } : {}),
      original: outputText(record.description),
      corrupted: corrupted.text,
      spans: corrupted.spans,
    });
  }
  return { records: out, truth: { v: 1, seed, fraction, kinds, mix, counts, target, total: records.length, categorySource, items } };
}

function normalisedMix(given: Partial<CorruptionMix> | undefined): CorruptionMix {
  if (given === undefined) return { ...DEFAULT_MIX };
  for (const [family, share] of Object.entries(given)) {
    if (!CORRUPTION_FAMILIES.includes(family as CorruptionFamily))
      throw new ConfigError(`corruption mix: unknown family "${family}" (known: ${CORRUPTION_FAMILIES.join(', ')})`);
    if (typeof share !== 'number' || !Number.isFinite(share) || share < 0)
      throw new ConfigError(`corruption mix: ${family} must be a share ≥ 0, got ${String(share)}`);
  }
  const total = CORRUPTION_FAMILIES.reduce((sum, family) => sum + (given[family] ?? 0), 0);
  if (total <= 0) throw new ConfigError('corruption mix: at least one family needs a share above 0');
  return Object.fromEntries(CORRUPTION_FAMILIES.map((family) => [family, (given[family] ?? 0) / total])) as CorruptionMix;
}

/**
 * Which items are corrupted. Uniform: the first `count` by a hash of (seed, id), so each item is as
 * likely as any other, head or tail. Head: weighted sampling without replacement, probability ∝
 * training interactions + 1 (Efraimidis–Spirakis keys u^(1/w), u from the same hash).
 */
function chooseItems(records: readonly DescriptionRecord[], count: number, seed: number, target: CorruptionTarget, popularity?: ArrayLike<number>): number[] {
  const ranked = records.map((record, index) => {
    const hash = sha256Hex(`${seed}\u0000${record.id}\u0000${index}`);
    if (target === 'uniform') return { index, rank: hash, key: 0 };
    const u = (parseInt(hash.slice(0, 13), 16) + 0.5) / 2 ** 52;
    return { index, rank: hash, key: Math.log(u) / ((popularity![index] ?? 0) + 1) };
  });
  if (target === 'uniform') ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.index - b.index));
  else ranked.sort((a, b) => b.key - a.key || a.index - b.index);
  return ranked
    .slice(0, count)
    .map((entry) => entry.index)
    .sort((a, b) => a - b);
}

/** Families for the chosen items: counts by largest remainder of the shares, then items in hash order. */
function assignFamilies(records: readonly DescriptionRecord[], chosen: number[], mix: CorruptionMix, seed: number): Map<number, CorruptionFamily> {
  const exact = CORRUPTION_FAMILIES.map((family) => mix[family] * chosen.length);
  const counts = exact.map(Math.floor);
  const order = CORRUPTION_FAMILIES.map((_, i) => i).sort((a, b) => exact[b] - counts[b] - (exact[a] - counts[a]) || a - b);
  for (let left = chosen.length - counts.reduce((a, b) => a + b, 0), i = 0; left > 0; left--, i++) counts[order[i % order.length]]++;
  const shuffledItems = chosen.slice().sort((a, b) => {
    const ha = sha256Hex(`${seed}\u0002${records[a].id}`);
    const hb = sha256Hex(`${seed}\u0002${records[b].id}`);
    return ha < hb ? -1 : ha > hb ? 1 : a - b;
  });
  const families = new Map<number, CorruptionFamily>();
  let at = 0;
  CORRUPTION_FAMILIES.forEach((family, f) => {
    for (let n = 0; n < counts[f]; n++) families.set(shuffledItems[at++], family);
  });
  return families;
}

/** Candidates drawn per wrong-product item: enough to find another category, cheap on large catalogues. */
const DONOR_SAMPLE = 64;

/**
 * The item whose description a wrong-product item takes: among a seeded sample, the first of another
 * (non-empty) category when the item has one; otherwise the one whose words overlap the item's least.
 */
function wrongProductDonor(records: readonly DescriptionRecord[], index: number, random: Random): number {
  if (records.length < 2) throw new ConfigError('a wrong-product corruption needs at least two items');
  const own = records[index].description;
  const category = own.claims.category.trim().toLowerCase();
  const sample: number[] = [];
  for (let i = 0; i < DONOR_SAMPLE; i++) {
    const candidate = random.int(records.length - 1);
    sample.push(candidate >= index ? candidate + 1 : candidate);
  }
  if (category !== '') {
    const other = sample.find((candidate) => {
      const theirs = records[candidate].description.claims.category.trim().toLowerCase();
      return theirs !== '' && theirs !== category;
    });
    if (other !== undefined) return other;
  }
  const words = wordSet(outputText(own));
  let best = sample[0];
  let bestOverlap = Infinity;
  for (const candidate of sample) {
    const theirs = wordSet(outputText(records[candidate].description));
    let shared = 0;
    for (const word of theirs) if (words.has(word)) shared++;
    const overlap = shared / Math.max(1, words.size + theirs.size - shared);
    if (overlap < bestOverlap) {
      bestOverlap = overlap;
      best = candidate;
    }
  }
  return best;
}

function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** A description replaced as a whole: every rendered part is a span of the kind. */
function wholeReplacement(
  description: ItemDescription,
  kind: 'wrong-product' | 'generic',
): { description: ItemDescription; text: string; spans: CorruptionSpan[] } {
  const copy: ItemDescription = { summary: description.summary, claims: { ...description.claims, attributes: [...description.claims.attributes] } };
  const rendered = renderWithOffsets(copy);
  const spans = rendered.segments
    .filter((segment) => segment.end > segment.start)
    .map((segment) => ({ kind, field: segment.field, start: segment.start, end: segment.end, text: rendered.text.slice(segment.start, segment.end) }));
  return { description: copy, text: rendered.text, spans };
}

/** Sentences any product page could carry: no category, brand, material, size or use of its own. */
const GENERIC_SENTENCES = [
  'This product is designed to meet everyday needs with dependable quality.',
  'It offers great value and is easy to use.',
  'Customers appreciate its reliable performance and thoughtful design.',
  'A practical choice for anyone looking for something that simply works.',
  'It is made to last and to fit easily into your routine.',
  'Its simple design makes it suitable for a wide range of uses.',
  'Carefully made with attention to detail.',
  'It combines convenience with consistent results.',
  'A popular option that many people return to again and again.',
  'It arrives ready to use, with nothing complicated to set up.',
  'Well suited for both beginners and experienced users.',
  'An item that delivers what it promises, day after day.',
  'It is a thoughtful gift as well as a useful addition for yourself.',
  'Its quality makes it a dependable part of any collection.',
  'Designed with the user in mind, it keeps things simple.',
  'A versatile product for many occasions.',
];

function genericFiller(random: Random, originalText: string): ItemDescription {
  const fresh = GENERIC_SENTENCES.filter((sentence) => !originalText.includes(sentence.toLowerCase()));
  const summary = shuffled(fresh.length >= 4 ? fresh : GENERIC_SENTENCES, random)
    .slice(0, 2 + random.int(3))
    .join(' ');
  return { summary, claims: { category: '', brand: '', attributes: [], audience: '', price_tier: 'unknown' } };
}

function corruptOne(
  original: ItemDescription,
  kinds: CorruptionKind[],
  random: Random,
  categories: readonly string[],
  knownBrands: Set<string>,
): { description: ItemDescription; text: string; spans: CorruptionSpan[] } {
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
