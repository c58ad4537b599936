// Where `grasp.corruption` is applied: a known share of item descriptions is rewritten with false
// claims (src/core/hallucination/corrupt.ts: another product's description, invented specifics, generic filler)
// BEFORE embedding, so retrieval and the adapters see the hallucinations (DESIGN §2 step 5). The
// ground truth comes back so the run can record which items were corrupted, and how.
import type { Dataset, Split } from '../data/types';
import type { EntityTexts } from '../embed/texts';
import type { CorruptionTruth } from '../hallucination/corrupt';
import { corruptEntityTexts } from '../hallucination/training';
import type { GraspSettings } from './config';

/** What was corrupted: the corruption tool's ground truth. */
export type CorruptionReport = CorruptionTruth;

export function applyCorruption(
  texts: EntityTexts,
  dataset: Dataset,
  split: Split,
  settings: GraspSettings['corruption'],
): { texts: EntityTexts; report?: CorruptionReport } {
  if (settings.fraction <= 0 || texts.entity !== 'item') return { texts };
  const { texts: corrupted, truth } = corruptEntityTexts(texts, dataset, split, {
    fraction: settings.fraction,
    seed: settings.seed,
    mix: settings.mix,
    target: settings.target,
  });
  return { texts: corrupted, report: truth };
}
