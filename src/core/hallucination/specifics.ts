import { canonicalNumber, normalise, singular, type Evidence } from './evidence';
import type { RenderedText } from './text';
import type { FlagReason } from './types';

/**
 * The unsupported-specifics signal: concrete details in the text (numbers, sizes, dates, materials,
 * named entities) that appear nowhere in the input. Specific details are what a reader takes as
 * fact, and an LLM invents them fluently; each one without support is a reason.
 */
export const SPECIFIC_SEVERITY = { size: 0.6, date: 0.6, number: 0.45, material: 0.55, entity: 0.5 } as const;

const UNITS =
  '%|ml|l|g|kg|mg|oz|fl\\.? ?oz|lbs?|mm|cm|m|in|inch|inches|ft|feet|hours?|hrs?|minutes?|mins?|days?|weeks?|months?|years?|pieces?|pcs|count|pack|sheets?|watts?|w|volts?|v|mah|gb|tb|khz|hz|psi|°[cf]?';
const NUMBER = new RegExp(`(?<![\\p{L}\\p{N}.,])(\\d+(?:[.,]\\d+)*)(?:[ -]?(${UNITS})(?![\\p{L}\\p{N}]))?`, 'giu');
const MONTH = /(?<![\p{L}])(January|February|March|April|June|July|August|September|October|November|December)(?![\p{L}])/gu;
/** Common materials and ingredients: a claim of one is a checkable fact about the product. */
const MATERIALS = [
  'cotton',
  'linen',
  'wool',
  'cashmere',
  'silk',
  'leather',
  'suede',
  'nylon',
  'polyester',
  'rubber',
  'silicone',
  'latex',
  'plastic',
  'vinyl',
  'acrylic',
  'stainless steel',
  'steel',
  'aluminum',
  'aluminium',
  'titanium',
  'copper',
  'brass',
  'bronze',
  'iron',
  'gold',
  'silver',
  'platinum',
  'zinc',
  'chrome',
  'ceramic',
  'porcelain',
  'glass',
  'crystal',
  'wood',
  'bamboo',
  'oak',
  'walnut',
  'cedar',
  'marble',
  'granite',
  'carbon fiber',
  'carbon fibre',
  'graphite',
  'graphene',
  'tourmaline',
  'charcoal',
  'clay',
  'keratin',
  'collagen',
  'argan oil',
  'shea butter',
  'jojoba',
  'beeswax',
  'aloe vera',
  'retinol',
  'hyaluronic acid',
];
const MATERIAL = new RegExp(`(?<![\\p{L}])(${MATERIALS.join('|')})(?![\\p{L}])`, 'giu');
/** Capitalised runs, optionally joined by `&`, `-` or `of`: candidate names of brands, places, products. */
const CAPITALISED = /(?<![\p{L}\p{N}])\p{Lu}[\p{L}\p{N}]*(?:['’-][\p{L}\p{N}]+)*(?:(?:\s+|\s*&\s*)\p{Lu}[\p{L}\p{N}]*(?:['’-][\p{L}\p{N}]+)*)*/gu;
/** Function words and sentence openers that are capitalised without being names. */
const COMMON = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this these those to was were will with your you our their not no but all can each every new one two three our we us they he she his her which who what when where why how also only just more most very made use used ideal perfect great'.split(
    ' ',
  ),
);

/** Segments whose text is free prose or claim values (not the `name:` labels outputText adds). */
function scanned(rendered: RenderedText): Array<{ start: number; end: number }> {
  return rendered.segments.filter((segment) => segment.field !== 'price_tier');
}

function sentenceStart(text: string, at: number, segmentStart: number): boolean {
  const before = text.slice(segmentStart, at).trimEnd();
  return before === '' || /[.!?…]$/.test(before);
}

export function specificReasons(rendered: RenderedText, evidence: Evidence): FlagReason[] {
  const reasons: FlagReason[] = [];
  const { text } = rendered;
  const add = (kind: keyof typeof SPECIFIC_SEVERITY, start: number, end: number, message: string): void => {
    // A word cut short by a length limit (`Verti…`) cannot be checked against anything: not a finding.
    if (text[end] === '…') return;
    reasons.push({ signal: 'unsupported', kind, message, start, end, text: text.slice(start, end), severity: SPECIFIC_SEVERITY[kind] });
  };
  for (const segment of scanned(rendered)) {
    const part = text.slice(segment.start, segment.end);
    for (const match of part.matchAll(NUMBER)) {
      const digits = match[1];
      const value = canonicalNumber(digits);
      if (evidence.numbers.has(value) || evidence.numbers.has(digits)) continue;
      const year = /^(19|20)\d\d$/.test(digits) && !match[2];
      const kind = year ? 'date' : match[2] ? 'size' : 'number';
      add(
        kind,
        segment.start + match.index,
        segment.start + match.index + match[0].length,
        `${kind === 'date' ? 'a year' : kind === 'size' ? 'a size or quantity' : 'a number'} (${match[0]}) that the input does not contain`,
      );
    }
    for (const match of part.matchAll(MONTH)) {
      if (!evidence.text.includes(normalise(match[0])))
        add('date', segment.start + match.index, segment.start + match.index + match[0].length, `a date (${match[0]}) that the input does not contain`);
    }
    for (const match of part.matchAll(MATERIAL)) {
      if (!evidence.text.includes(normalise(match[0])))
        add('material', segment.start + match.index, segment.start + match.index + match[0].length, `a material (${match[0]}) that the input does not mention`);
    }
    for (const match of part.matchAll(CAPITALISED)) {
      // Split the run into words; keep runs of unsupported ones. The first word of a sentence is
      // capitalised anyway, so it only counts when the run goes on (a name of two or more words).
      const words = Array.from(match[0].matchAll(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu), (word) => ({
        word: word[0],
        start: segment.start + match.index + word.index,
      }));
      let runStart = -1;
      let runEnd = -1;
      const flush = (): void => {
        if (runStart >= 0 && text[runEnd] === '…' && runStart < runEnd) {
          // Only the cut word is uncheckable: the run before it still counts.
          const lastSpace = text.lastIndexOf(' ', runEnd);
          runEnd = lastSpace > runStart ? lastSpace : runStart;
        }
        if (runStart >= 0 && runEnd > runStart) add('entity', runStart, runEnd, `a name (${text.slice(runStart, runEnd)}) that appears nowhere in the input`);
        runStart = -1;
      };
      words.forEach(({ word, start }, i) => {
        const lower = normalise(word).replace(/['’]s$/, '');
        const opener = i === 0 && sentenceStart(text, start, segment.start) && words.length === 1;
        const supported =
          opener ||
          COMMON.has(lower) ||
          evidence.words.has(lower) ||
          evidence.words.has(singular(lower)) ||
          lower.split(/['’-]/).every((piece) => piece === '' || evidence.words.has(piece));
        if (supported) return flush();
        if (runStart < 0) runStart = start;
        runEnd = start + word.length;
      });
      flush();
    }
  }
  // A material or number inside a flagged name is one finding, not two: keep the first-found per span.
  const seen = new Set<string>();
  return reasons.filter((r) => {
    const key = `${r.start}:${r.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
