import type { Dataset, Split } from '../data/types';
import { entityTexts, type TextSource } from '../embed/texts';
import type { EntityInput, ItemInput, UserInput } from '../llm/inputs';
import { buildInputs } from '../llm/inputs';
import { describeItem, profileUser } from '../llm/metadataProvider';
import { outputText, type Entity, type SynthesisOutput } from '../llm/schema';

/** Every entity's description (or profile) as the hallucination tools see it, with its input beside it. */
export interface LoadedDescriptions {
  entity: Entity;
  ids: string[];
  /** What the synthesis was given: the evidence a claim is checked against. */
  inputs: EntityInput[];
  outputs: SynthesisOutput[];
  /** outputText of each output: the text spans index into. */
  texts: string[];
  source: TextSource | null;
  fromSynthesis: number;
  /** Entities the chosen synthesis lacks: they get the metadata-only description. */
  metadataOnly: number;
}

/** The description written from metadata alone: what a text falls back to when judged hallucinated. */
export function metadataOnlyOutput(input: EntityInput): SynthesisOutput {
  return input.entity === 'item' ? describeItem(input.input as ItemInput) : profileUser(input.input as UserInput);
}

/**
 * The descriptions of a dataset's cached synthesis (`auto` picks as `grasp embed` does); entities it
 * lacks, or every entity when nothing was synthesised, get the metadata provider's description.
 */
export async function loadDescriptions(dataset: Dataset, split: Split, datasetCacheDir: string, entity: Entity, choice = 'auto'): Promise<LoadedDescriptions> {
  const inputs = buildInputs(dataset, split, entity);
  const found = choice === 'metadata-only' ? undefined : await entityTexts(dataset, split, datasetCacheDir, entity, choice);
  const outputs = inputs.map((input, i) => found?.outputs[i] ?? metadataOnlyOutput(input));
  const fromSynthesis = found?.fromSynthesis ?? 0;
  return {
    entity,
    ids: inputs.map((input) => input.id),
    inputs,
    outputs,
    texts: outputs.map(outputText),
    source: found?.source ?? null,
    fromSynthesis,
    metadataOnly: inputs.length - fromSynthesis,
  };
}
