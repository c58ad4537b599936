// Pure updates and readings of the live dashboard state: the host (src/extension/runPanels.ts) and the page
// apply the same events, so both hold the same state; the unit tests run them from Node.
import type { EpochPoint, EvalPoint, LiveEvent, LiveState, LossPoint, PrepStage, StopEvent, TrainJobEvent } from './protocol';

/** Long runs send a point a second for hours; beyond this many, every other point is dropped. */
export const MAX_LOSS_POINTS = 2000;

export function emptyLiveState(title: string, runDir?: string, epochs?: number, maxMinutes?: number): LiveState {
  return { title, runDir, epochs, ...(maxMinutes ? { maxMinutes } : {}), status: 'running', stages: [], clock: 0, loss: [], epochLoss: [], evals: [] };
}

/** A state saved by an older version of the page (fields added since get their empty values). */
export function normalizeLiveState(state: LiveState): LiveState {
  return { ...state, stages: state.stages ?? [], clock: state.clock ?? 0, loss: state.loss ?? [], epochLoss: state.epochLoss ?? [], evals: state.evals ?? [] };
}

export function addLossPoint(state: LiveState, point: LossPoint): LiveState {
  let loss = [...state.loss, point];
  if (loss.length > MAX_LOSS_POINTS) loss = loss.filter((_, i) => i % 2 === 0 || i === loss.length - 1);
  return { ...state, loss };
}

export function addEval(state: LiveState, point: EvalPoint): LiveState {
  return { ...state, evals: [...state.evals.filter((e) => e.epoch !== point.epoch), point] };
}

export function addEpoch(state: LiveState, point: EpochPoint): LiveState {
  return { ...state, epochLoss: [...state.epochLoss.filter((e) => e.epoch !== point.epoch), point] };
}

/**
 * A stage's first message is its name; later ones are "<name>: <detail>" (src/core/train/textArtifacts.ts),
 * so the name stays and the detail follows the latest message.
 */
function addStage(stages: PrepStage[], stage: PrepStage): PrepStage[] {
  const index = stages.findIndex((s) => s.stage === stage.stage && s.stages === stage.stages);
  if (index < 0) return [...stages, stage];
  const previous = stages[index];
  const detail = stage.name.startsWith(`${previous.name}: `) ? stage.name.slice(previous.name.length + 2) : previous.detail;
  const next = [...stages];
  next[index] = { ...previous, fraction: stage.fraction ?? previous.fraction, detail };
  return next;
}

/** One event applied to the state. */
export function applyLiveEvent(state: LiveState, event: LiveEvent): LiveState {
  switch (event.kind) {
    case 'progress': {
      // Only a training step's fraction is the run's: an evaluation reports its own (users done), not the run's.
      let next: LiveState = { ...state, message: event.message ?? state.message, fraction: event.step ? (event.fraction ?? state.fraction) : state.fraction };
      // A run from a config file: its budget is known once the trainer says "Epoch 1/<budget>".
      const budget = next.epochs === undefined ? /^Epoch \d+\/(\d+)/.exec(event.message ?? '')?.[1] : undefined;
      if (budget) next = { ...next, epochs: Number(budget) };
      if (event.stage) next = { ...next, stages: addStage(next.stages, event.stage) };
      const s = event.step;
      if (s && [s.epoch, s.step, s.steps, s.loss].every(Number.isFinite)) {
        const started = next.trainingStartedAt ?? event.at;
        next = addLossPoint(
          { ...next, trainingStartedAt: started },
          { x: s.epoch - 1 + s.step / Math.max(1, s.steps), loss: s.loss, seconds: (event.at - started) / 1000 },
        );
      }
      return next;
    }
    case 'epoch': {
      const clock = state.clock + (Number.isFinite(event.epochSeconds) ? event.epochSeconds! : 0);
      // Training again after a stop is the next seed of a several-seed run: that stop was the previous seed's.
      const { stopped: _previousSeed, ...rest } = state;
      return addEpoch(
        { ...rest, clock },
        { epoch: event.epoch, loss: event.loss, seconds: clock, epochSeconds: event.epochSeconds, sequencesPerSecond: event.sequencesPerSecond },
      );
    }
    case 'eval': {
      const clock = state.clock + (Number.isFinite(event.evalSeconds) ? event.evalSeconds! : 0);
      return addEval({ ...state, clock }, { epoch: event.epoch, valid: event.valid, best: event.best, seconds: clock });
    }
    case 'engine':
      return { ...state, backend: event.backend };
    case 'stop': {
      const { kind: _kind, ...stopped } = event;
      return { ...state, stopped };
    }
    case 'end':
      return {
        ...state,
        status: event.status,
        message: event.message,
        test: event.test ?? state.test,
        bestEpoch: event.bestEpoch ?? state.bestEpoch,
        runDir: event.runDir ?? state.runDir,
        fraction: event.status === 'done' ? 1 : state.fraction,
      };
  }
}

