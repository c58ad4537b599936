// One place turns a run config's `variant` into a model: the plain backbone, GRASP around it, or an
// LLM baseline. Training, evaluation and explanations all build models here, so a checkpoint is
// always loaded into the same shape it was saved from.
import type { Dataset, Split } from '../data/types';
import { CancelledError, type JobContext } from '../util/jobContext';
import { PrefixUserRetrieval } from '../retrieval/prefixUsers';
import { createModel } from '../model';
import { attachGrasp, type GraspInputs, type GraspModule, type GraspOptions } from '../model/grasp';
import { attachLlmEsr, initFromText } from '../model/llmBaselines';
import type { SequentialRecommender } from '../model/types';
import { checkGraspModule, GRASP_MODULE_SWITCHES, type GraspSettings, type RunConfig } from './config';
import { buildTextArtifacts, type TextArtifacts } from './textArtifacts';

export interface VariantModel {
  model: SequentialRecommender;
  /** the GRASP module (variant grasp), for explanations */
  grasp?: GraspModule;
}

/** Older configs (before variants) are plain runs. */
export function variantOf(config: RunConfig): RunConfig['variant'] {
  return config.variant ?? 'plain';
}

/** The text artefacts a variant needs (none for plain), built from training data only. */
export async function prepareText(config: RunConfig, dataset: Dataset, split: Split, ctx: JobContext): Promise<TextArtifacts | undefined> {
  if (variantOf(config) === 'plain') return undefined;
  ctx.progress({ message: 'Building text embeddings and neighbours (training data only)' });
  const started = Date.now();
  const artifacts = await buildTextArtifacts(dataset, split, config, ctx);
  if (variantOf(config) === 'grasp' && config.grasp.userLevel && config.grasp.userRetrieval === 'position')
    artifacts.prefixUsers = prefixUserRetrieval(artifacts, split, config, ctx);
  ctx.log(
    `text side for ${config.variant}: items ${artifacts.items.count} × ${artifacts.dims} (K_I ${artifacts.items.k}), users ${artifacts.users.count} × ${artifacts.dims} (K_U ${artifacts.users.k}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return artifacts;
}

/**
 * Similar users per position (grasp.userRetrieval "position"), searched once for every training row
 * (train[:-1]) and validation row (train), the last maxLen items of each, as the next-item sampler and
 * the evaluator build them; other rows (the test pass, explanations) are searched when first read.
 */
function prefixUserRetrieval(artifacts: TextArtifacts, split: Split, config: RunConfig, ctx: JobContext): PrefixUserRetrieval {
  const { maxLen } = config.model;
  const retrieval = new PrefixUserRetrieval(artifacts.items.vectors, artifacts.dims, split.train, maxLen, config.grasp.kUsers);
  const started = Date.now();
  const users = split.train.length;
  const chunk = 1024;
  for (let from = 0; from < users; from += chunk) {
    if (ctx.isCancelled()) throw new CancelledError();
    ctx.progress({
      message: `Retrieving similar users per position (${from.toLocaleString('en-US')} of ${users.toLocaleString('en-US')} users)`,
      fraction: from / users,
    });
    const training: Array<{ user: number; items: Int32Array }> = [];
    const validation: Array<{ user: number; items: Int32Array }> = [];
    for (let user = from; user < Math.min(users, from + chunk); user++) {
      const items = split.train[user];
      if (items.length >= 2) training.push({ user, items: items.slice(Math.max(0, items.length - 1 - maxLen), items.length - 1) });
      validation.push({ user, items: items.slice(Math.max(0, items.length - maxLen)) });
    }
    // two calls: the cache serves rows searched in an earlier call, so a validation row (its training row
    // plus one item) then searches only its last position
    retrieval.neighbours(training);
    retrieval.neighbours(validation);
  }
  ctx.log(`similar users per position: ${retrieval.searched.toLocaleString('en-US')} prefixes searched in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return retrieval;
}

export function graspInputs(artifacts: TextArtifacts, split: Split): GraspInputs {
  return {
    dims: artifacts.dims,
    itemVectors: artifacts.items.vectors,
    kItems: artifacts.items.k,
    itemNeighbours: artifacts.items.neighbours,
    userVectors: artifacts.users.vectors,
    kUsers: artifacts.users.k,
    userNeighbours: artifacts.users.neighbours,
    ...(artifacts.prefixUsers ? { prefixUsers: artifacts.prefixUsers } : {}),
    ...(artifacts.itemRisk ? { itemRisk: artifacts.itemRisk } : {}),
    userItems: split.train,
  };
}

/** The backbone for `config.model`, with the variant applied; weights depend only on the seed. */
export function buildModel(config: RunConfig, numItems: number, split: Split, artifacts: TextArtifacts | undefined, seed = config.train.seed): VariantModel {
  const model = createModel(config.model, numItems, seed);
  const variant = variantOf(config);
  if (variant === 'plain') return { model };
  if (!artifacts) throw new Error(`variant ${variant} needs text artefacts`);
  try {
    const inputs = graspInputs(artifacts, split);
    if (variant === 'llm-init') {
      initFromText(model, inputs.itemVectors, inputs.dims);
      return { model };
    }
    if (variant === 'llm-esr') {
      attachLlmEsr(model, inputs, { distillWeight: config.grasp.distillWeight, seed });
      return { model };
    }
    // a checkpoint's config is read as stored: one from an earlier GRASP module must not be rebuilt as this one
    checkGraspModule(config, "the run's config");
    // before attaching: GRASP's layer-norm gain reads the table's scale
    if (config.grasp.initFromText) initFromText(model, inputs.itemVectors, inputs.dims);
    return {
      model,
      grasp: attachGrasp(model, inputs, {
        ...moduleSwitches(config.grasp),
        userText: config.grasp.userText ?? false,
        dropout: config.model.dropout,
        seed,
      }),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

type ModuleSwitch = (typeof GRASP_MODULE_SWITCHES)[number];

// Compile-time check that GRASP_MODULE_SWITCHES is complete: a switch added to both types but not listed there fails here.
type UnlistedSwitch = Exclude<keyof GraspOptions & keyof GraspSettings, 'userText' | ModuleSwitch>;
const everySwitchListed: [UnlistedSwitch] extends [never] ? true : UnlistedSwitch = true;
void everySwitchListed;

function moduleSwitches(settings: GraspSettings): Pick<GraspOptions, ModuleSwitch> {
  return Object.fromEntries(GRASP_MODULE_SWITCHES.map((key) => [key, settings[key]])) as Pick<GraspOptions, ModuleSwitch>;
}
