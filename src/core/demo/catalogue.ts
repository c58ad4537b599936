/**
 * The vocabulary of the demo world: a small personal-care shop. Categories sit on a ring so that
 * a user's interest drifts to neighbouring categories (skincare → makeup → nails …), which gives
 * sequences a learnable order.
 */
export interface CategorySpec {
  name: string;
  nouns: string[];
  attributes: Record<string, string[]>;
}

export const CATEGORIES: CategorySpec[] = [
  {
    name: 'Skincare',
    nouns: ['Moisturizer', 'Serum', 'Cleanser', 'Toner', 'Eye Cream', 'Sunscreen'],
    attributes: { skin: ['dry', 'oily', 'sensitive', 'combination'], finish: ['matte', 'dewy'], size: ['30 ml', '50 ml', '100 ml'] },
  },
  {
    name: 'Makeup',
    nouns: ['Foundation', 'Concealer', 'Lipstick', 'Mascara', 'Eyeliner', 'Blush'],
    attributes: { shade: ['ivory', 'beige', 'rose', 'mocha', 'berry'], finish: ['matte', 'satin', 'shimmer'], size: ['5 g', '10 ml', '30 ml'] },
  },
  {
    name: 'Nails',
    nouns: ['Nail Lacquer', 'Top Coat', 'Base Coat', 'Nail File', 'Cuticle Oil'],
    attributes: { colour: ['red', 'nude', 'coral', 'navy', 'glitter'], finish: ['gloss', 'matte', 'crackle'], size: ['10 ml', '15 ml'] },
  },
  {
    name: 'Fragrance',
    nouns: ['Eau de Parfum', 'Body Mist', 'Cologne', 'Perfume Oil'],
    attributes: { scent: ['citrus', 'floral', 'woody', 'vanilla', 'musk'], strength: ['light', 'intense'], size: ['30 ml', '50 ml', '100 ml'] },
  },
  {
    name: 'Bath & Body',
    nouns: ['Body Wash', 'Body Lotion', 'Bath Salts', 'Hand Cream', 'Scrub'],
    attributes: { scent: ['lavender', 'coconut', 'mint', 'unscented'], skin: ['dry', 'normal', 'sensitive'], size: ['200 ml', '400 ml'] },
  },
  {
    name: 'Haircare',
    nouns: ['Shampoo', 'Conditioner', 'Hair Mask', 'Hair Oil', 'Styling Gel'],
    attributes: { hair: ['curly', 'fine', 'coloured', 'damaged'], scent: ['argan', 'coconut', 'unscented'], size: ['250 ml', '500 ml'] },
  },
  {
    name: 'Tools',
    nouns: ['Hair Dryer', 'Flat Iron', 'Makeup Brush Set', 'Tweezers', 'Curling Wand'],
    attributes: { material: ['ceramic', 'titanium', 'bamboo', 'steel'], power: ['1200 W', '1800 W', 'manual'] },
  },
  {
    name: "Men's Grooming",
    nouns: ['Beard Oil', 'Shaving Cream', 'Aftershave', 'Razor', 'Face Wash'],
    attributes: { scent: ['cedar', 'citrus', 'unscented'], skin: ['sensitive', 'normal'], size: ['50 ml', '150 ml'] },
  },
];

const SYLLABLES = ['lu', 'ma', 've', 'ri', 'so', 'ka', 'ne', 'ta', 'zo', 'pi', 'el', 'or', 'an', 'is', 'qu', 'da'];
export const ADJECTIVES = ['Hydrating', 'Gentle', 'Radiant', 'Classic', 'Daily', 'Ultra', 'Pure', 'Velvet', 'Fresh', 'Pro'];
export const PRICE_TIERS = ['budget', 'mid-range', 'premium', 'luxury'];

export function brandName(syllableIndexes: number[]): string {
  const word = syllableIndexes.map((i) => SYLLABLES[i % SYLLABLES.length]).join('');
  return word.charAt(0).toUpperCase() + word.slice(1);
}
