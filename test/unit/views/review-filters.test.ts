import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FlagRecord } from '../../../src/core/hallucination/types';
import { overlap } from '../../../src/core/jobs/inspect';
import { filterRecords, progress, progressText } from '../../../webview/review/filters';
import { addLossPoint, emptyLiveState, MAX_LOSS_POINTS } from '../../../webview/runs/live';

function record(id: string, index: number, risk: number, kinds: string[], annotation?: FlagRecord['annotation']): FlagRecord {
  const absent = { score: null, absent: 'n/a' };
  return {
    entity: 'item',
    id,
    index,
    textHash: 'x',
    text: 't',
    risk,
    flagged: risk >= 0.5,
    signals: { contradiction: absent, unsupported: absent, nonspecific: absent, collaborative: absent, distrust: absent },
    reasons: kinds.map((kind) => ({ signal: 'unsupported', kind, message: kind, start: 0, end: 1, text: 't', severity: 0.5 })),
    annotation,
  };
}

const records = [
  record('a', 0, 0.2, ['brand']),
  record('b', 1, 0.9, ['category'], { verdict: 'hallucinated', stale: false, at: '2026-01-01T00:00:00Z' }),
  record('c', 2, 0.7, ['brand'], { verdict: 'ok', stale: true, at: '2026-01-01T00:00:00Z' }),
  record('d', 3, 0.7, ['brand', 'category']),
];

describe('review list filters and progress', () => {
  test('riskiest first, ties in dataset order', () => {
    assert.deepEqual(
      filterRecords(records, { reason: '', minRisk: 0, unreviewedOnly: false }).map((i) => records[i].id),
      ['b', 'c', 'd', 'a'],
    );
  });

  test('by reason kind or signal, by minimum risk, unreviewed only (a stale verdict is not a review)', () => {
    assert.deepEqual(
      filterRecords(records, { reason: 'brand', minRisk: 0.5, unreviewedOnly: false }).map((i) => records[i].id),
      ['c', 'd'],
    );
    assert.deepEqual(
      filterRecords(records, { reason: 'unsupported', minRisk: 0, unreviewedOnly: true }).map((i) => records[i].id),
      ['c', 'd', 'a'],
    );
  });

  test('n of m reviewed counts current verdicts on flagged texts, and on every listed text', () => {
    assert.deepEqual(progress(records), { reviewed: 1, flagged: 3, reviewedListed: 1, listed: 4 });
    // A catalogue with nothing flagged still moves when a verdict is given (it read "0 of 0" for ever).
    const unflagged = records.map((record) => ({ ...record, flagged: false }));
    assert.match(progressText(progress(unflagged), 4), /^none flagged · 1 of 4 listed reviewed · showing 4$/);
    assert.match(progressText(progress(records), 2), /^1 of 3 flagged reviewed · 1 of 4 listed reviewed · showing 2$/);
  });
});

describe('co-interaction overlap and the live loss series', () => {
  test('shared members and Jaccard of two training sets', () => {
    assert.deepEqual(overlap(new Set([1, 2, 3]), new Set([2, 3, 4, 5])), { shared: 2, jaccard: 2 / 5 });
    assert.deepEqual(overlap(new Set(), new Set()), { shared: 0, jaccard: 0 });
  });

  test('a long run keeps at most MAX_LOSS_POINTS points, always the newest', () => {
    let state = emptyLiveState('t');
    for (let i = 0; i < MAX_LOSS_POINTS * 3; i++) state = addLossPoint(state, { x: i, loss: 1 / (i + 1) });
    assert.ok(state.loss.length <= MAX_LOSS_POINTS + 1, `${state.loss.length} points`);
    assert.equal(state.loss[state.loss.length - 1].x, MAX_LOSS_POINTS * 3 - 1);
    assert.equal(state.loss[0].x, 0);
  });
});
