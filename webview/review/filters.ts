// Which records the review list shows, and the review progress. Pure, unit-tested.
import type { FlagRecord } from '../../src/core/hallucination/types';

export interface ReviewFilter {
  /** A reason kind ("brand", "category", …) or signal name; '' = any. */
  reason: string;
  minRisk: number;
  /** Hide records that already carry a current (non-stale) verdict. */
  unreviewedOnly: boolean;
}

export const reviewed = (record: FlagRecord): boolean => !!record.annotation && !record.annotation.stale;

export function matchesFilter(record: FlagRecord, filter: ReviewFilter): boolean {
  if (record.risk < filter.minRisk) return false;
  if (filter.unreviewedOnly && reviewed(record)) return false;
  if (filter.reason !== '' && !record.reasons.some((reason) => reason.kind === filter.reason || reason.signal === filter.reason)) return false;
  return true;
}

/** Riskiest first (ties in dataset order), as the flag job ranks them. */
export function filterRecords(records: readonly FlagRecord[], filter: ReviewFilter): number[] {
  return records
    .map((record, index) => ({ record, index }))
    .filter(({ record }) => matchesFilter(record, filter))
    .sort((a, b) => b.record.risk - a.record.risk || a.record.index - b.record.index)
    .map(({ index }) => index);
}

export interface ReviewProgress {
  /** Current verdicts on flagged texts, and the flagged texts. */
  reviewed: number;
  flagged: number;
  /** Current verdicts on any listed text, and the texts listed (every text with some risk or a verdict). */
  reviewedListed: number;
  listed: number;
}

/** "n of m reviewed": over the flagged texts, and over every text listed (a catalogue may have none flagged). */
export function progress(records: readonly FlagRecord[]): ReviewProgress {
  const flagged = records.filter((record) => record.flagged);
  return { reviewed: flagged.filter(reviewed).length, flagged: flagged.length, reviewedListed: records.filter(reviewed).length, listed: records.length };
}

/** The progress line of the review page. */
export function progressText(p: ReviewProgress, shown: number): string {
  const listed = `${p.reviewedListed} of ${p.listed} listed reviewed`;
  const head = p.flagged > 0 ? `${p.reviewed} of ${p.flagged} flagged reviewed · ${listed}` : `none flagged · ${listed}`;
  return `${head} · showing ${shown}`;
}

/** Every reason kind present, for the filter's choices. */
/** The detector's signals, in the order the records carry them (the core owns the list, not the view). */
export function signalNames(records: readonly FlagRecord[]): string[] {
  return records.length === 0 ? [] : Object.keys(records[0].signals);
}

export function reasonKinds(records: readonly FlagRecord[]): string[] {
  return [...new Set(records.flatMap((record) => record.reasons.map((reason) => reason.kind)))].sort();
}
