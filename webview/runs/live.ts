// Pure updates of the live dashboard state, one per message: the page and the unit tests share them.
import type { EvalPoint, LiveState, LossPoint } from './protocol';

/** Long runs send a point a second for hours; beyond this many, every other point is dropped. */
export const MAX_LOSS_POINTS = 2000;

export function addLossPoint(state: LiveState, point: LossPoint): LiveState {
  let loss = [...state.loss, point];
  if (loss.length > MAX_LOSS_POINTS) loss = loss.filter((_, i) => i % 2 === 0 || i === loss.length - 1);
  return { ...state, loss };
}

export function addEval(state: LiveState, point: EvalPoint): LiveState {
  return { ...state, evals: [...state.evals.filter((e) => e.epoch !== point.epoch), point] };
}

export function addEpochLoss(state: LiveState, epoch: number, loss: number): LiveState {
  return { ...state, epochLoss: [...state.epochLoss.filter((e) => e.epoch !== epoch), { epoch, loss }] };
}
