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

/**
 * A claimed category or brand: contradicted when the metadata has that field and disagrees; when it
 * lacks the field, unsupported unless the input mentions (`share` of) the claim's words.
 */
function metadataClaim(
  rendered: RenderedText,
  evidence: Evidence,
  field: 'category' | 'brand',
  claim: string,
  agrees: (metadata: string, claim: string) => boolean,
  unsupported: { severity: number; share?: number; why: string },
): FlagReason[] {
  if (claim.trim() === '') return [];
  const known = field === 'category' ? evidence.categories : evidence.brand;
  if (known !== undefined) {
    if (agrees(known, claim)) return [];
    const shown = (field === 'category' ? evidence.shown.categories : evidence.shown.brand) ?? known;
    return reason(rendered, field, undefined, field, SEVERITY.contradicted, `claims ${field} ${quoted(claim)}; the metadata says ${quoted(shown)}`);
  }
  if (supportedPhrase(evidence, claim, unsupported.share)) return [];
  return reason(rendered, field, undefined, field, unsupported.severity, `claims ${field} ${quoted(claim)}, ${unsupported.why}`);
}

function itemClaims(output: ItemDescription, rendered: RenderedText, evidence: Evidence): FlagReason[] {
  const { category, brand, attributes } = output.claims;
  const reasons: FlagReason[] = [
    ...metadataClaim(rendered, evidence, 'category', category, categoryAgrees, {
      severity: SEVERITY.unsupportedCategory,
      share: 0.5,
      why: 'which nothing in the input mentions',
    }),
    ...metadataClaim(rendered, evidence, 'brand', brand, brandAgrees, { severity: SEVERITY.unsupportedBrand, why: 'which appears nowhere in the input' }),
  ];
  attributes.forEach((attribute, element) => {
    const [key, ...rest] = wordsOf(attribute);
    const known = key === undefined ? undefined : evidence.attributes.get(key);
    // an attribute whose key the metadata has is checked against its value; any other must be in the input
    const flagged =
      known === undefined
        ? !supportedPhrase(evidence, attribute, 0.5) && {
            severity: SEVERITY.unsupportedAttribute,
            message: `claims attribute ${quoted(attribute)}, which nothing in the input mentions`,
          }
        : rest.length > 0 &&
          rest.join(' ') !== wordsOf(known).join(' ') && {
            severity: SEVERITY.contradictedAttribute,
            message: `claims ${quoted(attribute)}; the metadata says ${key} ${quoted(known)}`,
          };
    if (flagged) reasons.push(...reason(rendered, 'attributes', element, 'attribute', flagged.severity, flagged.message));
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
