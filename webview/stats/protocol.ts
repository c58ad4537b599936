// Messages between the statistics panel (src/extension/statsPanel.ts) and its webview (./main.ts). Both sides
// import this file, so a message cannot be sent in a shape the other side does not read. Type-only: no DOM,
// no Node, nothing at run time.
//
// StatsView is the core's DatasetStats, imported as a type only: nothing of core runs in the webview
// (DESIGN §4), but the shape is defined once, so the two sides cannot drift.
import type { DatasetStats } from '../../src/core/data/types';

export type StatsView = DatasetStats;

/** The dataset a panel is about. All text in it is untrusted (file names come from the user's disk). */
export interface DatasetRef {
  name: string;
  path: string;
}

export type ToWebview =
  | { type: 'loading'; dataset: DatasetRef }
  | { type: 'progress'; message?: string; fraction?: number }
  | { type: 'stats'; dataset: DatasetRef; stats: StatsView; seconds?: number }
  | { type: 'failed'; dataset: DatasetRef; message: string }
  | { type: 'cancelled'; dataset: DatasetRef };

export type FromWebview =
  /** The script is listening; the host answers with the current state. */
  { type: 'ready' } | { type: 'refresh' } | { type: 'cancel' };

/** What the webview keeps with vscode.setState, and what the panel serializer gets back after a reload. */
export interface StatsPanelState {
  dataset: DatasetRef;
  stats?: StatsView;
}

export const STATS_VIEW_TYPE = 'graspStatistics';
