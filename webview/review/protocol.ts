// Messages between the Review Flagged Descriptions panel (src/extension/reviewPanel.ts) and its webview
// (./main.ts). Type-only; flag records are the core's plain JSON types (src/core/hallucination/types.ts).
import type { FlagRecord, Verdict } from '../../src/core/hallucination/types';
import type { Entity } from '../../src/core/llm/schema';

export type { Entity, FlagRecord, Verdict };

export interface DatasetRef {
  name: string;
  path: string;
}

export interface ReviewSummary {
  entity: Entity;
  /** Texts scored, and how many are flagged (risk ≥ threshold). */
  total: number;
  flagged: number;
  threshold: number;
  /** Where the texts came from (e.g. "anthropic/claude-… item-description v1"). */
  source: string;
  /** Signals no text could get, with why. */
  absent: Record<string, string>;
  annotationsFile: string;
  /** Verdicts whose text has changed since (shown as stale, never applied). */
  stale: number;
}

export type ToWebview =
  | { type: 'loading'; dataset: DatasetRef; message?: string; fraction?: number }
  | { type: 'records'; dataset: DatasetRef; summary: ReviewSummary; records: FlagRecord[] }
  | { type: 'failed'; dataset: DatasetRef; message: string }
  /** A verdict was written: the record's new annotation. */
  | { type: 'annotated'; id: string; annotation: NonNullable<FlagRecord['annotation']> }
  | { type: 'annotateFailed'; id: string; message: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'verdict'; id: string; verdict: Verdict; editedText?: string }
  /** Ask the LLM again with the flag reasons (paid: the host confirms first). */
  | { type: 'regenerate'; id: string };

export interface ReviewPanelState {
  dataset: DatasetRef;
  entity: Entity;
  /** Id of the record shown. */
  selected?: string;
}

export const REVIEW_VIEW_TYPE = 'graspReview';
