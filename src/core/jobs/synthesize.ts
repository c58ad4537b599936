import { leaveOneOut } from '../data/split';
import { synthesize, type SynthesisOptions, type SynthesisResult, type SynthesisSecrets } from '../llm/synthesize';
import { cachePaths } from '../data/cachePaths';
import type { JobContext } from '../util/jobContext';
import { loadForJob, type DatasetLoadParams } from '../data/loadForJob';

export interface SynthesizeJobParams extends SynthesisOptions {
  /** A dataset file or folder. */
  dataset: string;
  load?: DatasetLoadParams;
  /** Replaces `<workspace>/.grasp` (e.g. when the dataset folder is read-only). */
  cacheDir?: string;
}

/**
 * Loads a dataset and synthesises item descriptions or user profiles into its cache. The key comes
 * from the caller's environment (the CLI's, or the worker's), never from params.
 */
export async function synthesizeJob(params: SynthesizeJobParams, ctx: JobContext, secrets: SynthesisSecrets = {}): Promise<SynthesisResult> {
  const dataset = await loadForJob(params.dataset, params.load, ctx);
  const split = leaveOneOut(dataset.sequences);
  // user profiles: the test-time histories too (test-time user retrieval, the default, reads them)
  return synthesize(dataset, split, cachePaths(params.dataset, params.cacheDir), { ...params, testHistories: params.testHistories ?? true }, ctx, secrets);
}
