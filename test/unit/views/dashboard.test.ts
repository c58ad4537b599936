// The run dashboard's state updates and readings (webview/runs/live.ts), the chart helpers
// (webview/ui/plotData.ts) and the statistics view's log-scale choice: pure code the host and the page share.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyLiveEvent,
  emptyLiveState,
  etaFromMessage,
  etaParts,
  formatMinutes,
  liveEventFromTrainEvent,
  liveFigures,
  smooth,
  stateFromHistory,
  stopReason,
  trainEventFromRecord,
} from '../../../webview/runs/live';
import type { LiveState, TrainJobEvent } from '../../../webview/runs/protocol';
import { alignSeries, formatTicks, niceSplits } from '../../../webview/ui/plotData';
import { skewed } from '../../../webview/stats/format';

/** The trainer's progress line at a step of an epoch (of `epochs`), as the host forwards it; `eta` is the line's tail after the loss. */
function trainingStep(
  state: LiveState,
  at: number,
  [epoch, epochs]: [number, number],
  [step, steps]: [number, number],
  loss: number,
  fraction?: number,
  eta?: string,
): LiveState {
  return applyLiveEvent(state, {
    kind: 'progress',
    at,
    message: `Epoch ${epoch}/${epochs}, step ${step}/${steps}, loss ${loss.toFixed(4)}${eta === undefined ? '' : ` · ${eta}`}`,
    ...(fraction !== undefined && { fraction }),
    step: { epoch, step, steps, loss },
  });
}

