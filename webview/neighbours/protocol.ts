// Messages between the Inspect Neighbours panel (src/extension/neighboursPanel.ts) and its webview (./main.ts).
// Type-only; the result shape is the core job's, imported as a type, so the two sides cannot drift.
import type { InspectJobResult } from '../../src/core/jobs/inspect';
import type { Entity } from '../../src/core/llm/schema';

export type InspectView = InspectJobResult;
export type { Entity };

/** The dataset a panel is about (untrusted text: file names come from the user's disk). */
export interface DatasetRef {
  name: string;
  path: string;
}

export type ToWebview =
  /** First answer to 'ready': what the panel is about; `id` is set when the host wants it shown. */
  | { type: 'init'; dataset: DatasetRef; entity: Entity; id?: string }
  /** Every id with a short label, for the search box (sent once; the list can be 22k long). */
  | { type: 'list'; ids: string[]; labels: string[] }
  | { type: 'listFailed'; message: string }
  | { type: 'loading'; id: string; message?: string; fraction?: number }
  | { type: 'result'; id: string; result: InspectView }
  /** `fix`: what the page offers to do about it (a button); `detail`: the worker's own words, for the curious. */
  | { type: 'failed'; id: string; message: string; fix?: 'buildIndex'; detail?: string }
  /** Go to this id as a new history entry (chosen outside the page: quick pick, CodeLens, tree). */
  | { type: 'navigate'; id: string };

export type FromWebview =
  /** The script is listening: the host sends the list and the current entry. */
  | { type: 'ready' }
  /** Show this id (a click, back/forward, the search box); the page keeps the history. */
  | { type: 'open'; id: string }
  /** Ask the host for its quick pick (same list, VS Code's fuzzy matching). */
  | { type: 'quickPick' }
  /** Build the missing neighbour index, then show this id again. */
  | { type: 'buildIndex'; id: string };

/** What the webview saves with setState, and what the serializer gets back after a reload. */
export interface NeighboursPanelState {
  dataset: DatasetRef;
  entity: Entity;
  history: string[];
  /** Index of the shown entry in history. */
  position: number;
}

export const NEIGHBOURS_VIEW_TYPE = 'graspNeighbours';
