// An experiment file: a base run config, named variants (overrides deep-merged into the base) run
// with each of several seeds, the comparisons to test (variant vs a named baseline) and an output
// folder. Every variant's merged config is validated as a run config up front, so a typo in the
// last variant fails before hours of training, with the file and the field named.
import Ajv, { type ErrorObject } from 'ajv';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { validateConfig, type RunConfig } from '../train/config';
import { ConfigError } from '../util/errors';
import { firstDifference } from '../util/jsonCompare';
import { MAX_CONFIG_DEPTH, tooDeep } from '../util/jsonLimits';
import { deepMerge, type JsonObject } from '../util/merge';

export interface ExperimentVariant {
  name: string;
  description?: string;
  /** run-config overrides: objects merge key by key, arrays and values replace, null removes */
  overrides: JsonObject;
}

export interface ExperimentComparison {
  variant: string;
  baseline: string;
}

/**
 * The healing loop's yardstick: how much of the drop corruption caused (clean → corrupted) a review
 * (corrupted → reviewed) won back, on mean test NDCG@10 over seeds.
 */
export interface ExperimentRecovery {
  clean: string;
  corrupted: string;
  reviewed: string;
}

export interface ExperimentFile {
  name: string;
  description?: string;
  /** a run config object, or the path of a run-config file (relative to the experiment file) */
  base: JsonObject | string;
  seeds: number[];
  variants: ExperimentVariant[];
  comparisons: ExperimentComparison[];
  recoveries: ExperimentRecovery[];
  /** results and run folders; relative to the experiment file */
  output: string;
}

export interface Experiment {
  file: string;
  name: string;
  description?: string;
  seeds: number[];
  /** absolute output folder */
  output: string;
  variants: Array<ExperimentVariant & { config: RunConfig }>;
  comparisons: ExperimentComparison[];
  recoveries: ExperimentRecovery[];
}

/** Folder-safe names: a variant's name is also its run folder's name. */
const NAME = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$' } as const;

export const EXPERIMENT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'base', 'seeds', 'variants', 'output'],
  properties: {
    $schema: { type: 'string' },
    name: NAME,
    description: { type: 'string' },
    base: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'object' }] },
    seeds: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, maxItems: 100, uniqueItems: true },
    variants: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: NAME, description: { type: 'string' }, overrides: { type: 'object', default: {} } },
      },
    },
    comparisons: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['variant', 'baseline'],
        properties: { variant: { type: 'string' }, baseline: { type: 'string' } },
      },
    },
    recoveries: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['clean', 'corrupted', 'reviewed'],
        properties: { clean: { type: 'string' }, corrupted: { type: 'string' }, reviewed: { type: 'string' } },
      },
    },
    output: { type: 'string', minLength: 1 },
  },
} as const;

const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: true });
const validate = ajv.compile(EXPERIMENT_SCHEMA);

/** `/variants/2/name` → `variants[2].name`, the way a reader finds it in the file. */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

