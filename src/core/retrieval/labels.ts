// How an item or a user reads in a list of neighbours (the neighbours and inspect views, the review list,
// attention explanations): short, from the dataset's titles and the training prefixes only.
import type { Dataset } from '../data/types';
import { itemTitle } from '../llm/inputs';
import type { Entity } from '../llm/schema';

/** A readable label for a row: an item's title, or a user's three latest training titles. */
export function entityLabel(dataset: Dataset, train: Int32Array[] | undefined, entity: Entity, row: number): string {
  if (entity === 'item') return itemTitle(dataset, row);
  const prefix = train?.[row] ?? new Int32Array(0);
  const latest = Array.from(prefix.subarray(Math.max(0, prefix.length - 3)), (item) => itemTitle(dataset, item)).reverse();
  return `${prefix.length} training items; latest: ${latest.join(' | ')}`;
}
