import type { ItemDescription, SynthesisOutput, UserProfile } from '../llm/schema';
import { wordOccurrences } from './corrupt';
import { normalise, supportedPhrase, wordsOf, type Evidence } from './evidence';
import { segmentOf, type RenderedText } from './text';
import type { FlagReason } from './types';

/**
 * The contradiction signal: the explicit claims (category, brand, attributes; a profile's
 * preferred brands) checked against the metadata the synthesis was given. A claim the metadata
 * contradicts weighs most; a claim nothing in the input supports (no such field) weighs less, since
 * an LLM may know it from the world.
 */
export const SEVERITY = { contradicted: 1, unsupportedBrand: 0.8, contradictedAttribute: 0.8, unsupportedCategory: 0.6, unsupportedAttribute: 0.5 } as const;

export function claimReasons(output: SynthesisOutput, rendered: RenderedText, evidence: Evidence, entity: 'item' | 'user'): FlagReason[] {
  return entity === 'item' ? itemClaims(output as ItemDescription, rendered, evidence) : userClaims(output as UserProfile, rendered, evidence);
}

function reason(rendered: RenderedText, field: string, element: number | undefined, kind: string, severity: number, message: string): FlagReason[] {
  const segment = segmentOf(rendered, field, element);
  if (!segment) return [];
  const text = rendered.text.slice(segment.start, segment.end);
  // The same claim repeated in the summary points there too, so a reviewer sees every place it is made.
  const summary = segmentOf(rendered, 'summary')!;
  const mentions = wordOccurrences(rendered.text.slice(summary.start, summary.end), text).map(([start, end]) => ({ start, end }));
  return [segment, ...mentions].map((span) => ({ signal: 'contradiction' as const, kind, message, start: span.start, end: span.end, text, severity }));
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 59)}…` : text);
}

/** Metadata agrees with a category claim when the claim is one of its categories (or their words). */
function categoryAgrees(categories: string, claim: string): boolean {
  const wanted = normalise(claim).trim();
  if (wanted === '' || categories.includes(wanted)) return true;
  const have = new Set(wordsOf(categories));
  return wordsOf(wanted).every((word) => have.has(word));
}

function brandAgrees(brand: string, claim: string): boolean {
  const a = wordsOf(brand).join(' ');
  const b = wordsOf(claim).join(' ');
  return a === b || (a.length > 0 && b.length > 0 && (a.includes(b) || b.includes(a)));
}

function itemClaims(output: ItemDescription, rendered: RenderedText, evidence: Evidence): FlagReason[] {
  const reasons: FlagReason[] = [];
  const { category, brand, attributes } = output.claims;
  if (category.trim() !== '') {
    if (evidence.categories !== undefined) {
      if (!categoryAgrees(evidence.categories, category)) {
        reasons.push(
          ...reason(
            rendered,
            'category',
            undefined,
            'category',
            SEVERITY.contradicted,
            `claims category ${quoted(category)}; the metadata says ${quoted(evidence.shown.categories ?? evidence.categories)}`,
          ),
        );
      }
    } else if (!supportedPhrase(evidence, category, 0.5)) {
      reasons.push(
        ...reason(
          rendered,
          'category',
          undefined,
          'category',
          SEVERITY.unsupportedCategory,
          `claims category ${quoted(category)}, which nothing in the input mentions`,
        ),
      );
    }
  }
  if (brand.trim() !== '') {
    if (evidence.brand !== undefined) {
      if (!brandAgrees(evidence.brand, brand))
        reasons.push(
          ...reason(
            rendered,
            'brand',
            undefined,
            'brand',
            SEVERITY.contradicted,
            `claims brand ${quoted(brand)}; the metadata says ${quoted(evidence.shown.brand ?? evidence.brand)}`,
          ),
        );
    } else if (!supportedPhrase(evidence, brand)) {
      reasons.push(
        ...reason(rendered, 'brand', undefined, 'brand', SEVERITY.unsupportedBrand, `claims brand ${quoted(brand)}, which appears nowhere in the input`),
      );
    }
  }
  attributes.forEach((attribute, element) => {
    const [key, ...rest] = wordsOf(attribute);
    const known = key === undefined ? undefined : evidence.attributes.get(key);
    if (known !== undefined && rest.length > 0 && rest.join(' ') !== wordsOf(known).join(' ')) {
      reasons.push(
        ...reason(
          rendered,
          'attributes',
          element,
          'attribute',
          SEVERITY.contradictedAttribute,
          `claims ${quoted(attribute)}; the metadata says ${key} ${quoted(known)}`,
        ),
      );
    } else if (known === undefined && !supportedPhrase(evidence, attribute, 0.5)) {
      reasons.push(
        ...reason(
          rendered,
          'attributes',
          element,
          'attribute',
          SEVERITY.unsupportedAttribute,
          `claims attribute ${quoted(attribute)}, which nothing in the input mentions`,
        ),
      );
    }
  });
  return reasons;
}

function userClaims(output: UserProfile, rendered: RenderedText, evidence: Evidence): FlagReason[] {
  const reasons: FlagReason[] = [];
  output.claims.preferred_brands.forEach((brand, element) => {
    if (!supportedPhrase(evidence, brand))
      reasons.push(
        ...reason(
          rendered,
          'preferred_brands',
          element,
          'brand',
          SEVERITY.unsupportedBrand,
          `claims a preference for ${quoted(brand)}, a brand in none of the user's training items`,
        ),
      );
  });
  return reasons;
}
