import type { Dataset } from '../data/types';
import { leaveOneOut } from '../data/split';
import type { JobContext } from '../jobs/context';
import type { ItemDescription } from '../llm/schema';
import { cachePaths } from '../data/cachePaths';
import { corruptDescriptions } from './corrupt';
import { loadDescriptions } from './descriptions';
import { detect } from './detect';
import type { FlagRecord } from './types';

export interface DemoFlagsResult {
  items: number;
  /** Descriptions the demo rewrote with false claims (the detector is not told which). */
  injected: number;
  flagged: number;
  /** Of the `top` riskiest, how many are injected ones. */
  injectedInTop: number;
  top: Array<FlagRecord & { injected: boolean }>;
  seconds: number;
}

/**
 * The demo's hallucination stage: a few of the demo world's item descriptions get false claims
 * (the corruption tool, in memory only: the cache is not touched), then the detector scores all of
 * them and the riskiest are shown, each marked with whether it was one of the injected ones.
 */
export async function demoFlags(datasetDir: string, dataset: Dataset, ctx: JobContext, options: { fraction?: number; seed?: number; top?: number } = {}): Promise<DemoFlagsResult> {
  const started = Date.now();
  ctx.progress({ message: 'Flagging possible hallucinations' });
  const split = leaveOneOut(dataset.sequences);
  const loaded = await loadDescriptions(dataset, split, cachePaths(datasetDir).dataset, 'item');
  const { records, truth } = corruptDescriptions(
    loaded.ids.map((id, i) => ({ id, description: loaded.outputs[i] as ItemDescription })),
    { fraction: options.fraction ?? 0.01, seed: options.seed ?? 7 },
  );
  const injected = new Set(truth.items.map((item) => item.index));
  const flags = detect({ entity: 'item', ids: loaded.ids, inputs: loaded.inputs, outputs: records.map((record) => record.description), train: split.train, attentionAbsent: 'the demo trains no GRASP model here' });
  const ranked = flags.slice().sort((a, b) => b.risk - a.risk || a.index - b.index);
  const top = ranked.slice(0, options.top ?? 5).map((record) => ({ ...record, injected: injected.has(record.index) }));
  const inTop = ranked.slice(0, injected.size).filter((record) => injected.has(record.index)).length;
  const seconds = (Date.now() - started) / 1000;
  ctx.log(`demo flags: ${injected.size} of ${flags.length} descriptions given false claims; ${inTop} of them are among the ${injected.size} riskiest (${seconds.toFixed(1)} s)`);
  return { items: flags.length, injected: injected.size, flagged: flags.filter((record) => record.flagged).length, injectedInTop: inTop, top, seconds };
}