function describe(error: ErrorObject): { field: string; detail: string } {
  const field = fieldPath(error.instancePath);
  const join = (extra: string) => (field ? `${field}.${extra}` : extra);
  if (error.keyword === 'additionalProperties')
    return { field: join((error.params as { additionalProperty: string }).additionalProperty), detail: 'is not a known setting' };
  if (error.keyword === 'required') return { field: join((error.params as { missingProperty: string }).missingProperty), detail: 'is required' };
  if (error.keyword === 'oneOf') return { field, detail: 'must be a run config object or the path of a run-config file' };
  return { field, detail: error.message ?? 'is invalid' };
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    // a FIFO or device named as the file would block the read for ever: refuse it first
    if (!(await stat(file)).isFile()) throw new ConfigError(file, '', `is not a regular file (expected ${what})`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(file, '', `cannot be read as ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, '', `is not valid JSON (${(error as Error).message})`);
  }
}

/** Validates an experiment (parsed JSON); `file` names it in errors and anchors relative paths. */
export async function validateExperiment(value: unknown, file: string): Promise<Experiment> {
  const deep = tooDeep(value);
  if (deep !== undefined) throw new ConfigError(file, deep, `nests deeper than ${MAX_CONFIG_DEPTH} levels (no setting does)`);
  const copy = structuredClone(value);
  if (!validate(copy)) {
    const { field, detail } = describe(validate.errors![0]);
    throw new ConfigError(file, field, detail);
  }
  const spec = copy as unknown as ExperimentFile;
  const here = dirname(resolve(file));
  let base: JsonObject;
  let baseDir = here;
  if (typeof spec.base === 'string') {
    const baseFile = resolve(here, spec.base);
    const loaded = await readJson(baseFile, 'a run config (experiment field "base")');
    if (typeof loaded !== 'object' || loaded === null || Array.isArray(loaded)) throw new ConfigError(baseFile, '', 'must hold a JSON object (a run config)');
    base = loaded as JsonObject;
    baseDir = dirname(baseFile);
  } else base = spec.base;
  const names = new Set<string>();
  const variants: Experiment['variants'] = [];
  for (const [index, variant] of spec.variants.entries()) {
    if (names.has(variant.name)) throw new ConfigError(file, `variants[${index}].name`, `repeats the variant name "${variant.name}"`);
    names.add(variant.name);
    const merged = deepMerge(base, variant.overrides);
    // Seeds belong to the experiment: one run per (variant, seed), each a normal single-seed run.
    const train = (merged.train ?? {}) as JsonObject;
    if (train.seeds !== undefined)
      throw new ConfigError(file, `variants[${index}] (${variant.name}): train.seeds`, 'must not be set; list the seeds in the experiment\'s "seeds"');
    let config: RunConfig;
    try {
      config = validateConfig(merged, file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // ConfigError keeps no separate detail: it is what follows "<file>: <field> " in the message.
      const detail = error.message.slice(`${error.file}: ${error.field || '(top level)'} `.length);
      throw new ConfigError(file, `variants[${index}] (${variant.name}): ${error.field || 'run config'}`, detail);
    }
    // Paths a variant overrides are relative to the experiment file, the base's to the base's own file.
    const from = (section: string, key: string) => ((variant.overrides[section] as JsonObject | undefined)?.[key] !== undefined ? here : baseDir);
    if (!isAbsolute(config.data.path)) config.data.path = resolve(from('data', 'path'), config.data.path);
    if (config.grasp?.cacheDir && !isAbsolute(config.grasp.cacheDir)) config.grasp.cacheDir = resolve(from('grasp', 'cacheDir'), config.grasp.cacheDir);
    variants.push({ ...variant, config });
  }
  for (const [index, comparison] of spec.comparisons.entries()) {
    for (const key of ['variant', 'baseline'] as const) {
      if (!names.has(comparison[key]))
        throw new ConfigError(file, `comparisons[${index}].${key}`, `names no variant ("${comparison[key]}"; variants: ${[...names].join(', ')})`);
    }
    if (comparison.variant === comparison.baseline) throw new ConfigError(file, `comparisons[${index}]`, 'compares a variant with itself');
  }
  checkRecoveries(spec.recoveries, variants, file);
  return {
    file: resolve(file),
    name: spec.name,
    description: spec.description,
    seeds: spec.seeds,
    output: resolve(here, spec.output),
    variants,
    comparisons: spec.comparisons,
    recoveries: spec.recoveries,
  };
}

/**
 * Each recovery names three different variants, and the share it reports means something only when
 * the reviewed run started from the corrupted run's texts: same corruption, and a clean run without any.
 */
function checkRecoveries(recoveries: readonly ExperimentRecovery[], variants: Experiment['variants'], file: string): void {
  const byName = new Map(variants.map((variant) => [variant.name, variant]));
  const names = () => [...byName.keys()].join(', ');
  for (const [index, recovery] of recoveries.entries()) {
    for (const key of ['clean', 'corrupted', 'reviewed'] as const) {
      if (!byName.has(recovery[key])) throw new ConfigError(file, `recoveries[${index}].${key}`, `names no variant ("${recovery[key]}"; variants: ${names()})`);
    }
    if (new Set([recovery.clean, recovery.corrupted, recovery.reviewed]).size < 3)
      throw new ConfigError(file, `recoveries[${index}]`, 'must name three different variants (clean, corrupted, reviewed)');
    const corruption = (name: string) => byName.get(name)!.config.grasp.corruption;
    const plainName = (name: string) => (byName.get(name)!.config.variant === 'plain' ? name : undefined);
    const plain = plainName(recovery.corrupted) ?? plainName(recovery.reviewed);
    if (plain) throw new ConfigError(file, `recoveries[${index}]`, `names the plain variant "${plain}", which reads no texts to corrupt or review`);
    if (!(corruption(recovery.corrupted).fraction > 0))
      throw new ConfigError(
        file,
        `recoveries[${index}].corrupted`,
        `"${recovery.corrupted}" has no corruption (grasp.corruption.fraction is 0): there is no drop to recover`,
      );
    if (corruption(recovery.clean).fraction > 0)
      throw new ConfigError(
        file,
        `recoveries[${index}].clean`,
        `"${recovery.clean}" is corrupted too (grasp.corruption.fraction ${corruption(recovery.clean).fraction})`,
      );
    const difference = firstDifference(corruption(recovery.reviewed), corruption(recovery.corrupted), 'grasp.corruption');
    if (difference !== undefined)
      throw new ConfigError(
        file,
        `recoveries[${index}].reviewed`,
        `"${recovery.reviewed}" is not a review of "${recovery.corrupted}": their ${difference} differs`,
      );
  }
}

export async function loadExperiment(file: string): Promise<Experiment> {
  return validateExperiment(await readJson(file, 'an experiment file'), file);
}
