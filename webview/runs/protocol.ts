// Messages between the run panels (src/extension/runPanels.ts) and their webview (./main.ts): the live
// dashboard of a training run, and Compare Runs. Type-only; the comparison is the core's report type, and the
// training events the dashboard applies are the train job's (TrainJobEvent, src/core/util/jobContext.ts).
import type { CompareReport } from '../../src/core/eval/report';
import type { TrainJobEvent } from '../../src/core/util/jobContext';

export type { CompareReport, TrainJobEvent };

/** Mean training loss so far in an epoch, at a fractional epoch (epoch - 1 + step / steps). */
export interface LossPoint {
  x: number;
  loss: number;
  /** Wall seconds since training started (the host's clock when the point arrived). */
  seconds?: number;
}

export interface EpochPoint {
  epoch: number;
  loss: number;
  /** Wall seconds of training and validation up to the end of this epoch. */
  seconds?: number;
  /** This epoch's training time, and its throughput. */
  epochSeconds?: number;
  sequencesPerSecond?: number;
}

export interface EvalPoint {
  epoch: number;
  /** Validation metrics, full ranking (HR@K, NDCG@K, MRR). */
  valid: Record<string, number>;
  best: boolean;
  /** Wall seconds of training and validation up to the end of this evaluation. */
  seconds?: number;
}

/** A stage of preparing the text side before training (describing, embedding, indexing items and users). */
export interface PrepStage {
  stage: number;
  stages: number;
  name: string;
  /** The stage's own progress, when it reports one. */
  fraction?: number;
  /** The stage's latest detail (e.g. "Building the HNSW index"). */
  detail?: string;
}

export type LiveStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface LiveState {
  title: string;
  /** The run folder, once known (untrusted path text). */
  runDir?: string;
  /** The epoch budget. */
  epochs?: number;
  /** The wall-time budget in minutes (train.maxMinutes), when the run has one. */
  maxMinutes?: number;
  /** Why training ended before the epoch budget, from the trainer's early_stop / time_budget event. */
  stopped?: StopEvent;
  status: LiveStatus;
  message?: string;
  fraction?: number;
  /** The engine the run reported at its start (e.g. "wasm + native kernels, OpenBLAS, 2 thread(s)"). */
  backend?: string;
  /** Preparation stages seen so far, in order. */
  stages: PrepStage[];
  /** Host clock (ms) of the first training step, for wall times of the live loss points. */
  trainingStartedAt?: number;
  /** Wall seconds of training and validation so far, from the epoch and eval events. */
  clock: number;
  loss: LossPoint[];
  epochLoss: EpochPoint[];
  evals: EvalPoint[];
  /** Test metrics of the best validation epoch, when the run finished. */
  test?: Record<string, number>;
  bestEpoch?: number;
  /** Shown under the title (e.g. "curves of the first seed of 3"). */
  note?: string;
}

/** The trainer ended the run before its epoch budget: no better validation for `patience` evaluations, or out of time. */
export interface StopEvent {
  reason: 'early_stop' | 'time_budget';
  epoch: number;
  bestEpoch: number;
  /** time_budget: the budget that ran out. */
  minutes?: number;
}

/** What changes a dashboard's state; the host and the page apply the same events (webview/runs/live.ts). */
export type LiveEvent =
  | {
      kind: 'progress';
      at: number;
      message?: string;
      fraction?: number;
      step?: { epoch: number; step: number; steps: number; loss: number };
      stage?: PrepStage;
    }
  | { kind: 'epoch'; epoch: number; loss: number; epochSeconds?: number; sequencesPerSecond?: number }
  | { kind: 'eval'; epoch: number; valid: Record<string, number>; best: boolean; evalSeconds?: number }
  | { kind: 'engine'; backend: string }
  | ({ kind: 'stop' } & StopEvent)
  | { kind: 'end'; status: LiveStatus; message?: string; test?: Record<string, number>; bestEpoch?: number; runDir?: string };

/** How the dashboard draws its curves; kept by the page. */
export interface CurveSettings {
  x: 'epoch' | 'time';
  /** EMA weight of the loss smoothing, as TensorBoard's slider (0 = raw). */
  smoothing: number;
}

export type ToWebview =
  | { type: 'live'; state: LiveState }
  | { type: 'liveEvent'; event: LiveEvent }
  | { type: 'compareLoading'; runs: string[] }
  | { type: 'compare'; report: CompareReport }
  | { type: 'compareFailed'; message: string }
  | { type: 'exported'; path: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'cancelRun' }
  | { type: 'export'; format: 'csv' | 'markdown' }
  | { type: 'recompare' }
  /** Compare again with this run (a path among the compared) as the baseline. */
  | { type: 'setBaseline'; run: string };

export type RunsPanelState =
  { mode: 'live'; live: LiveState; curves?: CurveSettings } | { mode: 'compare'; runs: string[]; report?: CompareReport; curves?: CurveSettings };

export const RUNS_VIEW_TYPE = 'graspRuns';