describe('live dashboard state', () => {
  test('the train job’s engine, epoch and eval events become dashboard events', () => {
    assert.deepEqual(liveEventFromTrainEvent({ event: 'engine', description: 'wasm + native kernels, OpenBLAS, 2 thread(s)' }), {
      kind: 'engine',
      backend: 'wasm + native kernels, OpenBLAS, 2 thread(s)',
    });
    assert.deepEqual(liveEventFromTrainEvent({ event: 'epoch', epoch: 2, loss: 5.5, steps: 10, epoch_s: 3, ms_per_step: 300, sequences_per_s: 400 }), {
      kind: 'epoch',
      epoch: 2,
      loss: 5.5,
      epochSeconds: 3,
      sequencesPerSecond: 400,
    });
    const evalEvent = liveEventFromTrainEvent({ event: 'eval', epoch: 2, valid: { 'NDCG@10': 0.1, 'HR@10': 0.2 }, best: true, best_epoch: 2, eval_s: 1 });
    assert.deepEqual(evalEvent, { kind: 'eval', epoch: 2, valid: { 'NDCG@10': 0.1, 'HR@10': 0.2 }, best: true, evalSeconds: 1 });
  });

  test('numbers that crossed JSON as null, or were edited into something else, are not drawn', () => {
    // JSON has no NaN: a diverged epoch's loss reaches the host as null, whatever the type says.
    const diverged = JSON.parse(
      JSON.stringify({ event: 'epoch', epoch: 3, loss: NaN, steps: 10, epoch_s: 3, ms_per_step: 300, sequences_per_s: 400 }),
    ) as TrainJobEvent;
    assert.equal(liveEventFromTrainEvent(diverged), undefined);
    const edited = { event: 'eval', epoch: 2, valid: { 'NDCG@10': 0.1, bad: 'x' }, best: 'yes', best_epoch: 2, eval_s: null } as unknown as TrainJobEvent;
    assert.deepEqual(liveEventFromTrainEvent(edited), { kind: 'eval', epoch: 2, valid: { 'NDCG@10': 0.1 }, best: false, evalSeconds: undefined });
    assert.equal(liveEventFromTrainEvent({ event: 'engine', description: 7 } as unknown as TrainJobEvent), undefined);
  });

  test('a recorded history keeps the trainer’s events only: not start, result, steps or the engine', () => {
    assert.equal(trainEventFromRecord({ event: 'start', seed: 1, backend: 'wasm' }), undefined);
    assert.equal(trainEventFromRecord({ event: 'result', run: '/r' }), undefined);
    assert.equal(trainEventFromRecord({ event: 'step', epoch: 1, step: 2, steps: 10, loss: 6, ms_per_step: 3 }), undefined);
    assert.equal(trainEventFromRecord({ event: 'engine', description: 'wasm' }), undefined, 'the engine is never recorded in the history');
    assert.equal(trainEventFromRecord({ epoch: 1, loss: 6 }), undefined);
    const epoch = { event: 'epoch', epoch: 1, loss: 6, steps: 10, epoch_s: 2, ms_per_step: 200, sequences_per_s: 50 };
    assert.equal(trainEventFromRecord(epoch), epoch);
    const replayed = stateFromHistory(emptyLiveState('run'), [{ event: 'start', seed: 1 }, epoch, { event: 'eval', epoch: 'one', valid: {} }]);
    assert.deepEqual([replayed.epochLoss.length, replayed.evals.length], [1, 0], 'the start record and an eval without a numeric epoch are skipped');
  });

  test('wall time accumulates over epochs and evaluations, as the history of a finished run replays', () => {
    const history = [
      { event: 'epoch', epoch: 1, loss: 6, epoch_s: 10, sequences_per_s: 100 },
      { event: 'eval', epoch: 1, valid: { 'NDCG@10': 0.05 }, best: true, eval_s: 2 },
      { event: 'epoch', epoch: 2, loss: 5, epoch_s: 12, sequences_per_s: 90 },
      { event: 'eval', epoch: 2, valid: { 'NDCG@10': 0.04 }, best: false, eval_s: 2 },
    ];
    const state = stateFromHistory(emptyLiveState('run'), history);
    assert.deepEqual(
      state.epochLoss.map((e) => e.seconds),
      [10, 24],
    );
    assert.deepEqual(
      state.evals.map((e) => e.seconds),
      [12, 26],
    );
    assert.equal(state.clock, 26);
    const figures = liveFigures({ ...state, status: 'done' });
    assert.deepEqual(figures.bestValid, { metric: 'NDCG@10', value: 0.05, epoch: 1 });
    assert.equal(figures.secondsPerEpoch, 11);
    assert.equal(figures.sequencesPerSecond, 90);
    assert.equal(figures.phase, 'Finished');
  });

  test('preparation stages keep their names; later messages become their detail', () => {
    let state: LiveState = emptyLiveState('run', '/r', 10);
    const stage = (n: number, name: string, fraction?: number) =>
      applyLiveEvent(state, { kind: 'progress', at: 0, message: name, stage: { stage: n, stages: 4, name, fraction } });
    state = stage(1, 'Describing 1,000 items (metadata provider)', 0);
    state = stage(1, 'Describing 1,000 items (metadata provider): 500 of 1000', 0.5);
    state = stage(2, 'Embedding 1,000 item texts (lsa, then PCA to 64)', 0);
    assert.deepEqual(
      state.stages.map((s) => [s.stage, s.name, s.fraction, s.detail]),
      [
        [1, 'Describing 1,000 items (metadata provider)', 0.5, '500 of 1000'],
        [2, 'Embedding 1,000 item texts (lsa, then PCA to 64)', 0, undefined],
      ],
    );
    assert.equal(liveFigures(state).phase, 'Preparing texts: stage 2 of 4');
  });

  test('training steps add loss points with wall seconds from the first step; the budget comes from the trainer’s line', () => {
    let state = emptyLiveState('from a config file');
    state = trainingStep(state, 1_000, [1, 30], [5, 10], 6, 0.02);
    state = trainingStep(state, 3_000, [1, 30], [10, 10], 5.8, 0.03);
    assert.equal(state.epochs, 30);
    assert.deepEqual(state.loss, [
      { x: 0.5, loss: 6, seconds: 0 },
      { x: 1, loss: 5.8, seconds: 2 },
    ]);
    // Before the trainer's own estimate (it starts after epoch 1): from the share of the budget done.
    assert.deepEqual(liveFigures(state, 3_000).eta, { value: '~58 s', hint: "to the budget's end (first estimate)" });
    state = trainingStep(state, 5_000, [2, 30], [3, 10], 5.7, undefined, '2.0 s/epoch · ~56 s left');
    assert.deepEqual(liveFigures(state).eta, { value: '~56 s', hint: 'left in the budget' });
    assert.equal(liveFigures(state).phase, 'Epoch 2 of 30');
    state = applyLiveEvent(state, { kind: 'end', status: 'done', test: { 'NDCG@10': 0.2 }, bestEpoch: 1 });
    assert.equal(state.fraction, 1);
    assert.equal(liveFigures(state).eta, undefined, 'a finished run has no time left');
  });

  test('the trainer’s early_stop and time_budget events become stop events; a malformed one does not', () => {
    assert.deepEqual(liveEventFromTrainEvent({ event: 'early_stop', epoch: 14, best_epoch: 4 }), {
      kind: 'stop',
      reason: 'early_stop',
      epoch: 14,
      bestEpoch: 4,
    });
    assert.deepEqual(liveEventFromTrainEvent({ event: 'time_budget', epoch: 37, best_epoch: 30, minutes: 15 }), {
      kind: 'stop',
      reason: 'time_budget',
      epoch: 37,
      bestEpoch: 30,
      minutes: 15,
    });
    const noBest = trainEventFromRecord({ event: 'early_stop', epoch: 14 });
    assert.ok(noBest, 'an early_stop record is a train event');
    assert.equal(liveEventFromTrainEvent(noBest), undefined, 'no best epoch: not an event the dashboard can word');
  });

  test('the dashboard says why training ended: early stopping, the time budget, the epoch budget, or nothing when it cannot tell', () => {
    const history = [1, 2, 3].flatMap((epoch) => [
      { event: 'epoch', epoch, loss: 6 - epoch, epoch_s: 10 },
      { event: 'eval', epoch, valid: { 'NDCG@10': 0.1 }, best: epoch === 1, eval_s: 1 },
    ]);
    const ran = { ...stateFromHistory(emptyLiveState('run', '/r', 3), history), status: 'done' as const };
    assert.equal(stopReason(ran), 'Ran its whole epoch budget (3 epochs)');
    assert.equal(stopReason({ ...ran, status: 'running' }), undefined, 'still running: nothing stopped it yet');
    assert.equal(stopReason({ ...ran, epochs: 10 }), undefined, 'ended before its budget without a stop event: no guess');
    const early = applyLiveEvent(ran, { kind: 'stop', reason: 'early_stop', epoch: 3, bestEpoch: 1 });
    assert.equal(stopReason(early), 'Stopped early at epoch 3: validation NDCG@10 had not improved since epoch 1');
    const timed = applyLiveEvent({ ...ran, epochs: 200, maxMinutes: 15 }, { kind: 'stop', reason: 'time_budget', epoch: 3, bestEpoch: 1, minutes: 15 });
    assert.equal(stopReason(timed), 'Stopped at epoch 3: the 15 min time budget ran out (best epoch 1)');
    // A several-seed run trains again after the first seed stopped: that stop is no longer the news.
    const nextSeed = applyLiveEvent({ ...early, status: 'running' }, { kind: 'epoch', epoch: 1, loss: 6 });
    assert.equal(nextSeed.stopped, undefined);
    assert.deepEqual([formatMinutes(5), formatMinutes(60), formatMinutes(90), formatMinutes(0.5)], ['5 min', '1 h', '1.5 h', '30 s']);
  });

  test('a time budget shows where the epoch budget does: minutes used of it, the progress bar by the clock, the first estimate capped by it', () => {
    let state = emptyLiveState('sasrec-grasp-demo', '/r', undefined, 5);
    assert.equal(state.maxMinutes, 5);
    state = trainingStep(state, 0, [1, 200], [1, 100], 6, 0.00005);
    state = trainingStep(state, 60_000, [2, 200], [50, 100], 5, 0.0075);
    assert.equal(state.epochs, 200);
    const figures = liveFigures(state, 60_000);
    assert.equal(figures.phase, 'Epoch 2 of 200');
    assert.deepEqual(figures.budget, { fraction: 0.2, hint: '60 s of the 5 min time budget' });
    // 200 epochs at 40 s each would be hours: the time budget ends the run in 4 minutes.
    assert.deepEqual(figures.eta, { value: '~4 min', hint: "to the budget's end (first estimate)" });
    // Without a time budget, the share of the epoch budget, as before.
    const epochsOnly = liveFigures({ ...state, maxMinutes: undefined }, 60_000);
    assert.deepEqual(epochsOnly.budget, { fraction: 0.0075, hint: '1 % of budget' });
    assert.equal(liveFigures({ ...state, status: 'done' }, 60_000).budget, undefined, 'a finished run uses no more of it');
  });

  test('the ETA is the part of the trainer’s line after the loss, and only of a training line', () => {
    assert.equal(
      etaFromMessage('Epoch 3/20, step 10/40, loss 5.1000 · 4.3 s/epoch · stops by epoch 12 (~1 min) unless validation improves · at most ~2 min'),
      '4.3 s/epoch · stops by epoch 12 (~1 min) unless validation improves · at most ~2 min',
    );
    assert.equal(etaFromMessage('Epoch 1/20, step 1/40, loss 9.0000'), undefined);
    assert.equal(etaFromMessage('Describing items · 3 of 4'), undefined);
    assert.equal(etaFromMessage(undefined), undefined);
    assert.deepEqual(etaParts('4.3 s/epoch · ~2 min left'), { value: '~2 min', hint: 'left in the budget' });
    assert.deepEqual(etaParts('4.3 s/epoch · stops by epoch 12 (~1 min) unless validation improves · at most ~2 min'), {
      value: '~1 min',
      hint: 'early stop at epoch 12 unless validation improves · at most ~2 min',
    });
  });

  test('TensorBoard smoothing: the first point is kept, a constant stays constant, weight 0 changes nothing', () => {
    const points: Array<[number, number]> = [
      [0, 10],
      [1, 0],
      [2, 10],
      [3, 0],
    ];
    const smoothed = smooth(points, 0.6);
    assert.equal(smoothed[0][1], 10, 'no start-up bias towards 0');
    assert.ok(smoothed[1][1] > 0 && smoothed[1][1] < 10);
    assert.deepEqual(
      smooth(
        [
          [0, 3],
          [1, 3],
          [2, 3],
        ],
        0.9,
      ).map(([, y]) => Number(y.toFixed(9))),
      [3, 3, 3],
    );
    assert.deepEqual(smooth(points, 0), points);
  });
});

