// The "says nothing about this item" signal: a description (or profile) that mentions none of the
// words naming its entity — the item's title, the user's titles — could describe any product.
// Generic filler slips past the claim checks (it claims nothing to contradict), and a description
// of another product names that product instead; both leave the entity's own name out.
import type { EntityInput, ItemInput, UserInput } from '../llm/inputs';
import { singular, wordsOf } from './evidence';
import type { RenderedText } from './text';
import type { FlagReason } from './types';

/** Title-like fields of an item's metadata (Beauty `title`, ml-100k `movie_title`, …). */
const NAMING_FIELD = /(^|_)(title|name)$/i;
/** Words that name nothing: function words and the vocabulary of any product page. */
const COMMON = new Set(
  'the and for with from that this your you are its our has have was were will can all any one two new set pack pcs per inch inches size use used uses using made make each item items product products quality great best good high'.split(
    ' ',
  ),
);

/** Distinct content words that name the entity (at least 3 letters, not common, not a number). */
export function namingWords(input: EntityInput): Set<string> {
  const texts =
    input.entity === 'item'
      ? (input.input as ItemInput).fields.filter(([name]) => NAMING_FIELD.test(name)).map(([, value]) => value)
      : (input.input as UserInput).titles;
  const words = new Set<string>();
  for (const word of texts.flatMap(wordsOf)) if (word.length >= 3 && !/^\d+$/.test(word) && !COMMON.has(word)) words.add(singular(word));
  return words;
}

/**
 * Severity 1 when the text mentions none of the naming words, 0.5 when one while the name has two or
 * more; no reason when the entity has no naming words (nothing to check against).
 */
export function nonspecificReasons(view: RenderedText, input: EntityInput): { reasons: FlagReason[]; checked: boolean } {
  const naming = namingWords(input);
  if (naming.size === 0) return { reasons: [], checked: false };
  const mentioned = new Set(
    wordsOf(view.text)
      .map(singular)
      .filter((word) => naming.has(word)),
  );
  const needed = Math.min(2, naming.size);
  const severity = Math.max(0, 1 - mentioned.size / needed);
  if (severity === 0) return { reasons: [], checked: true };
  const summaryEnd = view.segments[0].end;
  const what = input.entity === 'item' ? 'its title' : "the user's titles";
  const message = mentioned.size === 0 ? `mentions none of the words of ${what}: it could describe any product` : `mentions only one word of ${what}`;
  return {
    reasons: [{ signal: 'nonspecific', kind: 'entity', message, start: 0, end: summaryEnd, text: view.text.slice(0, summaryEnd), severity }],
    checked: true,
  };
}
