// The pickers' list of a dataset's items or users (the neighbours view's search box and quick pick). The
// dataset is read through the inspect job's warm cache, so the inspect jobs that follow reuse the load.
import type { DatasetLoadParams } from '../data/loadForJob';
import { itemTitle } from '../llm/inputs';
import type { Entity } from '../llm/schema';
import type { JobContext } from '../util/jobContext';
import { loadWarm } from './inspect';

export interface EntityListJobParams {
  dataset: string;
  load?: DatasetLoadParams;
  entity: Entity;
}

export interface EntityListJobResult {
  entity: Entity;
  dataset: string;
  ids: string[];
  /** Parallel to ids; items: the title, users: the latest training title. Untrusted text. */
  labels: string[];
}

/** Every item or user with a short label, for the pickers (search box and quick pick). */
export async function entityListJob(params: EntityListJobParams, ctx: JobContext): Promise<EntityListJobResult> {
  // Through the warm cache: the inspect jobs that follow in the same worker read this very load.
  const { dataset, split } = await loadWarm(params.dataset, params.load, ctx);
  if (params.entity === 'item')
    return { entity: 'item', dataset: dataset.name, ids: dataset.itemIds, labels: dataset.itemIds.map((_, row) => itemTitle(dataset, row)) };
  const { train } = split;
  const labels = train.map((prefix) =>
    prefix.length === 0 ? 'no training items' : `${prefix.length} items; latest: ${itemTitle(dataset, prefix[prefix.length - 1])}`.slice(0, 160),
  );
  return { entity: 'user', dataset: dataset.name, ids: dataset.userIds, labels };
}
