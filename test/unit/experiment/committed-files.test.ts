// The experiment files in experiments/ are the record of how every table in docs/results.md was made.
// Several of them share an output folder on purpose (a comparison reuses another experiment's runs), which
// is sound only while a variant name means one config in every file that writes to that folder.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadExperiment, type Experiment } from '../../../src/core/experiment/config';
import { seededConfig } from '../../../src/core/experiment/runs';
import { configDifference } from '../../../src/core/train/runFolder';

const folder = join(__dirname, '..', '..', '..', 'experiments');
const files = readdirSync(folder)
  .filter((name) => name.endsWith('.json'))
  .sort();

test('every committed experiment file validates', async () => {
  assert.ok(files.length > 0, `no experiment files in ${folder}`);
  for (const name of files) await loadExperiment(join(folder, name));
});

test('a variant name shared by two files writing to one output folder names one config', async () => {
  const owners = new Map<string, { file: string; variant: Experiment['variants'][number] }>();
  let shared = 0;
  for (const name of files) {
    const experiment = await loadExperiment(join(folder, name));
    for (const variant of experiment.variants) {
      const key = `${experiment.output}\u0000${variant.name}`;
      const first = owners.get(key);
      if (!first) {
        owners.set(key, { file: name, variant });
        continue;
      }
      shared++;
      const difference = configDifference(seededConfig(first.variant.config, 1), seededConfig(variant.config, 1));
      assert.equal(difference, undefined, `"${variant.name}" in ${name} and in ${first.file} share ${experiment.output} but differ in ${difference}`);
    }
  }
  assert.ok(shared > 0, 'no file shares a variant with another: the check above read nothing');
});
