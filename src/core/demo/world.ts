import { Random } from '../util/random';
import { ADJECTIVES, CATEGORIES, PRICE_TIERS, brandName } from './catalogue';

export interface DemoItem {
  id: string;
  title: string;
  category: string;
  brand: string;
  priceTier: string;
  attributes: Record<string, string>;
  description: string;
}

export interface DemoWorldOptions {
  seed: number;
  users: number;
  items: number;
  /** Probability that the next interaction stays in the current category. */
  stayProbability?: number;
  /** Called every few hundred users; returning true stops generation. */
  onUsers?: (done: number) => boolean | void;
}

const BRANDS_PER_CATEGORY = 5;
const MIN_LENGTH = 5;
const MAX_LENGTH = 60;

/** Items of the demo world with category, brand, attributes and a plain description. */
export function generateItems(random: Random, count: number): DemoItem[] {
  const brands = CATEGORIES.map(() => Array.from({ length: BRANDS_PER_CATEGORY }, () => brandName([random.int(16), random.int(16), random.int(16)])));
  return Array.from({ length: count }, (_, index) => {
    const categoryIndex = index % CATEGORIES.length;
    const category = CATEGORIES[categoryIndex];
    const brand = random.pick(brands[categoryIndex]);
    const noun = random.pick(category.nouns);
    const adjective = random.pick(ADJECTIVES);
    const attributes = Object.fromEntries(Object.entries(category.attributes).map(([name, values]) => [name, random.pick(values)]));
    const priceTier = random.pick(PRICE_TIERS);
    const details = Object.entries(attributes)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ');
    return {
      id: `i${index + 1}`,
      title: `${brand} ${adjective} ${noun}${attributes.size ? `, ${attributes.size}` : ''}`,
      category: category.name,
      brand,
      priceTier,
      attributes,
      description: `A ${priceTier} ${noun.toLowerCase()} from ${brand} in ${category.name.toLowerCase()} (${details}).`,
    };
  });
}

/**
 * Users whose interest drifts: each starts in a category, mostly stays, sometimes moves to a
 * neighbouring category on the ring, and prefers popular items (Zipf within the category) and
 * brands it already bought. Yields each user's (item index, timestamp) sequence.
 */
export function* generateSequences(
  random: Random,
  items: DemoItem[],
  options: DemoWorldOptions,
): Generator<{ user: string; items: number[]; times: number[] }> {
  const byCategory = CATEGORIES.map((category) => items.flatMap((item, index) => (item.category === category.name ? [index] : [])));
  const zipf = byCategory.map((members) => Float64Array.from(members, (_, rank) => 1 / Math.pow(rank + 1, 0.9)));
  const stay = options.stayProbability ?? 0.8;
  const start = Date.UTC(2024, 0, 1) / 1000;
  for (let user = 0; user < options.users; user++) {
    if (user % 500 === 0 && options.onUsers?.(user)) return;
    const length = Math.min(MAX_LENGTH, MIN_LENGTH + Math.floor(random.exponential(6)));
    let category = random.int(CATEGORIES.length);
    let time = start + Math.floor(random.next() * 180 * 86400);
    const seen = new Set<number>();
    const brands: string[] = [];
    const sequence: number[] = [];
    const times: number[] = [];
    while (sequence.length < length) {
      if (random.next() > stay) category = (category + (random.next() < 0.5 ? 1 : CATEGORIES.length - 1)) % CATEGORIES.length;
      const members = byCategory[category];
      if (members.length === 0) {
        category = (category + 1) % CATEGORIES.length;
        continue;
      }
      let item = members[random.weighted(zipf[category])];
      const loyal = brands.length > 0 && random.next() < 0.3 ? members.filter((m) => items[m].brand === brands[brands.length - 1] && !seen.has(m)) : [];
      if (loyal.length > 0) item = random.pick(loyal);
      if (seen.has(item) && seen.size < members.length) continue;
      seen.add(item);
      brands.push(items[item].brand);
      sequence.push(item);
      time += 3600 + Math.floor(random.exponential(5 * 86400));
      times.push(time);
    }
    yield { user: `u${user + 1}`, items: sequence, times };
  }
}
