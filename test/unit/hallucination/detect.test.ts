import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coInteractionNeighbours, overlapAtK, textNeighbours } from '../../../src/core/hallucination/collaborative';
import { DEFAULT_DETECTOR, detect, noisyOr, type DetectInput } from '../../../src/core/hallucination/detect';
import type { FlagReason } from '../../../src/core/hallucination/types';
import type { EntityInput } from '../../../src/core/llm/inputs';
import { outputText, type ItemDescription, type UserProfile } from '../../../src/core/llm/schema';
import { Random } from '../../../src/core/util/random';

function itemInput(id: string, fields: Array<[string, string]>): EntityInput {
  return { entity: 'item', index: 0, id, input: { fields }, inputHash: id };
}

function item(summary: string, claims: Partial<ItemDescription['claims']> = {}): ItemDescription {
  return { summary, claims: { category: '', brand: '', attributes: [], audience: '', price_tier: 'unknown', ...claims } };
}

function one(input: EntityInput, output: ItemDescription, extra: Partial<DetectInput> = {}, config: Parameters<typeof detect>[1] = {}) {
  return detect({ entity: 'item', ids: [input.id], inputs: [input], outputs: [output], ...extra }, config)[0];
}

const spans = (reasons: FlagReason[], signal: string, kind?: string): Array<[number, number, string]> =>
  reasons
    .filter((r) => r.signal === signal && (kind === undefined || r.kind === kind))
    .map((r) => [r.start, r.end, r.text] as [number, number, string])
    .sort((a, b) => a[0] - b[0]);

const HAMMER = itemInput('h1', [
  ['title', 'Acme Claw Hammer'],
  ['brand', 'Acme'],
  ['categories', 'Tools,Hand Tools,Hammers'],
]);

test('contradiction: a category and a brand the metadata contradicts, and an attribute nothing supports, with exact spans', () => {
  const output = item('Acme Claw Hammer. Brand: Zorvex.', { category: 'Lab Supplies', brand: 'Zorvex', attributes: ['weight 16 oz'] });
  const record = one(HAMMER, output);
  assert.equal(record.text, 'Acme Claw Hammer. Brand: Zorvex.\ncategory: Lab Supplies\nbrand: Zorvex\nattributes: weight 16 oz');
  assert.deepEqual(spans(record.reasons, 'contradiction', 'category'), [[43, 55, 'Lab Supplies']]);
  assert.deepEqual(spans(record.reasons, 'contradiction', 'brand'), [
    [25, 31, 'Zorvex'],
    [63, 69, 'Zorvex'],
  ]);
  assert.deepEqual(spans(record.reasons, 'contradiction', 'attribute'), [[82, 94, 'weight 16 oz']]);
  assert.match(record.reasons.find((r) => r.kind === 'brand')!.message, /the metadata says "Acme"/);
  // Category and brand contradicted (severity 1 each): the signal is certain.
  assert.equal(record.signals.contradiction.score, 1);
});

test('contradiction: claims the metadata agrees with raise nothing', () => {
  const record = one(HAMMER, item('A claw hammer by Acme.', { category: 'Hammers', brand: 'ACME', attributes: ['claw'] }));
  assert.deepEqual(spans(record.reasons, 'contradiction'), []);
  assert.equal(record.signals.contradiction.score, 0);
});

test('contradiction: an attribute the metadata gives another value for', () => {
  const input = itemInput('c1', [
    ['title', 'Rose Hand Cream'],
    ['attributes', 'scent=rose size=50 ml'],
  ]);
  const record = one(input, item('Rose Hand Cream.', { attributes: ['scent vanilla', 'size 50 ml'] }));
  assert.deepEqual(spans(record.reasons, 'contradiction', 'attribute'), [[29, 42, 'scent vanilla']]);
});

test('unsupported specifics: numbers, sizes, dates, materials and names absent from the input, with exact spans', () => {
  const input = itemInput('c2', [
    ['title', 'Rose Hand Cream'],
    ['description', 'A rich cream for dry hands.'],
  ]);
  const summary = 'Rose Hand Cream for dry hands. It is made of titanium, holds 350 ml and was launched in March 1987 by Kylumora Labs, 3 times better.';
  const record = one(input, item(summary));
  assert.deepEqual(spans(record.reasons, 'unsupported'), [
    [45, 53, 'titanium'],
    [61, 67, '350 ml'],
    [88, 93, 'March'],
    [94, 98, '1987'],
    [102, 115, 'Kylumora Labs'],
    [117, 118, '3'],
  ]);
  assert.deepEqual(
    record.reasons
      .filter((r) => r.signal === 'unsupported')
      .map((r) => r.kind)
      .sort(),
    ['date', 'date', 'entity', 'material', 'number', 'size'],
  );
  const score = record.signals.unsupported.score!;
  assert.ok(score > 0.9 && score < 1, `${score}`);
});

