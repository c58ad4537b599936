// One source of truth for configuration: every enum of the run-config schema is one exported list, the
// model defaults are the model module's, and run-config errors are the one ConfigError.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DUPLICATE_POLICIES, FORMAT_CHOICES } from '../../../src/core/data/types';
import { EMBEDDER_NAMES } from '../../../src/core/embed/store';
import { BACKEND_CHOICES } from '../../../src/core/engine/backend';
import { CORRUPTION_FAMILIES, CORRUPTION_TARGETS } from '../../../src/core/hallucination/corrupt';
import { REVIEW_ORDERS } from '../../../src/core/hallucination/review';
import { LOSS_KINDS, MODEL_DEFAULTS, MODEL_KINDS } from '../../../src/core/model/types';
import * as runConfig from '../../../src/core/train/config';
import {
  MODEL_VARIANTS,
  NEGATIVE_SAMPLINGS,
  RUN_CONFIG_SCHEMA,
  TEST_RETRIEVALS,
  TEXTS_PROVIDERS,
  USER_RETRIEVALS,
  validateConfig,
} from '../../../src/core/train/config';
import { PRESETS } from '../../../src/core/train/presets';
import { ConfigError } from '../../../src/core/util/errors';
import { BUDGETS } from '../../../src/extension/quickConfig';

type Node = { enum?: readonly unknown[]; default?: unknown; properties?: Record<string, Node> };

/** Every node of the schema with `key` (enum, default…), by dotted path. */
function nodesWith(key: keyof Node, node: Node, path = ''): Map<string, Node> {
  const found = new Map<string, Node>();
  if (node[key] !== undefined) found.set(path, node);
  for (const [name, child] of Object.entries(node.properties ?? {}))
    for (const [at, hit] of nodesWith(key, child, path ? `${path}.${name}` : name)) found.set(at, hit);
  return found;
}

test('every enum of the run-config schema is its exported list, in the same order', () => {
  const lists: Record<string, readonly unknown[]> = {
    'data.format': FORMAT_CHOICES,
    'data.duplicates': DUPLICATE_POLICIES,
    'model.kind': MODEL_KINDS,
    'train.loss': LOSS_KINDS,
    'train.negativeSampling': NEGATIVE_SAMPLINGS,
    'engine.backend': BACKEND_CHOICES,
    variant: MODEL_VARIANTS,
    'grasp.texts.provider': TEXTS_PROVIDERS,
    'grasp.embedder': EMBEDDER_NAMES,
    'grasp.testRetrieval': TEST_RETRIEVALS,
    'grasp.userRetrieval': USER_RETRIEVALS,
    'grasp.corruption.target': CORRUPTION_TARGETS,
    'grasp.review.simulated.order': REVIEW_ORDERS,
  };
  const enums = nodesWith('enum', RUN_CONFIG_SCHEMA as unknown as Node);
  // a new enum needs its list here (and an exported list to spread into the schema)
  assert.deepEqual([...enums.keys()].sort(), Object.keys(lists).sort());
  for (const [path, node] of enums) assert.deepEqual(node.enum, [...lists[path]], path);
  assert.deepEqual(Object.keys(RUN_CONFIG_SCHEMA.properties.grasp.properties.corruption.properties.mix.properties), [...CORRUPTION_FAMILIES]);
});

test('the model defaults are the model module’s, and every backbone has a preset', () => {
  const model = RUN_CONFIG_SCHEMA.properties.model.properties as unknown as Record<string, Node>;
  const defaults = Object.fromEntries(Object.entries(model).flatMap(([key, node]) => (node.default === undefined ? [] : [[key, node.default]])));
  assert.deepEqual(defaults, MODEL_DEFAULTS);
  assert.deepEqual(Object.keys(PRESETS).sort(), [...MODEL_KINDS].sort());
  // GRU4Rec's preset names no heads: the fallback fills it, as the schema's default always did
  assert.equal(validateConfig({ data: { path: 'x' }, model: { kind: 'gru4rec' } }, 'run.json').model.heads, MODEL_DEFAULTS.heads);
});

test('the extension’s settings offer the core lists', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: Array<{ properties: Record<string, Node> }> | { properties: Record<string, Node> } };
  };
  const sections = [manifest.contributes.configuration].flat();
  const setting = (name: string) => sections.map((section) => section.properties[name]).find(Boolean)?.enum;
  assert.deepEqual(setting('grasp.dataset.format'), [...FORMAT_CHOICES]);
  assert.deepEqual(setting('grasp.embedder.provider'), [...EMBEDDER_NAMES]);
  // the quick pick's budgets quote the presets' epochs
  for (const budget of BUDGETS) {
    const quoted = /(\d+) epochs/.exec(`${budget.label} ${budget.detail ?? ''}`);
    if (quoted && /preset/i.test(`${budget.label} ${budget.detail ?? ''}`))
      for (const preset of Object.values(PRESETS)) assert.equal(preset.train.epochs, Number(quoted[1]), budget.label);
  }
});

test('one ConfigError: a message as given, or `<file>: <field> <detail>`', () => {
  const plain = new ConfigError('the anthropic provider needs ANTHROPIC_API_KEY');
  assert.equal(plain.message, 'the anthropic provider needs ANTHROPIC_API_KEY');
  assert.equal(plain.name, 'ConfigError');
  assert.equal(plain.stack, plain.message);
  // the worker passes a string `file` on as the error's location: a plain message has none
  assert.equal(plain.file, undefined);
  assert.equal(plain.field, undefined);

  const located = new ConfigError('run.json', 'model.heads', 'must divide model.d (64)');
  assert.equal(located.message, 'run.json: model.heads must divide model.d (64)');
  assert.equal(located.name, 'ConfigError');
  assert.deepEqual([located.file, located.field], ['run.json', 'model.heads']);
  assert.equal(new ConfigError('run.json', '', 'is not valid JSON').message, 'run.json: (top level) is not valid JSON');

  // the run config throws the same class (its module re-exports it for older imports)
  assert.equal(runConfig.ConfigError, ConfigError);
  assert.throws(
    () => validateConfig({ data: { path: 'x' }, model: { kind: 'transformer' } }, 'run.json'),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message === 'run.json: model.kind must be one of "sasrec", "gru4rec", "bert4rec"' &&
      error.file === 'run.json' &&
      error.field === 'model.kind',
  );
});
