import { SIGNAL_NAMES, type FlagRecord, type SignalName } from './types';

/**
 * How well risk scores separate hallucinated texts from sound ones, against ground truth (the
 * corruption tool's) or human verdicts (the annotations file).
 */

/** ROC-AUC by the rank-sum statistic, ties counted half; null when one class is empty. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number | null {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    const rank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) {
      if (labels[order[i]]) {
        positives++;
        rankSum += rank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface PrecisionRecall {
  threshold: number;
  flagged: number;
  precision: number | null;
  recall: number | null;
}

export function precisionRecall(scores: ArrayLike<number>, labels: ArrayLike<boolean>, threshold: number): PrecisionRecall {
  let flagged = 0;
  let hits = 0;
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i]) positives++;
    if (scores[i] >= threshold) {
      flagged++;
      if (labels[i]) hits++;
    }
  }
  return { threshold, flagged, precision: flagged === 0 ? null : hits / flagged, recall: positives === 0 ? null : hits / positives };
}

/**
 * Precision among the k highest scores (ties at the cut broken by position, so exactly k are read):
 * what a reviewer who reads only the top k flagged texts finds.
 */
export function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<boolean>, k: number): number | null {
  const n = Math.min(Math.max(0, Math.floor(k)), scores.length);
  if (n === 0) return null;
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  let hits = 0;
  for (let i = 0; i < n; i++) if (labels[order[i]]) hits++;
  return hits / n;
}

export interface SignalEvaluation extends PrecisionRecall {
  auc: number | null;
  /** Share of texts the signal could score (where absent for some, those count as 0 in the AUC). */
  coverage: number;
}

export interface DetectorEvaluation {
  texts: number;
  positives: number;
  signals: Record<SignalName, SignalEvaluation>;
  combined: SignalEvaluation;
}

/** Per signal (at `signalThreshold` on its own score) and combined (at the detector's threshold). */
export function evaluateFlags(
  records: readonly FlagRecord[],
  isPositive: (record: FlagRecord) => boolean,
  threshold: number,
  signalThreshold = 0.5,
): DetectorEvaluation {
  const labels = records.map(isPositive);
  const measure = (scores: number[], at: number, coverage: number): SignalEvaluation => ({
    auc: rocAuc(scores, labels),
    ...precisionRecall(scores, labels, at),
    coverage,
  });
  const signals = Object.fromEntries(
    SIGNAL_NAMES.map((name) => {
      const present = records.filter((record) => record.signals[name].score !== null).length;
      // A signal no text could get says nothing: no AUC, rather than the 0.5 of a constant score.
      if (present === 0) return [name, { auc: null, threshold: signalThreshold, flagged: 0, precision: null, recall: null, coverage: 0 }];
      return [
        name,
        measure(
          records.map((record) => record.signals[name].score ?? 0),
          signalThreshold,
          present / records.length,
        ),
      ];
    }),
  ) as Record<SignalName, SignalEvaluation>;
  return {
    texts: records.length,
    positives: labels.filter(Boolean).length,
    signals,
    combined: measure(
      records.map((record) => record.risk),
      threshold,
      1,
    ),
  };
}
