import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitSegments } from '../../../webview/review/segments';

const marked = (text: string, spans: Array<{ start: number; end: number }>) => splitSegments(text, spans).map((s) => [s.text, s.spans]);

describe('flagged span → text segments', () => {
  test('no spans: one plain segment', () => {
    assert.deepEqual(marked('plain text', []), [['plain text', []]]);
  });

  test('a span in the middle cuts the text in three', () => {
    assert.deepEqual(marked('brand: Acme lipstick', [{ start: 7, end: 11 }]), [
      ['brand: ', []],
      ['Acme', [0]],
      [' lipstick', []],
    ]);
  });

  test('overlapping spans become runs naming every covering span', () => {
    assert.deepEqual(
      marked('abcdefgh', [
        { start: 1, end: 5 },
        { start: 3, end: 7 },
      ]),
      [
        ['a', []],
        ['bc', [0]],
        ['de', [0, 1]],
        ['fg', [1]],
        ['h', []],
      ],
    );
  });

  test('spans out of range, empty or inverted are clamped or dropped', () => {
    assert.deepEqual(
      marked('short', [
        { start: -4, end: 2 },
        { start: 3, end: 99 },
        { start: 4, end: 4 },
        { start: 4, end: 1 },
      ]),
      [
        ['sh', [0]],
        ['o', []],
        ['rt', [1]],
      ],
    );
  });

  test('adjacent spans stay separate; the same span twice merges into one run', () => {
    assert.deepEqual(
      marked('aabb', [
        { start: 0, end: 2 },
        { start: 2, end: 4 },
      ]),
      [
        ['aa', [0]],
        ['bb', [1]],
      ],
    );
    assert.deepEqual(
      marked('aabb', [
        { start: 0, end: 4 },
        { start: 0, end: 4 },
      ]),
      [['aabb', [0, 1]]],
    );
  });

  test('the segments always put the whole text back together, markup included', () => {
    const text = 'Evil <script>alert(1)</script> serum';
    const segments = splitSegments(text, [
      { start: 5, end: 13 },
      { start: 0, end: 4 },
    ]);
    assert.equal(segments.map((s) => s.text).join(''), text);
    assert.ok(segments.every((s) => text.slice(s.start, s.end) === s.text));
  });
});