test('unsupported specifics: details that are in the input are supported, whatever their form', () => {
  const input = itemInput('s1', [
    ['title', 'Stanley Steel Staples (1,000 Count), 1/2-Inch'],
    ['description', "Made in 2019 for O'Brien Tools. Fits the T-50 tacker."],
  ]);
  const summary = "Stanley steel staples, 1000 count, 1/2-inch, made in 2019 for O'Brien Tools; fits the T-50. Vertical…";
  const record = one(input, item(summary, { brand: 'Stanley' }));
  assert.deepEqual(spans(record.reasons, 'unsupported'), []);
  assert.equal(record.signals.unsupported.score, 0);
});

test('user profiles: a preferred brand in none of the training titles is a reason', () => {
  const input: EntityInput = { entity: 'user', index: 0, id: 'u1', input: { titles: ['OPI Nail Lacquer', 'Essie Top Coat'], trainLength: 2 }, inputHash: 'u1' };
  const output: UserProfile = {
    summary: 'Buys nail polish.',
    claims: { interests: ['nails'], preferred_brands: ['OPI', 'Chanel'], attributes: [], audience: '', price_tier: 'unknown' },
  };
  const [record] = detect({ entity: 'user', ids: ['u1'], inputs: [input], outputs: [output] });
  assert.equal(record.text, 'Buys nail polish.\ninterests: nails\npreferred brands: OPI, Chanel');
  assert.deepEqual(spans(record.reasons, 'contradiction'), [[58, 64, 'Chanel']]);
  assert.equal(record.signals.collaborative.score, null);
  assert.equal(record.signals.collaborative.absent, 'an item-level signal');
});

test('co-interaction neighbours come from the sequences given (training prefixes), most frequent first', () => {
  const co = coInteractionNeighbours([Int32Array.of(0, 1, 0, 1), Int32Array.of(0, 2), Int32Array.of(3, 4)], 5, 10);
  assert.deepEqual(Array.from(co[0]), [1, 2]);
  assert.deepEqual(Array.from(co[3]), [4]);
  assert.deepEqual(Array.from(co[2]), [0]);
});

test('text neighbours: TF-IDF cosine, self excluded, most similar first', () => {
  const nb = textNeighbours(['red apple fruit', 'red apple juice', 'apple fruit pie', 'blue car', 'blue car wheel'], 2);
  assert.deepEqual(new Set(nb[0]), new Set([1, 2]));
  assert.deepEqual(Array.from(nb[3]), [4]);
});

test('semantic vs collaborative: overlap@K of text and co-interaction neighbours', () => {
  assert.deepEqual(overlapAtK(Int32Array.of(1, 2), Int32Array.of(2, 1), 2, 2), { overlap: 1, shared: 2, compared: 2 });
  assert.deepEqual(overlapAtK(Int32Array.of(3, 4), Int32Array.of(1, 2), 2, 2), { overlap: 0, shared: 0, compared: 2 });
  assert.equal(overlapAtK(Int32Array.of(3, 4), Int32Array.of(1), 2, 2).overlap, null);
  const texts = ['red apple fruit', 'red apple juice', 'apple fruit pie', 'blue car', 'blue car wheel'];
  const train = [Int32Array.of(0, 1, 0, 1), Int32Array.of(0, 2, 0, 2), Int32Array.of(3, 4, 3, 4)];
  const run = (first: string) => {
    const all = [first, ...texts.slice(1)];
    return detect(
      {
        entity: 'item',
        ids: all.map((_, i) => `i${i}`),
        inputs: all.map((t, i) => itemInput(`i${i}`, [['title', t]])),
        outputs: all.map((t) => item(t)),
        train,
      },
      { overlapK: 2, minCoNeighbours: 2 },
    );
  };
  const sound = run('red apple fruit')[0];
  assert.equal(sound.signals.collaborative.score, 0);
  const swapped = run('blue car engine')[0];
  assert.equal(swapped.signals.collaborative.score, 1);
  const reason = swapped.reasons.find((r) => r.signal === 'collaborative')!;
  assert.deepEqual([reason.start, reason.end], [0, 'blue car engine'.length]);
  // Item 3 has a single co-interaction neighbour: absent, with the reason.
  assert.equal(sound.signals.collaborative.score === null, false);
  assert.match(run('red apple fruit')[3].signals.collaborative.absent ?? '', /1 co-interaction neighbour/);
});

test('model distrust: absent with a reason without a checkpoint; scored from the attention mass when given', () => {
  const output = item('Acme Claw Hammer.');
  assert.equal(one(HAMMER, output).signals.distrust.score, null);
  assert.equal(one(HAMMER, output, { attentionAbsent: 'no checkpoint' }).signals.distrust.absent, 'no checkpoint');
  // relative to the catalogue median: 0.1 / 0.5 = 0.2 of the median → (0.5 - 0.2) / 0.5
  const low = one(HAMMER, output, { attention: () => ({ mass: 0.1, median: 0.5 }) });
  assert.ok(Math.abs(low.signals.distrust.score! - 0.6) < 1e-12);
  assert.match(low.reasons.find((r) => r.signal === 'distrust')?.message ?? '', /10\.0 % .* median 50\.0 %/);
  assert.equal(one(HAMMER, output, { attention: () => ({ mass: 0.9, median: 0.5 }) }).signals.distrust.score, 0);
  assert.equal(one(HAMMER, output, { attention: () => ({ mass: 0.02, median: 0.02 }) }).signals.distrust.score, 0);
  assert.match(one(HAMMER, output, { attention: () => undefined }).signals.distrust.absent ?? '', /no attention/);
  // by default it informs and does not move the risk (not informative enough, see DEFAULT_DETECTOR); a weight brings it back
  assert.equal(low.risk, one(HAMMER, output).risk);
  const weighted = one(HAMMER, output, { attention: () => ({ mass: 0.1, median: 0.5 }) }, { weights: { ...DEFAULT_DETECTOR.weights, distrust: 0.5 } });
  assert.ok(weighted.risk > low.risk);
});

