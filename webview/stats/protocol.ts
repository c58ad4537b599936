// Messages between the statistics panel (src/extension/statsPanel.ts) and its webview (./main.ts). Both sides
// import this file, so a message cannot be sent in a shape the other side does not read. Type-only: no DOM,
// no Node, nothing at run time.
//
// StatsView is what the view renders. It is declared here, not imported from core, because the webview layer
// may not import core (DESIGN §4); the extension passes a core DatasetStats where a StatsView is expected, so
// the compiler checks that the two stay compatible.

export interface Histogram {
  edges: number[];
  counts: number[];
}

export interface StatsView {
  name: string;
  source: string;
  format: string;
  users: number;
  items: number;
  interactions: number;
  density: number;
  sequenceLength: { min: number; median: number; mean: number; p90: number; max: number; histogram: Histogram };
  popularity: {
    min: number;
    median: number;
    mean: number;
    max: number;
    gini: number;
    top20Share: number;
    headItems: number;
    tailItems: number;
    /** (rank, count), rank 1 = most popular. */
    curve: Array<[number, number]>;
  };
  users80_20: { headUsers: number; tailUsers: number; headMinLength: number };
  coldItems: { catalogueOnly: number; noTrainInteractions: number };
  metadataCoverage: Array<{ field: string; covered: number; share: number }>;
  duplicates: { found: number; removed: number };
  /** The most popular items; titles are untrusted dataset text. Optional: state saved by older versions lacks it. */
  topItems?: Array<{ id: string; interactions: number; title?: string }>;
}

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
  | { type: 'ready' }
  | { type: 'refresh' }
  | { type: 'cancel' };

/** What the webview keeps with vscode.setState, and what the panel serializer gets back after a reload. */
export interface StatsPanelState {
  dataset: DatasetRef;
  stats?: StatsView;
}

export const STATS_VIEW_TYPE = 'graspStatistics';
