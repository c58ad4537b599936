// Record types of the hallucination flags and annotations: plain JSON, no runtime code, so the review
// webview may `import type` them without pulling Node modules in. Spans index into the entity's text,
// which is exactly `outputText(output)` (the summary, then one `name: value` line per claim).

export type FlagEntity = 'item' | 'user';

/** The five detectors; each scores a text in [0, 1], or is absent with a reason. */
export type SignalName = 'contradiction' | 'unsupported' | 'nonspecific' | 'collaborative' | 'distrust';
export const SIGNAL_NAMES: readonly SignalName[] = ['contradiction', 'unsupported', 'nonspecific', 'collaborative', 'distrust'];

export interface FlagReason {
  signal: SignalName;
  /** What the reason is about: category, brand, attribute, number, size, date, material, entity, neighbours, attention. */
  kind: string;
  /** One line for people; quotes of untrusted text inside are plain text, never markup. */
  message: string;
  /** [start, end) in the entity's text. */
  start: number;
  end: number;
  /** The text of the span (untrusted: render as text). */
  text: string;
  /** How much this reason alone adds to its signal, in [0, 1]. */
  severity: number;
}

export interface SignalScore {
  /** In [0, 1]; null when the signal could not be computed (see `absent`). */
  score: number | null;
  absent?: string;
}

export interface FlagRecord {
  entity: FlagEntity;
  id: string;
  /** Row in the dataset's dense order. */
  index: number;
  /** sha256 of the text judged: an annotation of it carries the same hash. */
  textHash: string;
  text: string;
  /** Combined risk in [0, 1]. */
  risk: number;
  /** risk ≥ the flag threshold. Flags never delete or change anything. */
  flagged: boolean;
  signals: Record<SignalName, SignalScore>;
  /** Largest share of the risk (severity × signal weight) first. */
  reasons: FlagReason[];
  /** The newest human verdict on this entity, if any; `stale` when it judged an older text. */
  annotation?: { verdict: Verdict; stale: boolean; at: string; note?: string };
  /** A short readable name (an item's title, a user's latest training titles), set by the flag job. Untrusted text. */
  label?: string;
}

export interface DetectorConfig {
  /** Risk at or above which a text is flagged. */
  threshold: number;
  /** Per-signal weight in the combination risk = 1 − Π (1 − weight · score). */
  weights: Record<SignalName, number>;
  /** Neighbours compared by the semantic-vs-collaborative signal (overlap@K). */
  overlapK: number;
  /** Items with fewer co-interaction neighbours than this get no collaborative score. */
  minCoNeighbours: number;
  /** Attention mass on the neighbours below which the model is said to distrust them. */
  distrustBelow: number;
}

export type Verdict = 'ok' | 'hallucinated' | 'edited';
export const VERDICTS: readonly Verdict[] = ['ok', 'hallucinated', 'edited'];

/** One line of the annotations file (`grasp.annotations.jsonl`): a person's verdict on one text. */
export interface AnnotationRecord {
  v: 1;
  entity: FlagEntity;
  id: string;
  /** sha256 of the text judged: a record whose text has changed since is stale and not applied. */
  textHash: string;
  verdict: Verdict;
  /** The replacement text, for `edited`. */
  editedText?: string;
  note?: string;
  /** ISO time. */
  at: string;
}

/** An annotation that training (or an evaluation) applied, as the run records it. */
export interface AppliedAnnotation {
  entity: FlagEntity;
  id: string;
  verdict: Verdict;
  textHash: string;
  at: string;
  /** 1-based line in the annotations file. */
  line: number;
}

export interface StaleAnnotation extends AppliedAnnotation {
  /** Hash of the text as it is now. */
  currentHash: string;
}
