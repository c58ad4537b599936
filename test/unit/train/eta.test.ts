import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatEta, trainingEta } from '../../../src/core/train/eta';

test('the projection names the epoch early stopping reaches without a better validation, and the budget end', () => {
  // 10 epochs in 50 s, evaluated every 2, the best 2 evaluations ago, patience 5: 3 more evaluations → epoch 16
  const eta = trainingEta({ epochsDone: 10, elapsedSeconds: 50, epochs: 200, evalEvery: 2, patience: 5, evalsSinceBest: 2 })!;
  assert.equal(eta.secondsPerEpoch, 5);
  assert.equal(eta.stopsBy, 16);
  assert.equal(eta.secondsToStop, 30);
  assert.equal(eta.secondsToBudget, 950);
  assert.equal(formatEta(eta, 200), '5.0 s/epoch · stops by epoch 16 (~30 s) unless validation improves · at most ~16 min');
  // mid-way through an epoch, between evaluations
  assert.equal(trainingEta({ epochsDone: 11.5, elapsedSeconds: 57.5, epochs: 200, evalEvery: 2, patience: 5, evalsSinceBest: 0 })!.stopsBy, 20);
});

test('without patience, or near the budget, only the budget end is promised', () => {
  const eta = trainingEta({ epochsDone: 3, elapsedSeconds: 30, epochs: 20, evalEvery: 1, patience: 0, evalsSinceBest: 0 })!;
  assert.equal(eta.stopsBy, 20);
  assert.equal(formatEta(eta, 20), '10 s/epoch · ~3 min left');
  assert.equal(trainingEta({ epochsDone: 18, elapsedSeconds: 36, epochs: 20, evalEvery: 2, patience: 5, evalsSinceBest: 0 })!.stopsBy, 20);
  assert.equal(trainingEta({ epochsDone: 0, elapsedSeconds: 0, epochs: 20, evalEvery: 2, patience: 5, evalsSinceBest: 0 }), undefined);
});

test('a wall-time budget moves the budget end (and the early-stopping epoch) earlier', () => {
  // 10 s per epoch so far, 60 s spent, a 2-minute budget: 6 more epochs at most
  const eta = trainingEta({ epochsDone: 6, elapsedSeconds: 60, epochs: 200, evalEvery: 2, patience: 5, evalsSinceBest: 0, maxMinutes: 2 })!;
  assert.equal(eta.stopsBy, 12);
  assert.equal(Math.round(eta.secondsToBudget), 60);
  const without = trainingEta({ epochsDone: 6, elapsedSeconds: 60, epochs: 200, evalEvery: 2, patience: 5, evalsSinceBest: 0 })!;
  assert.equal(without.stopsBy, 16);
});
