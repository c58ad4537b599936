import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { visibleWindow } from '../../../webview/ui/window';
import { back, canGoBack, canGoForward, current, forward, visit } from '../../../webview/neighbours/history';
import { searchEntities } from '../../../webview/neighbours/search';

describe('virtual list window', () => {
  test('at the top: the visible rows plus the overscan below', () => {
    assert.deepEqual(visibleWindow({ scrollTop: 0, viewportHeight: 100, rowHeight: 20, count: 22_363, overscan: 2 }), {
      start: 0,
      end: 8,
      offset: 0,
      total: 447_260,
    });
  });

  test('in the middle of 22k rows only a page is rendered, offset at the first rendered row', () => {
    const win = visibleWindow({ scrollTop: 200_000, viewportHeight: 400, rowHeight: 20, count: 22_363, overscan: 4 });
    assert.equal(win.start, 10_000 - 4);
    assert.equal(win.end, 10_000 + 21 + 4);
    assert.equal(win.offset, win.start * 20);
    assert.ok(win.end - win.start < 40);
  });

  test('at the end: clamped to the count', () => {
    const win = visibleWindow({ scrollTop: 1e9, viewportHeight: 100, rowHeight: 10, count: 50, overscan: 3 });
    assert.equal(win.end, 50);
    assert.equal(win.start, 40 - 3);
  });

  test('an empty list renders nothing', () => {
    assert.deepEqual(visibleWindow({ scrollTop: 30, viewportHeight: 100, rowHeight: 10, count: 0 }), { start: 0, end: 0, offset: 0, total: 0 });
  });
});

describe('neighbours history and search', () => {
  test('visit drops the forward entries, like a browser', () => {
    let h = visit(visit(visit({ entries: [], position: 0 }, 'a'), 'b'), 'c');
    h = back(back(h));
    assert.equal(current(h), 'a');
    assert.ok(!canGoBack(h) && canGoForward(h));
    h = visit(h, 'd');
    assert.deepEqual(h.entries, ['a', 'd']);
    assert.equal(current(forward(h)), 'd');
  });

  test('visiting the current entry again adds nothing', () => {
    const h = visit(visit({ entries: [], position: 0 }, 'a'), 'a');
    assert.deepEqual(h.entries, ['a']);
  });

  test('search: exact id first, then ids and labels containing the text, case-insensitive', () => {
    const ids = ['12', '1', '21', '3'];
    const labels = ['Lip balm', 'Serum', 'Eye liner', 'LIP gloss'];
    assert.deepEqual(searchEntities(ids, labels, '1'), [1, 0, 2]);
    assert.deepEqual(searchEntities(ids, labels, 'lip'), [0, 3]);
    assert.deepEqual(searchEntities(ids, labels, '  '), [0, 1, 2, 3]);
  });
});
