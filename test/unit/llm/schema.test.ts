import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiSchema, outputText, parseReply } from '../../../src/core/llm/schema';

const item = {
  summary: 'A red nail lacquer.',
  claims: { category: 'Nails', brand: 'OPI', attributes: ['red', 'glossy'], audience: '', price_tier: 'mid-range' },
};

test('a valid reply parses, also inside a Markdown code fence', () => {
  assert.deepEqual(parseReply('item', JSON.stringify(item)), { ok: true, output: item });
  assert.equal(parseReply('item', `\`\`\`json\n${JSON.stringify(item)}\n\`\`\``).ok, true);
});

test('malformed, truncated and schema-breaking replies are refused with a reason', () => {
  const malformed = parseReply('item', "{summary: 'x'");
  assert.equal(malformed.ok, false);
  assert.match((malformed as { reason: string }).reason, /malformed JSON/);
  const truncated = parseReply('item', JSON.stringify(item).slice(0, 20), 'max_tokens');
  assert.match((truncated as { reason: string }).reason, /truncated/);
  const extra = parseReply('item', JSON.stringify({ ...item, extra: 1 }));
  assert.match((extra as { reason: string }).reason, /schema.*additional/);
  const tier = parseReply('item', JSON.stringify({ ...item, claims: { ...item.claims, price_tier: 'cheap' } }));
  assert.match((tier as { reason: string }).reason, /price_tier/);
  const long = parseReply('item', JSON.stringify({ ...item, summary: 'x'.repeat(3000) }));
  assert.equal(long.ok, false);
  const user = parseReply('user', JSON.stringify(item));
  assert.equal(user.ok, false, 'an item description is not a user profile');
});

test('the API schema keeps the shape and drops length limits', () => {
  const schema = JSON.stringify(apiSchema('user'));
  assert.doesNotMatch(schema, /maxLength|minLength|maxItems/);
  assert.match(schema, /preferred_brands/);
  assert.match(schema, /"additionalProperties":false/);
});

test('outputText puts the summary first and skips empty or unknown claims', () => {
  const text = outputText({ ...item, claims: { ...item.claims, price_tier: 'unknown' } });
  assert.equal(text, 'A red nail lacquer.\ncategory: Nails\nbrand: OPI\nattributes: red, glossy');
});
