// Messages between the run panels (src/extension/runPanels.ts) and their webview (./main.ts): the live
// dashboard of a training run, and Compare Runs. Type-only; the comparison is the core's report type.
import type { CompareReport } from '../../src/core/eval/report';

export type { CompareReport };

/** Mean training loss so far in an epoch, at a fractional epoch (epoch - 1 + step / steps). */
export interface LossPoint {
  x: number;
  loss: number;
}

export interface EvalPoint {
  epoch: number;
  /** Validation metrics, full ranking (HR@K, NDCG@K, MRR). */
  valid: Record<string, number>;
  best: boolean;
}

export type LiveStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface LiveState {
  title: string;
  /** The run folder, once known (untrusted path text). */
  runDir?: string;
  epochs?: number;
  status: LiveStatus;
  message?: string;
  fraction?: number;
  loss: LossPoint[];
  epochLoss: Array<{ epoch: number; loss: number }>;
  evals: EvalPoint[];
  /** Test metrics of the best validation epoch, when the run finished. */
  test?: Record<string, number>;
  bestEpoch?: number;
}

export type ToWebview =
  | { type: 'live'; state: LiveState }
  | { type: 'liveProgress'; message?: string; fraction?: number; point?: LossPoint }
  | { type: 'liveEpoch'; epoch: number; loss: number }
  | { type: 'liveEval'; point: EvalPoint }
  | { type: 'liveEnd'; status: LiveStatus; message?: string; test?: Record<string, number>; bestEpoch?: number; runDir?: string }
  | { type: 'compareLoading'; runs: string[] }
  | { type: 'compare'; report: CompareReport }
  | { type: 'compareFailed'; message: string }
  | { type: 'exported'; path: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'cancelRun' }
  | { type: 'export'; format: 'csv' | 'markdown' }
  | { type: 'recompare' };

export type RunsPanelState = { mode: 'live'; live: LiveState } | { mode: 'compare'; runs: string[]; report?: CompareReport };

export const RUNS_VIEW_TYPE = 'graspRuns';
