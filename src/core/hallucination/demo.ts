import { join } from 'node:path';
import type { Dataset, Split } from '../data/types';
import type { JobContext } from '../util/jobContext';
import { MetadataProvider, offlineReply } from '../llm/metadataProvider';
import type { CallOptions, ProviderReply, SynthesisTask } from '../llm/provider';
import type { ItemDescription } from '../llm/schema';
import { writeFileAtomic } from '../util/atomicWrite';
import { corruptDescriptions, type CorruptionTruth } from './corrupt';
import { loadDescriptions } from './descriptions';
import { detect } from './detect';
import type { FlagRecord } from './types';

export interface DemoFlagsResult {
  items: number;
  /** Descriptions the demo's stand-in LLM wrote with false claims (the detector is not told which). */
  injected: number;
  flagged: number;
  /** Of the `injected` riskiest, how many are planted ones. */
  injectedInTop: number;
  top: Array<FlagRecord & { injected: boolean }>;
  seconds: number;
}

/** Where the demo keeps the ground truth of the hallucinations it planted (beside the dataset's other caches). */
export function demoTruthPath(datasetCacheDir: string): string {
  return join(datasetCacheDir, 'corruption', 'demo-planted.json');
}

/**
 * The demo world's stand-in LLM: the metadata provider's descriptions, except for the planted items,
 * which it describes with the false claims the corruption tool gave them, the way an LLM sometimes
 * confuses products, invents specifics or writes filler. Its own model name keeps these records apart
 * from the plain metadata provider's in the synthesis cache.
 */
export class PlantedHallucinationProvider extends MetadataProvider {
  override readonly model = 'metadata-planted-v1';

  constructor(private readonly planted: ReadonlyMap<string, ItemDescription>) {
    super();
  }

  override async complete(task: SynthesisTask, options: CallOptions): Promise<ProviderReply> {
    const description = task.entity === 'item' ? this.planted.get(task.input.id) : undefined;
    return description ? offlineReply(description) : super.complete(task, options);
  }
}

export interface PlantedHallucinations {
  provider: PlantedHallucinationProvider;
  truth: CorruptionTruth;
  truthFile: string;
}

/**
 * Chooses the demo's hallucinated items (a fraction of them, a third of each corruption family, fixed
 * by the seed) and writes their ground truth; the provider it returns then writes them into the
 * synthesis cache like any other description, so every view that reads descriptions sees them.
 */
export async function plantDemoHallucinations(
  dataset: Dataset,
  split: Split,
  datasetCacheDir: string,
  options: { fraction?: number; seed?: number } = {},
): Promise<PlantedHallucinations> {
  const honest = await loadDescriptions(dataset, split, datasetCacheDir, 'item', 'metadata-only');
  const { truth, records } = corruptDescriptions(
    honest.ids.map((id, i) => ({ id, description: honest.outputs[i] as ItemDescription })),
    { fraction: options.fraction ?? 0.01, seed: options.seed ?? 7, mix: { 'wrong-product': 1, specifics: 1, generic: 1 } },
  );
  const planted = new Map(truth.items.map((item) => [item.id, records[item.index].description]));
  const truthFile = demoTruthPath(datasetCacheDir);
  await writeFileAtomic(truthFile, `${JSON.stringify(truth, null, 1)}\n`);
  return { provider: new PlantedHallucinationProvider(planted), truth, truthFile };
}

/**
 * The demo's hallucination stage: the detector scores every cached item description (it is not told
 * which were planted) and the riskiest are shown, each marked with whether it was a planted one.
 */
export async function demoFlags(
  dataset: Dataset,
  split: Split,
  datasetCacheDir: string,
  truth: CorruptionTruth,
  ctx: JobContext,
  options: { top?: number } = {},
): Promise<DemoFlagsResult> {
  const started = Date.now();
  ctx.progress({ message: 'Flagging possible hallucinations' });
  const loaded = await loadDescriptions(dataset, split, datasetCacheDir, 'item');
  const injected = new Set(truth.items.map((item) => item.id));
  const flags = detect({
    entity: 'item',
    ids: loaded.ids,
    inputs: loaded.inputs,
    outputs: loaded.outputs,
    train: split.train,
    attentionAbsent: 'the demo trains no GRASP model here',
  });
  const ranked = flags.slice().sort((a, b) => b.risk - a.risk || a.index - b.index);
  const top = ranked.slice(0, options.top ?? 5).map((record) => ({ ...record, injected: injected.has(record.id) }));
  const inTop = ranked.slice(0, injected.size).filter((record) => injected.has(record.id)).length;
  const seconds = (Date.now() - started) / 1000;
  ctx.log(
    `demo flags: the stand-in LLM gave ${injected.size} of ${flags.length} descriptions false claims; ${inTop} of them are among the ${injected.size} riskiest (${seconds.toFixed(1)} s)`,
  );
  return { items: flags.length, injected: injected.size, flagged: flags.filter((record) => record.flagged).length, injectedInTop: inTop, top, seconds };
}
