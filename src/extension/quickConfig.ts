// The run config Train Model's quick setup builds (a dataset, a backbone, GRASP on or off, a budget) and
// the budgets it offers. No `vscode` here: the unit tests validate what the palette would send.
import type { ModelKind } from '../core/model/types';
import type { ModelVariant } from '../core/train/config';
import type { GraspTextSection } from './textSettings';

/** A backbone of the quick setup: any of core's MODEL_KINDS (a type import; the host imports no core list at run time). */
export type Backbone = ModelKind;

/** Overrides of the backbone preset's `train` settings. */
export interface TrainOverrides {
  epochs?: number;
  evalEvery?: number;
  patience?: number;
  /** Wall-time budget (validation included); the run ends after the epoch it runs out in. */
  maxMinutes?: number;
}

export interface BudgetChoice {
  label: string;
  description?: string;
  detail?: string;
  /** Epoch budgets first, then wall-time ones (the quick pick puts a separator between them). */
  group: 'epochs' | 'time';
  /** undefined: ask for a number of epochs. */
  train?: TrainOverrides;
  custom?: boolean;
}

/**
 * How long to train. The presets' budget (up to 200 epochs, early stopping) is right for a result and
 * long for a first look, so shorter budgets come first. A time budget keeps the preset's 200 epochs and
 * early stopping: on a large dataset the clock ends the run, on a small one early stopping may come first.
 */
export const BUDGETS: readonly BudgetChoice[] = [
  {
    group: 'epochs',
    label: 'Quick look: 10 epochs',
    description: 'validation every epoch, no early stopping',
    detail: 'Minutes on the demo; enough to see the curves move and compare variants roughly.',
    train: { epochs: 10, evalEvery: 1, patience: 0 },
  },
  { group: 'epochs', label: 'Short: up to 50 epochs', description: 'early stopping as the preset', train: { epochs: 50 } },
  {
    group: 'epochs',
    label: 'Full preset: up to 200 epochs',
    description: 'the backbone’s tuned budget, early stopping on validation NDCG@10',
    detail: 'What docs/results.md reports; can take hours on Beauty.',
    train: {},
  },
  { group: 'epochs', label: 'Custom number of epochs…', custom: true },
  {
    group: 'time',
    label: 'About 5 minutes',
    description: 'wall time, then the best epoch is tested',
    detail: 'Up to the preset’s 200 epochs with its early stopping; the epoch the time runs out in is finished and validated.',
    train: { maxMinutes: 5 },
  },
  { group: 'time', label: 'About 15 minutes', description: 'wall time, then the best epoch is tested', train: { maxMinutes: 15 } },
  { group: 'time', label: 'About 1 hour', description: 'wall time, then the best epoch is tested', train: { maxMinutes: 60 } },
];

export interface QuickRun {
  /** The config's name: what the runs list, the dashboard and Compare Runs call the run. */
  label: string;
  /** The epoch budget when the quick setup set one (else the trainer's progress line tells it). */
  epochs?: number;
  maxMinutes?: number;
  config: Record<string, unknown>;
}

/** The run config of a quick setup; `text` is the text side from the settings (ignored for plain runs, which have none). */
export function quickRunConfig(input: {
  dataset: string;
  datasetName: string;
  model: Backbone;
  variant: ModelVariant;
  train: TrainOverrides;
  text?: GraspTextSection;
}): QuickRun {
  const suffix = input.variant === 'plain' ? '' : `-${input.variant}`;
  const label = `${input.model}${suffix}-${input.datasetName}`.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 64);
  const train = Object.keys(input.train).length > 0 ? { train: { ...input.train } } : {};
  const grasp = input.variant !== 'plain' && input.text ? { grasp: input.text } : {};
  return {
    label,
    epochs: input.train.epochs,
    maxMinutes: input.train.maxMinutes,
    config: { name: label, data: { path: input.dataset }, model: { kind: input.model }, variant: input.variant, ...train, ...grasp },
  };
}
