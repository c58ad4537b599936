// The strong preset of each backbone: the settings a run takes wherever its config is silent, so a
// researcher gets a baseline at the field's level without asking. Each preset is a JSON file beside
// this one, chosen on VALIDATION by the grids of experiments/presets-grid-*.json (docs/results.md).
import type { ModelKind } from '../model/types';
import { deepMerge, type JsonObject } from '../util/merge';
import bert4rec from './presets/bert4rec.json';
import gru4rec from './presets/gru4rec.json';
import sasrec from './presets/sasrec.json';

export interface Preset {
  /** why these settings: the grid and the experiment that chose them */
  description: string;
  model: JsonObject;
  train: JsonObject;
}

export const PRESETS: Readonly<Record<ModelKind, Preset>> = { sasrec, gru4rec, bert4rec };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The config over its backbone's preset (a config without a known model.kind is returned as it is, for the schema to reject). */
export function withPreset(config: unknown): unknown {
  if (!isObject(config) || !isObject(config.model)) return config;
  const kind = config.model.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(PRESETS, kind)) return config;
  const { model, train } = PRESETS[kind as keyof typeof PRESETS];
  return deepMerge({ model, train }, config as JsonObject);
}
