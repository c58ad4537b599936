import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

export type Entity = 'item' | 'user';

export const PRICE_TIERS = ['budget', 'mid-range', 'premium', 'luxury', 'unknown'] as const;
export type PriceTier = (typeof PRICE_TIERS)[number];

/** What the LLM writes for an item: a summary plus claims that can be checked against metadata. */
export interface ItemDescription {
  summary: string;
  claims: { category: string; brand: string; attributes: string[]; audience: string; price_tier: PriceTier };
}

/** What the LLM writes for a user, from the titles of the training prefix only. */
export interface UserProfile {
  summary: string;
  claims: { interests: string[]; preferred_brands: string[]; attributes: string[]; audience: string; price_tier: PriceTier };
}

export type SynthesisOutput = ItemDescription | UserProfile;

// Unknown values are empty strings/lists rather than nulls: the simplest schema every structured-output
// implementation accepts, and one shape for the hallucination checks to read.
const text = (maxLength: number) => ({ type: 'string', maxLength });
const list = (maxItems: number) => ({ type: 'array', items: text(120), maxItems });
const priceTier = { type: 'string', enum: [...PRICE_TIERS] };

function objectOf(properties: Record<string, object>): object {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

/** The full schemas, with the length limits a reply is validated against. */
export const OUTPUT_SCHEMAS: Record<Entity, object> = {
  item: objectOf({
    summary: { ...text(2000), minLength: 1 },
    claims: objectOf({ category: text(200), brand: text(120), attributes: list(20), audience: text(200), price_tier: priceTier }),
  }),
  user: objectOf({
    summary: { ...text(2000), minLength: 1 },
    claims: objectOf({ interests: list(20), preferred_brands: list(20), attributes: list(20), audience: text(200), price_tier: priceTier }),
  }),
};

const LIMIT_KEYWORDS = new Set(['minLength', 'maxLength', 'minItems', 'maxItems']);

/**
 * The schema sent to the API as the structured-output format: the same shape without length
 * limits, which structured-output decoders do not all support. Limits are enforced on receipt.
 */
export function apiSchema(entity: Entity): Record<string, unknown> {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !LIMIT_KEYWORDS.has(key))
        .map(([key, v]) => [key, strip(v)]),
    );
  };
  return strip(OUTPUT_SCHEMAS[entity]) as Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: false, strict: true });
const validators: Record<Entity, ValidateFunction> = {
  item: ajv.compile(OUTPUT_SCHEMAS.item),
  user: ajv.compile(OUTPUT_SCHEMAS.user),
};

export type ParsedReply = { ok: true; output: SynthesisOutput } | { ok: false; reason: string };

/**
 * Parses and validates a reply. The text is untrusted: it is only ever JSON.parse'd, and a reason
 * for refusing it quotes at most a short excerpt.
 */
export function parseReply(entity: Entity, text: string, stopReason?: string | null): ParsedReply {
  if (stopReason === 'max_tokens') return { ok: false, reason: `truncated reply (stop_reason max_tokens, ${text.length} chars)` };
  if (stopReason === 'refusal') return { ok: false, reason: 'the model refused' };
  const body = unfence(text.trim());
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `malformed JSON (${(error as Error).message.slice(0, 80)}) in ${excerpt(body)}` };
  }
  const validate = validators[entity];
  if (!validate(value)) return { ok: false, reason: `reply breaks the ${entity} schema: ${describe(validate.errors)}` };
  return { ok: true, output: value as SynthesisOutput };
}

/** Models sometimes wrap JSON in a Markdown code fence despite being asked not to. */
function unfence(text: string): string {
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(text);
  return fenced ? fenced[1].trim() : text;
}

function describe(errors: ErrorObject[] | null | undefined): string {
  const error = errors?.[0];
  if (!error) return 'invalid';
  const where = error.instancePath || '/';
  const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `${where} ${error.message ?? error.keyword}${extra}`;
}

function excerpt(text: string, max = 60): string {
  const quoted = JSON.stringify(text);
  return quoted.length <= max ? quoted : `${quoted.slice(0, max - 4)}…"`;
}

/** Flattens an output into the text that gets embedded: the summary, then each claim on its own line. */
export function outputText(output: SynthesisOutput): string {
  const lines = [output.summary];
  for (const [name, value] of Object.entries(output.claims)) {
    const rendered = Array.isArray(value) ? value.join(', ') : value;
    if (rendered && rendered !== 'unknown') lines.push(`${name.replace(/_/g, ' ')}: ${rendered}`);
  }
  return lines.join('\n');
}
