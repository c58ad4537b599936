// The simulated reviewer of the healing loop (flag → review → retrain), for measuring it without a
// person: it reads the run's item descriptions as the corruption left them, ranks them with the
// detector `grasp flag` runs (same defaults, same training sequences; no GRASP-distrust signal, since
// the run has no checkpoint yet), reads the top K (a share of the catalogue), and marks as
// `hallucinated` exactly those the corruption's ground truth says are corrupted. It never marks a
// clean text and never misses a corrupted one it reads: a perfect reviewer with a limited budget, so
// what it recovers measures the detector's ranking and the verdict's effect on training, not a
// person's accuracy. Pure and deterministic (the `at` time aside): nothing is read or written here.
import type { Dataset, Split } from '../data/types';
import type { EntityTexts } from '../embed/texts';
import { buildInputs } from '../llm/inputs';
import { annotationProblem, annotationRecord } from './annotations';
import type { CorruptionTruth } from './corrupt';
import { metadataOnlyOutput } from './descriptions';
import { detect, riskiestFirst, widestReachFirst } from './detect';
import type { AnnotationRecord, FlagRecord } from './types';

/** The order the reviewer reads in: riskiest first, or the flagged ones of the most-bought items first (widestReachFirst). */
export const REVIEW_ORDERS = ['risk', 'reach'] as const;
export type ReviewOrder = (typeof REVIEW_ORDERS)[number];

export interface SimulatedReviewSettings {
  /** How many texts the reviewer reads, as a share of the catalogue, in (0, 1]: round(k × items). */
  k: number;
  /** absent: risk */
  order?: ReviewOrder;
}

/** What the reviewer saw and did: recorded in the run's annotations.json and logged. */
export interface SimulatedReviewSummary {
  reviewer: 'simulated';
  k: number;
  order: ReviewOrder;
  /** Item descriptions in the catalogue. */
  catalogue: number;
  /** Texts read: the round(k × catalogue) riskiest. */
  reviewed: number;
  /** Of those, the ones the corruption's ground truth says are corrupted. */
  corrupted: number;
  /** Verdicts written: the corrupted ones the run still embeds as corrupted (a shared verdict may have replaced one). */
  marked: number;
  /** Corrupted texts in the whole catalogue, read or not. */
  corruptedTotal: number;
  /** The note every verdict carries. */
  note: string;
  detector: string;
}

export interface SimulatedReview {
  /** One `hallucinated` record per marked text, riskiest first, exactly as the review view writes them. */
  records: AnnotationRecord[];
  summary: SimulatedReviewSummary;
}

/** `0.05` → `"5"`, `0.025` → `"2.5"`: K as people write it. */
export function percent(share: number): string {
  return String(Math.round(share * 100 * 1e6) / 1e6);
}

export function reviewNote(k: number): string {
  return `simulated reviewer, top ${percent(k)} %`;
}

/**
 * Runs the simulated reviewer on a run's corrupted item texts.
 * - `corrupted`: the texts as the corruption left them (each corrupted row's output is its corrupted
 *   description, see corruptEntityTexts); what the reviewer reads.
 * - `embedded`: the texts the run would embed now (after the workspace's verdicts): a corrupted text
 *   a shared verdict already replaced is not marked again.
 * - `truth`: the corruption's ground truth for these texts.
 */
export function simulateReview(
  corrupted: EntityTexts,
  embedded: readonly string[],
  dataset: Dataset,
  split: Split,
  truth: CorruptionTruth,
  settings: SimulatedReviewSettings,
  now = new Date(),
): SimulatedReview {
  if (corrupted.entity !== 'item') throw new Error('the simulated reviewer reads item descriptions only (the corruption rewrites nothing else)');
  if (!(settings.k > 0 && settings.k <= 1)) throw new Error(`the simulated reviewer's k must be a share of the catalogue in (0, 1], got ${settings.k}`);
  const count = corrupted.ids.length;
  if (embedded.length !== count) throw new Error('the simulated reviewer was given texts of another catalogue than the dataset');
  const flags = flagItemTexts(corrupted, dataset, split, 'the simulated reviewer reads no GRASP checkpoint');
  const reviewed = Math.min(count, Math.round(settings.k * count));
  const truthAt = new Map(truth.items.map((item) => [item.index, item]));
  const note = reviewNote(settings.k);
  const records: AnnotationRecord[] = [];
  let corruptedSeen = 0;
  const ranked = settings.order === 'reach' ? widestReachFirst(flags, trainingInteractions(split.train, count)) : riskiestFirst(flags);
  for (const flag of ranked.slice(0, reviewed)) {
    const item = truthAt.get(flag.index);
    if (!item) continue;
    if (item.id !== flag.id) throw new Error(`the corruption's ground truth names item ${item.id} at row ${item.index}, where the texts have ${flag.id}`);
    corruptedSeen++;
    // The text shown is the corrupted one (the output is the corrupted description); mark it only while the run still embeds it.
    if (flag.text !== item.corrupted || embedded[flag.index] !== item.corrupted) continue;
    const record = annotationRecord({ entity: 'item', id: flag.id, text: flag.text, verdict: 'hallucinated', note }, now);
    const problem = annotationProblem(record);
    if (problem) throw new Error(`the simulated reviewer built a bad annotation record for item ${flag.id}: expected ${problem}`);
    records.push(record);
  }
  return {
    records,
    summary: {
      reviewer: 'simulated',
      k: settings.k,
      order: settings.order ?? 'risk',
      catalogue: count,
      reviewed,
      corrupted: corruptedSeen,
      marked: records.length,
      corruptedTotal: truth.items.length,
      note,
      detector: 'grasp flag defaults, no distrust signal',
    },
  };
}

/**
 * What `grasp flag` says of a run's item texts (its detector defaults, the training sequences, no
 * distrust signal): each row's synthesis output, or the metadata-only description where it has none.
 */
export function flagItemTexts(texts: EntityTexts, dataset: Dataset, split: Split, attentionAbsent: string): FlagRecord[] {
  const inputs = buildInputs(dataset, split, 'item');
  if (texts.entity !== 'item' || inputs.length !== texts.ids.length || inputs.some((input, row) => input.id !== texts.ids[row]))
    throw new Error('item texts of another catalogue than the dataset');
  const outputs = texts.ids.map((_, row) => texts.outputs[row] ?? metadataOnlyOutput(inputs[row]));
  return detect({ entity: 'item', ids: texts.ids, inputs, outputs, train: split.train, attentionAbsent });
}

/** Training interactions per item (dense index). */
function trainingInteractions(train: readonly Int32Array[], items: number): Int32Array {
  const counts = new Int32Array(items);
  for (const sequence of train) for (const item of sequence) counts[item]++;
  return counts;
}
