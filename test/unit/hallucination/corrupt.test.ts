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
  assert.notDeepEqual(
    a.truth.items.map((item) => item.id),
    c.truth.items.map((item) => item.id),
  );
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
    for (const kind of item.kinds)
      assert.ok(
        item.spans.some((span) => span.kind === kind && span.field !== 'summary'),
        `${item.id}: a ${kind} claim`,
      );
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
  for (const item of truth.items)
    assert.ok(item.spans.some((span) => span.field === 'summary' && item.corrupted.includes(`It belongs to the ${span.text} category.`)));
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
  // a corrupted row's output is its corrupted description (what the detector reads); the others are untouched
  out.outputs.forEach((output, i) => (changed.has(i) ? assert.equal(outputText(output!), out.texts[i]) : assert.equal(output, texts.outputs[i])));
  assert.equal(corruptEntityTexts(texts, dataset, split, { fraction: 0 }).texts, texts);
});

test('families mix by share: each corrupted item in exactly one, counts by largest remainder, default = invented specifics only', () => {
  const input = records(103);
  const { truth } = corruptDescriptions(input, { fraction: 0.5, seed: 4, mix: { 'wrong-product': 2, specifics: 1, generic: 1 } });
  assert.equal(truth.items.length, 52);
  assert.deepEqual(truth.counts, { 'wrong-product': 26, specifics: 13, generic: 13 });
  assert.deepEqual(truth.mix, { 'wrong-product': 0.5, specifics: 0.25, generic: 0.25 });
  for (const item of truth.items)
    assert.ok(
      item.family === 'specifics'
        ? item.kinds.every((kind) => ['category', 'brand', 'attributes'].includes(kind))
        : item.kinds.length === 1 && item.kinds[0] === item.family,
    );
  const implicit = corruptDescriptions(input, { fraction: 0.3, seed: 4 });
  assert.equal(JSON.stringify(implicit), JSON.stringify(corruptDescriptions(input, { fraction: 0.3, seed: 4, mix: { specifics: 1 } })));
  assert.ok(implicit.truth.items.every((item) => item.family === 'specifics'));
});

test("wrong product: the whole text is another item's description, of another category, every part a span", () => {
  const input = records(60);
  const { records: out, truth } = corruptDescriptions(input, { fraction: 0.5, seed: 8, mix: { 'wrong-product': 1 } });
  const byId = new Map(input.map((record) => [record.id, record]));
  for (const item of truth.items) {
    const donor = byId.get(item.donor!)!;
    assert.notEqual(item.donor, item.id);
    assert.equal(item.corrupted, outputText(donor.description), 'the donor description, verbatim');
    assert.equal(outputText(out[item.index].description), item.corrupted);
    assert.notEqual(donor.description.claims.category, input[item.index].description.claims.category, 'another category');
    const covered = item.spans.reduce((sum, span) => sum + span.end - span.start, 0);
    assert.ok(item.spans.every((span) => span.kind === 'wrong-product' && item.corrupted.slice(span.start, span.end) === span.text));
    assert.ok(covered >= item.corrupted.replace(/\n[a-z_ ]+: /g, '').length - 2, 'the spans cover the text but its field labels');
  }
});

test('generic filler: no item-specific content (empty claims, none of the original words that name it)', () => {
  const input = records(40);
  const { records: out, truth } = corruptDescriptions(input, { fraction: 0.5, seed: 2, mix: { generic: 1 } });
  assert.equal(truth.items.length, 20);
  for (const item of truth.items) {
    const description = out[item.index].description;
    assert.deepEqual(description.claims, { category: '', brand: '', attributes: [], audience: '', price_tier: 'unknown' });
    for (const word of [`Widget ${item.index}`, input[item.index].description.claims.category, 'Industrial'])
      assert.ok(!item.corrupted.includes(word), `${item.id}: "${word}" gone`);
    assert.deepEqual(
      item.spans.map((span) => [span.kind, span.field, span.start, span.end]),
      [['generic', 'summary', 0, item.corrupted.length]],
    );
  }
});

test('target head hits popular items (∝ training interactions + 1); uniform hits head and tail alike', () => {
  const input = records(200);
  const popularity = Float64Array.from({ length: 200 }, (_, i) => (i < 20 ? 500 : 0));
  const head = corruptDescriptions(input, { fraction: 0.1, seed: 6, target: 'head', popularity }).truth;
  assert.equal(head.target, 'head');
  assert.ok(head.items.filter((item) => item.index < 20).length >= 18, `head: ${head.items.filter((item) => item.index < 20).length} of 20 popular`);
  const uniform = corruptDescriptions(input, { fraction: 0.1, seed: 6, popularity }).truth;
  assert.ok(uniform.items.filter((item) => item.index < 20).length <= 6, 'uniform ignores popularity');
});

test('bad corruption options are refused with the reason', () => {
  const input = records(10);
  assert.throws(() => corruptDescriptions(input, { fraction: 0.2, mix: { bogus: 1 } as never }), /unknown family "bogus"/);
  assert.throws(() => corruptDescriptions(input, { fraction: 0.2, mix: { generic: -1 } }), /generic must be a share ≥ 0/);
  assert.throws(() => corruptDescriptions(input, { fraction: 0.2, mix: { generic: 0 } }), /at least one family/);
  assert.throws(() => corruptDescriptions(input, { fraction: 0.2, target: 'head' }), /needs the training popularity/);
  assert.throws(() => corruptDescriptions(input, { fraction: 0.2, kinds: ['generic'] as never }), /kinds must be among category, brand, attributes/);
});
