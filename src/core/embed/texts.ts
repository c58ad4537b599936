import type { Dataset, Split } from '../data/types';
import { SynthesisCache } from '../llm/cache';
import { buildInputs, synthesisKey, type EntityInput, type ItemInput, type UserInput } from '../llm/inputs';
import { outputText, type Entity, type SynthesisOutput } from '../llm/schema';
import { synthesisCacheFile } from '../llm/synthesize';
import { sha256Hex } from '../util/hash';
import { ConfigError } from '../util/errors';

/** Which synthesis output the texts came from; null when they are the raw inputs. */
export interface TextSource {
  provider: string;
  model: string;
  template: string;
  templateVersion: number;
  worldKnowledge: boolean;
}

export interface EntityTexts {
  entity: Entity;
  ids: string[];
  texts: string[];
  source: TextSource | null;
  /** Entities whose text is a synthesis output, and those that fell back to their raw input. */
  fromSynthesis: number;
  fallback: number;
  sha256: string;
  /** The synthesis output behind each text (undefined where the raw input stood in): for the hallucination checks. */
  outputs: Array<SynthesisOutput | undefined>;
}

/** An entity's own input as text: item metadata fields, or a user's training titles. */
export function rawText(input: EntityInput): string {
  if (input.entity === 'item') return (input.input as ItemInput).fields.map(([name, value]) => `${name}: ${value}`).join('\n');
  return (input.input as UserInput).titles.join('\n');
}

/**
 * The text to embed per entity. `auto` picks the synthesis (provider, model, template version)
 * that covers the most of the current inputs, preferring world knowledge on a tie; `none` embeds
 * the raw inputs; `provider` or `provider:model` picks one. Entities the chosen synthesis lacks
 * (failed, or outside a --limit) fall back to their raw input, and are counted.
 */
export async function entityTexts(dataset: Dataset, split: Split, datasetCacheDir: string, entity: Entity, choice = 'auto'): Promise<EntityTexts> {
  const inputs = buildInputs(dataset, split, entity);
  const cache = choice === 'none' ? undefined : await SynthesisCache.read(synthesisCacheFile(datasetCacheDir, entity));
  let source: TextSource | null = null;
  if (cache) {
    // split at the first colon only: model names have their own (Ollama's `qwen2.5:7b`)
    const colon = choice.indexOf(':');
    const [wantProvider, wantModel] = choice === 'auto' ? [] : colon < 0 ? [choice] : [choice.slice(0, colon), choice.slice(colon + 1)];
    const candidates = new Map<string, TextSource>();
    for (const record of cache.records()) {
      if (record.status !== 'ok' || (wantProvider && record.provider !== wantProvider) || (wantModel && record.model !== wantModel)) continue;
      const candidate = {
        provider: record.provider,
        model: record.model,
        template: record.template,
        templateVersion: record.templateVersion,
        worldKnowledge: record.worldKnowledge,
      };
      candidates.set(JSON.stringify(candidate), candidate);
    }
    let best = -1;
    for (const candidate of candidates.values()) {
      const template = { name: candidate.template, version: candidate.templateVersion };
      const covered = inputs.reduce(
        (sum, input) => sum + (cache.isDone(synthesisKey(candidate.provider, candidate.model, template, input.inputHash)) ? 1 : 0),
        0,
      );
      if (covered > best || (covered === best && candidate.worldKnowledge && !source?.worldKnowledge)) {
        best = covered;
        source = candidate;
      }
    }
    if (!source && choice !== 'auto')
      throw new ConfigError(`no ${entity} synthesis from ${choice} in ${cache.path}: run \`grasp synthesize\` first, or embed raw inputs with --texts none`);
  }
  let fromSynthesis = 0;
  const outputs: Array<SynthesisOutput | undefined> = [];
  const texts = inputs.map((input) => {
    const record =
      source && cache?.get(synthesisKey(source.provider, source.model, { name: source.template, version: source.templateVersion }, input.inputHash));
    if (record?.status === 'ok' && record.output) {
      fromSynthesis++;
      outputs.push(record.output);
      return outputText(record.output);
    }
    outputs.push(undefined);
    return rawText(input);
  });
  return {
    entity,
    ids: inputs.map((input) => input.id),
    texts,
    source,
    fromSynthesis,
    fallback: inputs.length - fromSynthesis,
    sha256: sha256Hex(texts.join('\u0000')),
    outputs,
  };
}
