// The demo world's planted hallucinations: written into the synthesis cache by its stand-in LLM, so the
// flag job Review Flagged Descriptions runs puts them first; their ground truth is kept beside the cache.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cachePaths } from '../../../src/core/data/cachePaths';
import { demoTruthPath } from '../../../src/core/hallucination/demo';
import { flagJob } from '../../../src/core/jobs/flag';
import type { CorruptionTruth } from '../../../src/core/hallucination/corrupt';
import { silentContext } from '../../../src/core/util/jobContext';
import { demoJob, type DemoJobResult } from '../../../src/core/jobs/demo';
import { synthesisCacheFile } from '../../../src/core/llm/synthesize';
import { outputText } from '../../../src/core/llm/schema';
import { tempFolder } from '../helpers';

let demo: DemoJobResult;
let truth: CorruptionTruth;

before(async () => {
  const workspace = tempFolder();
  mkdirSync(join(workspace, '.git'));
  demo = await demoJob({ outDir: join(workspace, 'demo'), users: 300, items: 300, seed: 3 }, silentContext);
  truth = JSON.parse(readFileSync(demoTruthPath(cachePaths(demo.dir).dataset), 'utf8')) as CorruptionTruth;
});

test('the demo plants 1 % of its descriptions, one of each corruption family here, and keeps their ground truth', () => {
  assert.equal(truth.items.length, 3);
  assert.deepEqual(truth.items.map((item) => item.family).sort(), ['generic', 'specifics', 'wrong-product']);
  assert.equal(demo.flags?.injected, 3);
});

test('the planted texts are what the synthesis cache holds for those items, under a model name of their own', () => {
  const records = readFileSync(synthesisCacheFile(cachePaths(demo.dir).dataset, 'item'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { ids: string[]; model: string; output: Parameters<typeof outputText>[0] });
  assert.ok(records.length > 0);
  assert.ok(records.every((record) => record.model === 'metadata-planted-v1'));
  for (const item of truth.items) {
    const record = records.find((candidate) => candidate.ids.includes(item.id));
    assert.ok(record, `a cached description of ${item.id}`);
    assert.equal(outputText(record.output), item.corrupted);
    assert.notEqual(item.corrupted, item.original);
  }
});

test("Review's flag job, told nothing of the truth, ranks the planted descriptions first and flags them", async () => {
  const result = await flagJob({ dataset: demo.dir, top: 0, run: null }, silentContext);
  const planted = new Set(truth.items.map((item) => item.id));
  const first = result.records.slice(0, planted.size);
  assert.deepEqual(
    first.map((record) => planted.has(record.id)),
    [true, true, true],
    JSON.stringify(first.map((record) => [record.id, record.risk])),
  );
  assert.ok(first.every((record) => record.flagged));
  // the honest ones do not all share one score (what made every demo item read 0.30)
  assert.ok(result.records[planted.size].risk < first[planted.size - 1].risk);
  assert.equal(demo.flags?.injectedInTop, 3);
});
