import type { Dataset, Split } from '../data/types';
import type { EntityTexts } from '../embed/texts';
import { buildInputs } from '../llm/inputs';
import { outputText, type ItemDescription } from '../llm/schema';
import { sha256Hex } from '../util/hash';
import { applyAnnotations, readAnnotations, type LocatedAnnotation } from './annotations';
import { corruptDescriptions, type CorruptionOptions, type CorruptionTruth } from './corrupt';
import { metadataOnlyOutput } from './descriptions';
import type { SimulatedReviewSummary } from './review';
import type { AppliedAnnotation, StaleAnnotation } from './types';

/** What a run records of the annotations it honoured (written beside its config). */
export interface AnnotationReport {
  /** The annotations file: the workspace's, or the run's own (a name inside the run folder). */
  file: string;
  entity: 'item' | 'user';
  used: AppliedAnnotation[];
  stale: StaleAnnotation[];
  unknown: AppliedAnnotation[];
  /** The run's own file only: what the simulated reviewer read and marked. */
  review?: SimulatedReviewSummary;
}

/**
 * The training side of the annotations: the texts a run embeds, after people's verdicts —
 * hallucinated → the metadata-only description, edited → the edited text. Returns the texts
 * unchanged (and no report) when the file has no record for this entity kind. A verdict counts as
 * current when it judged the text being embedded or the metadata-only description `grasp flag`
 * showed for an entity the synthesis lacks (and the run did not corrupt).
 */
export async function annotatedEntityTexts(
  texts: EntityTexts,
  dataset: Dataset,
  split: Split,
  file: string,
): Promise<{ texts: EntityTexts; report?: AnnotationReport }> {
  return verdictsApplied(texts, dataset, split, await readAnnotations(file), file);
}

/** `annotatedEntityTexts` over records already read (e.g. the simulated reviewer's, which no shared file holds). */
export function verdictsApplied(
  texts: EntityTexts,
  dataset: Dataset,
  split: Split,
  all: readonly LocatedAnnotation[],
  file: string,
): { texts: EntityTexts; report?: AnnotationReport } {
  const records = all.filter((record) => record.entity === texts.entity);
  if (records.length === 0) return { texts };
  const inputs = buildInputs(dataset, split, texts.entity);
  const metadataOnly = (row: number): string => outputText(metadataOnlyOutput(inputs[row]));
  const outcome = applyAnnotations(
    {
      entity: texts.entity,
      ids: texts.ids,
      texts: texts.texts,
      metadataOnly,
      alternatives: (row) => (texts.outputs[row] === undefined ? [metadataOnly(row)] : []),
    },
    records,
  );
  const report: AnnotationReport = { file, entity: texts.entity, used: outcome.used, stale: outcome.stale, unknown: outcome.unknown };
  if (outcome.used.length === 0) return { texts, report };
  // A new text hash: embeddings keyed by it are rebuilt rather than taken from an unannotated run.
  return { texts: { ...texts, texts: outcome.texts, sha256: sha256Hex(outcome.texts.join('\u0000')) }, report };
}

/** Training interactions of each record's item (records by raw id), for corruption aimed at the head. */
export function recordPopularity(split: Split, ids: readonly string[], itemIds: readonly string[]): Float64Array {
  const counts = new Float64Array(itemIds.length);
  for (const sequence of split.train) for (const item of sequence) counts[item]++;
  const dense = new Map(itemIds.map((id, index) => [id, index]));
  return Float64Array.from(ids, (id) => counts[dense.get(id) ?? -1] ?? 0);
}

/**
 * The corruption tool applied to the texts a run embeds (items only): the chosen share of item
 * descriptions is rewritten (items without a synthesis are corrupted from their metadata-only
 * description); every other text stays byte-identical. The truth says which, and how. A corrupted
 * row's output becomes the corrupted description, so text and output keep saying the same thing: the
 * detector (the simulated reviewer's) reads the corrupted claims, and a verdict on the metadata-only
 * text of an item the run corrupted is no longer current for it.
 */
export function corruptEntityTexts(
  texts: EntityTexts,
  dataset: Dataset,
  split: Split,
  options: CorruptionOptions,
): { texts: EntityTexts; truth: CorruptionTruth } {
  if (texts.entity !== 'item') throw new Error('only item descriptions are corrupted');
  const inputs = buildInputs(dataset, split, 'item');
  const records = texts.ids.map((id, row) => ({ id, description: (texts.outputs[row] ?? metadataOnlyOutput(inputs[row])) as ItemDescription }));
  const { records: rewritten, truth } = corruptDescriptions(records, {
    ...options,
    popularity: options.target === 'head' ? recordPopularity(split, texts.ids, dataset.itemIds) : options.popularity,
  });
  if (truth.items.length === 0) return { texts, truth };
  const corrupted = texts.texts.slice();
  const outputs = texts.outputs.slice();
  for (const item of truth.items) {
    corrupted[item.index] = item.corrupted;
    outputs[item.index] = rewritten[item.index].description;
  }
  return { texts: { ...texts, texts: corrupted, outputs, sha256: sha256Hex(corrupted.join('\u0000')) }, truth };
}
