import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../../src/core/data/load';
import { leaveOneOut } from '../../../src/core/data/split';
import { entityTexts } from '../../../src/core/embed/texts';
import { corruptEntityTexts } from '../../../src/core/hallucination/training';
import { FIXTURES, tempFolder } from '../helpers';
import { corruptDescriptions, type DescriptionRecord } from '../../../src/core/hallucination/corrupt';
import { renderWithOffsets } from '../../../src/core/hallucination/text';
import { outputText, type ItemDescription } from '../../../src/core/llm/schema';

const CATEGORIES = ['Capacitors', 'Lab Supplies', 'Hand Tools', 'Adhesives'];

function records(n: number): DescriptionRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const category = CATEGORIES[i % CATEGORIES.length];
    const brand = i % 3 === 0 ? '' : `Acme${i % 7}`;
    const description: ItemDescription = {
      summary: `Widget ${i}${brand ? ` Brand: ${brand}.` : ''} Category: Industrial,${category}. A sturdy part for repairs.`,
      claims: { category, brand, attributes: i % 2 ? ['red'] : [], audience: '', price_tier: 'unknown' },
    };
    return { id: `item-${i}`, description };
  });
}

test('renderWithOffsets is byte-identical to outputText and its segments hold the claim values', () => {
  for (const { description } of records(12)) {
    const rendered = renderWithOffsets(description);
    assert.equal(rendered.text, outputText(description));
    for (const segment of rendered.segments.filter((s) => s.field !== 'summary')) {
      const value = (description.claims as unknown as Record<string, string | string[]>)[segment.field];
      assert.equal(rendered.text.slice(segment.start, segment.end), Array.isArray(value) ? value[segment.element!] : value);
    }
  }
});

test('exactly round(fraction × n) items are corrupted, and the fraction 0 corrupts none', () => {
  const input = records(101);
  assert.equal(corruptDescriptions(input, { fraction: 0.2, seed: 3 }).truth.items.length, 20);
  assert.equal(corruptDescriptions(input, { fraction: 0.25, seed: 3 }).truth.items.length, 25);
  assert.equal(corruptDescriptions(input, { fraction: 0, seed: 3 }).truth.items.length, 0);
  assert.equal(corruptDescriptions(input, { fraction: 1, seed: 3 }).truth.items.length, 101);
});

test('the same seed gives the same corruption; another seed picks other items', () => {
  const input = records(200);
  const a = corruptDescriptions(input, { fraction: 0.2, seed: 11 });
  const b = corruptDescriptions(structuredClone(input), { fraction: 0.2, seed: 11 });
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  const c = corruptDescriptions(input, { fraction: 0.2, seed: 12 });
  assert.notDeepEqual(a.truth.items.map((item) => item.id), c.truth.items.map((item) => item.id));
});

test('untouched items are byte-identical and the input is not mutated', () => {
  const input = records(60);
  const before = JSON.stringify(input);
  const { records: out, truth } = corruptDescriptions(input, { fraction: 0.3, seed: 5 });
  assert.equal(JSON.stringify(input), before);
  const corrupted = new Set(truth.items.map((item) => item.index));
  out.forEach((record, i) => {
    if (corrupted.has(i)) assert.notEqual(outputText(record.description), outputText(input[i].description));
    else assert.equal(JSON.stringify(record), JSON.stringify(input[i]));
  });
});

test('the ground truth matches the edits: texts, spans and kinds', () => {
  const input = records(80);
  const { records: out, truth } = corruptDescriptions(input, { fraction: 0.5, seed: 9 });
  assert.equal(truth.categorySource, 'dataset');
  for (const item of truth.items) {
    assert.equal(item.original, outputText(input[item.index].description));
    assert.equal(item.corrupted, outputText(out[item.index].description));
    assert.ok(item.kinds.length >= 1);
    for (const span of item.spans) {
      assert.equal(item.corrupted.slice(span.start, span.end), span.text, `${item.id} span ${span.kind}`);
      assert.ok(item.kinds.includes(span.kind));
    }
    for (const kind of item.kinds) assert.ok(item.spans.some((span) => span.kind === kind && span.field !== 'summary'), `${item.id}: a ${kind} claim`);
    const claims = out[item.index].description.claims;
    if (item.kinds.includes('category')) {
      assert.notEqual(claims.category, input[item.index].description.claims.category);
      assert.ok(CATEGORIES.includes(claims.category), 'swapped in from a real category of the dataset');
      assert.ok(!item.corrupted.split('\n')[0].includes(`,${input[item.index].description.claims.category}.`), 'the old category mention is replaced');
    }
    if (item.kinds.includes('brand')) assert.ok(!/^Acme/.test(claims.brand));
    if (item.kinds.includes('attributes')) assert.ok(claims.attributes.length > input[item.index].description.claims.attributes.length);
    // Outside the spans, only the summary sentences added around them differ: the claim lines are the rest.
    assert.ok(item.spans.every((span) => span.end <= item.corrupted.length));
  }
});

test('a dataset without categories swaps in built-in ones, and says so', () => {
  const input = records(20).map((record) => ({ ...record, description: { ...record.description, claims: { ...record.description.claims, category: '' } } }));
  const { truth } = corruptDescriptions(input, { fraction: 1, seed: 1, kinds: ['category'] });
  assert.equal(truth.categorySource, 'builtin');
  for (const item of truth.items) assert.ok(item.spans.some((span) => span.field === 'summary' && item.corrupted.includes(`It belongs to the ${span.text} category.`)));
});

test('bad options are refused', () => {
  assert.throws(() => corruptDescriptions(records(3), { fraction: 1.5 }), /fraction/);
  assert.throws(() => corruptDescriptions(records(3), { fraction: Number.NaN }), /fraction/);
  assert.throws(() => corruptDescriptions(records(3), { fraction: 0.5, seed: -1 }), /seed/);
  assert.throws(() => corruptDescriptions(records(3), { fraction: 0.5, kinds: [] }), /kinds/);
});

test('corruptEntityTexts: the texts a run embeds, with only the chosen share rewritten', async () => {
  const dataset = await loadDataset(join(FIXTURES, 'tiny'));
  const split = leaveOneOut(dataset.sequences);
  const texts = await entityTexts(dataset, split, tempFolder(), 'item', 'none');
  const { texts: out, truth } = corruptEntityTexts(texts, dataset, split, { fraction: 0.5, seed: 2 });
  assert.equal(truth.items.length, 2);
  const changed = new Set(truth.items.map((item) => item.index));
  out.texts.forEach((text, i) => assert.equal(text, changed.has(i) ? truth.items.find((item) => item.index === i)!.corrupted : texts.texts[i]));
  assert.notEqual(out.sha256, texts.sha256);
  assert.equal(corruptEntityTexts(texts, dataset, split, { fraction: 0 }).texts, texts);
});
