import { leaveOneOut } from '../data/split';
import { embed, type EmbedOptions, type EmbedResult, type EmbedSecrets } from '../embed/embed';
import { cachePaths } from '../data/cachePaths';
import type { JobContext } from '../util/jobContext';
import { loadForJob, type DatasetLoadParams } from '../data/loadForJob';

export interface EmbedJobParams extends EmbedOptions {
  dataset: string;
  load?: DatasetLoadParams;
  cacheDir?: string;
}

/** Embeds a dataset's item or user texts (synthesised, or raw) and stores them with their PCA. */
export async function embedJob(params: EmbedJobParams, ctx: JobContext, secrets: EmbedSecrets = {}): Promise<EmbedResult> {
  const dataset = await loadForJob(params.dataset, params.load, ctx, 0.05);
  return embed(dataset, leaveOneOut(dataset.sequences), cachePaths(params.dataset, params.cacheDir).dataset, params, ctx, secrets);
}
