// What the progress line promises about time: seconds per epoch (training and its share of the
// validation passes, measured so far), the epoch early stopping reaches if validation does not improve
// again, and the budget's end. Both ends are shown because the run stops somewhere in between.

export interface EtaInput {
  /** epochs done so far, fractional within the current epoch */
  epochsDone: number;
  /** wall seconds since training started (evaluations included) */
  elapsedSeconds: number;
  epochs: number;
  evalEvery: number;
  patience: number;
  /** evaluations since the best one */
  evalsSinceBest: number;
  /** wall-time budget in minutes (0: none) */
  maxMinutes?: number;
}

export interface Eta {
  secondsPerEpoch: number;
  /** the epoch the run stops at if validation never improves again (the budget's end without patience) */
  stopsBy: number;
  secondsToStop: number;
  secondsToBudget: number;
}

export function trainingEta(input: EtaInput): Eta | undefined {
  const { epochsDone, elapsedSeconds, epochs, evalEvery, patience, evalsSinceBest } = input;
  if (epochsDone <= 0 || elapsedSeconds <= 0) return undefined;
  const secondsPerEpoch = elapsedSeconds / epochsDone;
  // a time budget ends the run after the epoch it runs out in: the budget's end in epochs
  const lastByTime = input.maxMinutes ? Math.ceil(epochsDone + Math.max(0, input.maxMinutes * 60 - elapsedSeconds) / secondsPerEpoch) : epochs;
  const budget = Math.min(epochs, Math.max(Math.ceil(epochsDone), lastByTime));
  const lastEval = evalEvery * Math.floor(epochsDone / evalEvery);
  const stopsBy = patience > 0 ? Math.min(budget, lastEval + (patience - evalsSinceBest) * evalEvery) : budget;
  return {
    secondsPerEpoch,
    stopsBy,
    secondsToStop: Math.max(0, (stopsBy - epochsDone) * secondsPerEpoch),
    secondsToBudget: Math.max(0, (budget - epochsDone) * secondsPerEpoch),
  };
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** "4.3 s/epoch · stops by epoch 30 (~2 min) unless validation improves · budget ends in ~14 min" */
export function formatEta(eta: Eta, epochs: number): string {
  const perEpoch = `${eta.secondsPerEpoch < 10 ? eta.secondsPerEpoch.toFixed(1) : Math.round(eta.secondsPerEpoch)} s/epoch`;
  if (eta.stopsBy >= epochs) return `${perEpoch} · ~${formatDuration(eta.secondsToBudget)} left`;
  return `${perEpoch} · stops by epoch ${eta.stopsBy} (~${formatDuration(eta.secondsToStop)}) unless validation improves · at most ~${formatDuration(eta.secondsToBudget)}`;
}
