import type { ItemInput, UserInput } from './inputs';
import type { CallOptions, ProviderReply, SynthesisProvider, SynthesisTask } from './provider';
import type { ItemDescription, PriceTier, UserProfile } from './schema';

/**
 * The offline provider: writes the same JSON as an LLM would, from metadata alone. It knows nothing
 * about the world beyond the dataset, and every record it writes says so (worldKnowledge: false).
 * Used by the demo and whenever no API key is set. Bump the model version when its output changes.
 */
export class MetadataProvider implements SynthesisProvider {
  readonly name = 'metadata';
  readonly model: string = 'metadata-only-v1';
  readonly worldKnowledge = false;
  readonly paid = false;
  readonly remote = false;

  async complete(task: SynthesisTask, _options: CallOptions): Promise<ProviderReply> {
    return offlineReply(task.entity === 'item' ? describeItem(task.input.input as ItemInput) : profileUser(task.input.input as UserInput));
  }
}

/** A reply written offline: the record as JSON, no tokens spent. */
export function offlineReply(output: ItemDescription | UserProfile): ProviderReply {
  return { text: JSON.stringify(output), stopReason: 'end_turn', usage: { inputTokens: 0, outputTokens: 0 } };
}

function field(input: ItemInput, ...names: string[]): string {
  for (const name of names) {
    const found = input.fields.find(([field]) => field.toLowerCase() === name);
    if (found) return found[1];
  }
  return '';
}

function priceTier(value: string): PriceTier {
  const tier = value.toLowerCase().trim();
  if (tier === 'budget' || tier === 'mid-range' || tier === 'premium' || tier === 'luxury') return tier;
  const price = Number(tier.replace(/[^0-9.]/g, ''));
  if (tier === '' || !Number.isFinite(price) || price <= 0) return 'unknown';
  return price < 10 ? 'budget' : price < 40 ? 'mid-range' : price < 120 ? 'premium' : 'luxury';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function describeItem(input: ItemInput): ItemDescription {
  const title = field(input, 'title');
  const brand = field(input, 'brand');
  const categories = field(input, 'categories', 'category');
  const category = clip(
    categories
      .split(/\s*[,>|]\s*/)
      .filter(Boolean)
      .pop() ?? '',
    200,
  );
  const attributes = field(input, 'attributes')
    .split(/\s*[;,]\s*|\s+(?=\w+=)/)
    .map((part) => part.replace('=', ' ').trim())
    .filter((part) => part !== '' && !/^\d+$/.test(part))
    .slice(0, 8)
    .map((part) => clip(part, 120));
  const description = field(input, 'description');
  const parts = [
    title || 'An item with no title',
    brand && `Brand: ${brand}.`,
    categories && `Category: ${categories}.`,
    description && clip(description, 600),
  ];
  return {
    summary: clip(parts.filter(Boolean).join(' '), 2000),
    claims: { category, brand: clip(brand, 120), attributes, audience: '', price_tier: priceTier(field(input, 'price_tier', 'price')) },
  };
}

export function profileUser(input: UserInput): UserProfile {
  const recent = input.titles.slice(-10).reverse();
  return {
    summary: clip(`Bought ${input.trainLength} item${input.trainLength === 1 ? '' : 's'}; most recently: ${recent.join('; ')}.`, 2000),
    claims: { interests: [], preferred_brands: [], attributes: [], audience: '', price_tier: 'unknown' },
  };
}