describe('chart helpers', () => {
  test('tick labels never repeat, with the decimals their step needs', () => {
    assert.deepEqual(formatTicks([1.38, 1.4, 1.42]), ['1.38', '1.40', '1.42']);
    assert.deepEqual(formatTicks([0, 0.25, 0.5, 0.75]), ['0.00', '0.25', '0.50', '0.75']);
    assert.deepEqual(formatTicks([0, 5, 10]), ['0', '5', '10']);
    assert.deepEqual(formatTicks([1.40001, 1.40002, 1.40003]), ['1.40001', '1.40002', '1.40003']);
    assert.deepEqual(formatTicks([10, 100, 1000, 100_000], true), ['10', '100', '1K', '100K']);
    assert.deepEqual(formatTicks([1, 2, 5, 10, 20, 100], true), ['1', '', '', '10', '', '100'], 'a log axis labels its powers of ten only');
  });

  test('round ticks, at least three where the range allows', () => {
    assert.deepEqual(niceSplits(0, 10), [0, 2.5, 5, 7.5, 10]);
    assert.deepEqual(niceSplits(5.9, 6.3), [5.9, 6, 6.1, 6.2, 6.3]);
    assert.ok(niceSplits(5.95, 6.05).length >= 3);
    assert.deepEqual(niceSplits(3, 3), [3]);
    assert.deepEqual(niceSplits(1, 10, 4, true), [2, 4, 6, 8, 10], 'epochs: whole steps, never 2.5');
    assert.deepEqual(niceSplits(1, 2, 4, true), [1, 2]);
  });

  test('series with different x values are aligned on their union, gaps left empty; non-positive values dropped on a log axis', () => {
    const columns = alignSeries(
      [
        {
          label: 'a',
          tone: 0,
          points: [
            [1, 5],
            [2, 6],
          ],
        },
        {
          label: 'b',
          tone: 1,
          points: [
            [2, 0],
            [3, 7],
          ],
        },
      ],
      true,
    );
    assert.deepEqual(columns, [
      [1, 2, 3],
      [5, 6, null],
      [null, null, 7],
    ]);
  });

  test('a length histogram dominated by one bar is drawn on a log scale by default', () => {
    assert.equal(skewed([15_000, 4_000, 1_200, 400, 90, 30, 12, 5, 2, 1]), true);
    assert.equal(skewed([100, 120, 90, 110, 95]), false);
    assert.equal(skewed([5, 0]), false);
  });
});