/** A number a live view may plot: events crossed JSON (a NaN loss arrives as null), and history is a file a person may edit. */
function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A train job's event (typed, from the worker's job/event notification) as the dashboard's event. */
export function liveEventFromTrainEvent(event: TrainJobEvent): LiveEvent | undefined {
  switch (event.event) {
    case 'engine':
      return typeof event.description === 'string' ? { kind: 'engine', backend: event.description.trim() } : undefined;
    case 'epoch': {
      const [epoch, loss] = [finite(event.epoch), finite(event.loss)];
      if (epoch === undefined || loss === undefined) return undefined;
      return { kind: 'epoch', epoch, loss, epochSeconds: finite(event.epoch_s), sequencesPerSecond: finite(event.sequences_per_s) };
    }
    case 'eval': {
      const epoch = finite(event.epoch);
      if (epoch === undefined || !event.valid || typeof event.valid !== 'object') return undefined;
      const valid = Object.fromEntries(
        Object.entries(event.valid as Record<string, unknown>).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
      );
      return { kind: 'eval', epoch, valid, best: event.best === true, evalSeconds: finite(event.eval_s) };
    }
    case 'early_stop':
    case 'time_budget': {
      const [epoch, bestEpoch] = [finite(event.epoch), finite(event.best_epoch)];
      if (epoch === undefined || bestEpoch === undefined) return undefined; // nothing the dashboard could word
      const minutes = event.event === 'time_budget' ? finite(event.minutes) : undefined;
      return { kind: 'stop', reason: event.event, epoch, bestEpoch, ...(minutes !== undefined ? { minutes } : {}) };
    }
  }
}

/** The trainer's events a recorded history holds (metrics.json, log.jsonl); the engine is not among them. */
const RECORDED_EVENTS: ReadonlySet<unknown> = new Set<TrainJobEvent['event']>(['epoch', 'eval', 'early_stop', 'time_budget']);

/**
 * A record of a run's history as a train event, when it is one (other records, such as `start` and
 * `result`, are not). liveEventFromTrainEvent then checks every field it reads, so a record with a field
 * missing or of the wrong type is skipped rather than drawn.
 */
export function trainEventFromRecord(record: Readonly<Record<string, unknown>>): TrainJobEvent | undefined {
  return RECORDED_EVENTS.has(record.event) ? (record as unknown as TrainJobEvent) : undefined;
}