test('risk and every signal stay in [0, 1]; the threshold decides the flag', () => {
  const random = new Random(4);
  const words = ['Acme', 'hammer', '350 ml', 'titanium', 'Zorvex', '1987', 'steel', 'Lab', 'Supplies', 'red', '12', 'Kylumora Labs'];
  const outputs = Array.from({ length: 60 }, (_, i) =>
    i % 4 === 0
      ? item('Acme Claw Hammer.', { brand: 'Acme' })
      : item(Array.from({ length: 12 }, () => random.pick(words)).join(' '), {
          brand: random.pick(['', 'Acme', 'Zorvex']),
          category: random.pick(['', 'Hammers', 'Lab Supplies']),
          attributes: [random.pick(['red', '9 kg'])],
        }),
  );
  const records = detect(
    {
      entity: 'item',
      ids: outputs.map((_, i) => `x${i}`),
      inputs: outputs.map((_, i) => ({ ...HAMMER, id: `x${i}` })),
      outputs,
      train: [Int32Array.from({ length: 60 }, (_, i) => i)],
      attention: (row) => (row % 3 === 0 ? undefined : { mass: (row % 10) / 10, median: 0.5 }),
    },
    { minCoNeighbours: 1 },
  );
  for (const record of records) {
    assert.ok(record.risk >= 0 && record.risk <= 1, `${record.risk}`);
    for (const signal of Object.values(record.signals)) assert.ok(signal.score === null || (signal.score >= 0 && signal.score <= 1));
    assert.equal(record.flagged, record.risk >= 0.5);
    for (const reason of record.reasons) assert.equal(record.text.slice(reason.start, reason.end), reason.text);
  }
  assert.ok(records.some((r) => r.flagged) && records.some((r) => !r.flagged));
  assert.equal(noisyOr([0.5, 0.5]), 0.75);
  assert.throws(() => detect({ entity: 'item', ids: [], inputs: [], outputs: [] }, { threshold: 2 }), /threshold/);
});

test('untrusted text is only ever data: markup, template syntax and odd ids pass through as plain strings', () => {
  const nasty = '<img src=x onerror=alert(1)> ${process.exit(1)} {{title}} (.*)+ __proto__';
  const input = itemInput('__proto__', [
    ['title', 'Plain Soap'],
    ['brand', 'C++ (.*)'],
  ]);
  const record = one(input, item(`Plain Soap. ${nasty}`, { brand: 'C++ (.*)', category: '<b>Soap</b>' }));
  assert.equal(record.id, '__proto__');
  assert.equal(record.text, outputText(item(`Plain Soap. ${nasty}`, { brand: 'C++ (.*)', category: '<b>Soap</b>' })));
  assert.ok(!record.reasons.some((r) => r.kind === 'brand'), 'a brand full of regex syntax is matched literally');
  for (const reason of record.reasons) assert.equal(record.text.slice(reason.start, reason.end), reason.text);
});

test('nonspecific: a text that never names its item (generic filler, another product) is flagged; one that names it is not', () => {
  const input: EntityInput = { entity: 'item', index: 0, id: 'x', inputHash: 'h', input: { fields: [['title', 'OPI Nail Lacquer, Simmer and Shimmer']] } };
  const output = (summary: string) => ({ summary, claims: { category: '', brand: '', attributes: [], audience: '', price_tier: 'unknown' as const } });
  const [generic, named, other] = detect({
    entity: 'item',
    ids: ['a', 'b', 'c'],
    inputs: [input, input, input],
    outputs: [output('This product is designed to meet everyday needs.'), output('A shimmer nail lacquer by OPI.'), output('A lacquer for wood floors.')],
  });
  assert.equal(generic.signals.nonspecific.score, 1);
  assert.ok(generic.flagged && generic.reasons.some((reason) => reason.signal === 'nonspecific' && /none of the words of its title/.test(reason.message)));
  assert.equal(named.signals.nonspecific.score, 0);
  assert.equal(other.signals.nonspecific.score, 0.5, 'one title word of two needed');
  const untitled = detect({
    entity: 'item',
    ids: ['d'],
    inputs: [{ entity: 'item', index: 0, id: 'd', inputHash: 'h', input: { fields: [['brand', 'OPI']] } }],
    outputs: [output('Anything.')],
  })[0];
  assert.equal(untitled.signals.nonspecific.score, null);
});
