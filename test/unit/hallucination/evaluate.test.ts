import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateFlags, precisionRecall, rocAuc } from '../../../src/core/hallucination/evaluate';
import type { FlagRecord } from '../../../src/core/hallucination/types';

test('ROC-AUC counts ties as half and is null without both classes', () => {
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
  assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true]), 0.5);
  assert.equal(rocAuc([0.9, 0.1], [true, false]), 1);
  assert.equal(rocAuc([0.9, 0.1], [true, true]), null);
});

test('precision and recall at a threshold (at or above flags)', () => {
  assert.deepEqual(precisionRecall([0.2, 0.5, 0.7, 0.9], [false, false, true, true], 0.5), { threshold: 0.5, flagged: 3, precision: 2 / 3, recall: 1 });
  assert.deepEqual(precisionRecall([0.2], [true], 0.5), { threshold: 0.5, flagged: 0, precision: null, recall: 0 });
});

test('an absent signal gets no AUC rather than 0.5; present signals and the combination are measured', () => {
  const record = (risk: number, contradiction: number): FlagRecord => ({
    entity: 'item',
    id: String(risk),
    index: 0,
    textHash: '',
    text: '',
    risk,
    flagged: risk >= 0.5,
    reasons: [],
    signals: {
      contradiction: { score: contradiction },
      unsupported: { score: 0 },
      nonspecific: { score: null, absent: 'z' },
      collaborative: { score: null, absent: 'x' },
      distrust: { score: null, absent: 'y' },
    },
  });
  const records = [record(0.9, 1), record(0.6, 0), record(0.1, 0)];
  const evaluation = evaluateFlags(records, (r) => r.risk > 0.5, 0.5);
  assert.equal(evaluation.signals.distrust.auc, null);
  assert.equal(evaluation.signals.distrust.coverage, 0);
  assert.equal(evaluation.signals.contradiction.auc, 0.75);
  assert.equal(evaluation.combined.auc, 1);
  assert.deepEqual([evaluation.texts, evaluation.positives], [3, 2]);
});