/** "5 min", "1 h", "1.5 h", "30 s": a time budget as a person would say it. */
export function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} h`;
  if (minutes >= 90) return `${(minutes / 60).toFixed(1)} h`;
  return `${Number(minutes.toFixed(1))} min`;
}

/**
 * Why training ended, in words: the trainer's stop event (early stopping, the time budget), else, for a
 * finished run whose last epoch is the budget's, the epoch budget. Undefined while nothing says.
 */
export function stopReason(state: LiveState): string | undefined {
  const stop: StopEvent | undefined = state.stopped;
  if (stop?.reason === 'early_stop') return `Stopped early at epoch ${stop.epoch}: validation NDCG@10 had not improved since epoch ${stop.bestEpoch}`;
  if (stop?.reason === 'time_budget') {
    const minutes = stop.minutes ?? state.maxMinutes;
    return `Stopped at epoch ${stop.epoch}: the ${minutes !== undefined ? `${formatMinutes(minutes)} ` : ''}time budget ran out (best epoch ${stop.bestEpoch})`;
  }
  if (state.status !== 'done' || state.epochs === undefined) return undefined;
  const last = Math.max(0, ...state.epochLoss.map((e) => e.epoch), ...state.evals.map((e) => e.epoch));
  return last === state.epochs ? `Ran its whole epoch budget (${state.epochs} epoch${state.epochs === 1 ? '' : 's'})` : undefined;
}

/** A run's recorded history (epoch and eval events, as metrics.json keeps them) replayed as events. */
export function stateFromHistory(state: LiveState, history: ReadonlyArray<Readonly<Record<string, unknown>>>): LiveState {
  let next = state;
  for (const record of history) {
    const event = trainEventFromRecord(record);
    const live = event && liveEventFromTrainEvent(event);
    if (live) next = applyLiveEvent(next, live);
  }
  return next;
}

/**
 * The time part of the trainer's progress line ("Epoch 3/20, step 10/40, loss 5.1 · 4.3 s/epoch · ~2 min
 * left"): what follows the loss. src/core/train/eta.ts writes it; the dashboard shows it as it is.
 */
export function etaFromMessage(message: string | undefined): string | undefined {
  if (!message || !/^Epoch \d+\/\d+/.test(message)) return undefined;
  const parts = message.split(' · ');
  return parts.length > 1 ? parts.slice(1).join(' · ') : undefined;
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export interface LiveFigures {
  /** "Epoch 3 of 20", "Preparing texts: stage 2 of 6", "Finished". */
  phase: string;
  epoch?: number;
  bestValid?: { metric: string; value: number; epoch: number };
  secondsPerEpoch?: number;
  sequencesPerSecond?: number;
  /** The trainer's own estimate, else one from the fraction done and the wall time so far: the figure, and what it means. */
  eta?: { value: string; hint: string };
  /** While training: the share of the budget used (the larger of epochs and wall time) and what it is of. */
  budget?: { fraction?: number; hint: string };
}

/**
 * The trainer's time estimate split for a tile: the figure a person looks for first, and the rest. The
 * seconds per epoch are left out (the speed tile shows them).
 */
export function etaParts(eta: string): { value: string; hint: string } {
  const parts = eta.split(' · ').filter((part) => !/s\/epoch$/.test(part));
  for (const part of parts) {
    const stops = /^stops by epoch (\d+) \((~[^)]+)\)/.exec(part);
    if (stops) return { value: stops[2], hint: [`early stop at epoch ${stops[1]} unless validation improves`, ...parts.filter((p) => p !== part)].join(' · ') };
    const left = /^(~.+) left$/.exec(part);
    if (left) return { value: left[1], hint: 'left in the budget' };
  }
  return { value: parts[0] ?? eta, hint: parts.slice(1).join(' · ') };
}

/** The numbers the dashboard's tiles show, read from the state. */
export function liveFigures(state: LiveState, now = Date.now()): LiveFigures {
  const lastLoss = state.loss[state.loss.length - 1];
  const lastEpoch = state.epochLoss[state.epochLoss.length - 1];
  const epoch = lastLoss ? Math.floor(lastLoss.x) + 1 : lastEpoch?.epoch;
  const training = state.loss.length > 0 || state.epochLoss.length > 0;
  const stage = state.stages[state.stages.length - 1];
  let phase: string;
  if (state.status === 'running') {
    if (training && epoch !== undefined) phase = `Epoch ${Math.min(epoch, state.epochs ?? epoch)}${state.epochs ? ` of ${state.epochs}` : ''}`;
    else if (stage) phase = `Preparing texts: stage ${stage.stage} of ${stage.stages}`;
    else phase = 'Starting';
  } else phase = { done: 'Finished', failed: 'Failed', cancelled: 'Cancelled', interrupted: 'Interrupted', running: '' }[state.status];
  const best = [...state.evals]
    .filter((e) => typeof e.valid['NDCG@10'] === 'number')
    .sort((a, b) => b.valid['NDCG@10'] - a.valid['NDCG@10'] || a.epoch - b.epoch)[0];
  const timed = state.epochLoss.filter((e) => e.epochSeconds !== undefined);
  const secondsPerEpoch = timed.length ? timed.reduce((sum, e) => sum + e.epochSeconds!, 0) / timed.length : undefined;
  const throughput = timed.filter((e) => e.sequencesPerSecond !== undefined);
  const trainer = state.status === 'running' ? etaFromMessage(state.message) : undefined;
  let eta = trainer ? etaParts(trainer) : undefined;
  // Wall seconds of training so far: the host's clock since the first step (live), else the events' sum.
  const elapsed = state.trainingStartedAt !== undefined ? (now - state.trainingStartedAt) / 1000 : state.clock;
  const timeLeft = state.maxMinutes ? Math.max(0, state.maxMinutes * 60 - elapsed) : Infinity;
  if (!eta && state.status === 'running' && state.trainingStartedAt !== undefined && lastLoss && state.epochs) {
    // Before the trainer's estimate (it starts after the first epoch): from the share of the budget done,
    // and never past the time budget's end.
    const done = lastLoss.x / state.epochs;
    if (done > 0 && elapsed > 0)
      eta = { value: `~${formatSeconds(Math.min(timeLeft, (elapsed * (1 - done)) / done))}`, hint: "to the budget's end (first estimate)" };
  }
  let budget: LiveFigures['budget'];
  if (state.status === 'running' && training) {
    const byTime = state.maxMinutes ? Math.min(1, elapsed / (state.maxMinutes * 60)) : undefined;
    const fraction = byTime === undefined ? state.fraction : Math.max(byTime, state.fraction ?? 0);
    // A time budget is what a person set, so it is said in minutes; an epoch budget as a share.
    const hint = state.maxMinutes
      ? `${formatSeconds(elapsed)} of the ${formatMinutes(state.maxMinutes)} time budget`
      : fraction !== undefined
        ? `${Math.round(fraction * 100)} % of budget`
        : undefined;
    if (hint) budget = { fraction, hint };
  }
  return {
    phase,
    epoch,
    bestValid: best ? { metric: 'NDCG@10', value: best.valid['NDCG@10'], epoch: best.epoch } : undefined,
    secondsPerEpoch,
    sequencesPerSecond: throughput.length ? throughput[throughput.length - 1].sequencesPerSecond : undefined,
    eta,
    budget,
  };
}

/**
 * TensorBoard's smoothing: an exponential moving average with its start-up bias removed, so the first
 * points are not pulled towards zero. weight 0 returns the points as they are.
 */
export function smooth(points: ReadonlyArray<readonly [number, number]>, weight: number): Array<[number, number]> {
  if (!(weight > 0)) return points.map(([x, y]) => [x, y]);
  const w = Math.min(0.999, weight);
  let last = 0;
  let count = 0;
  return points.map(([x, y]) => {
    if (!Number.isFinite(y)) return [x, y];
    last = last * w + (1 - w) * y;
    count++;
    return [x, last / (1 - w ** count)];
  });
}
