// The model-distrust signal end to end: a GRASP run trained on the demo world gives every item with
// neighbours a share of attention on them, which the flag job turns into the signal (or says why not).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { initEngine } from '../../../src/core/engine/backend';
import { flagJob } from '../../../src/core/jobs/flag';
import { silentContext } from '../../../src/core/util/jobContext';
import { itemNeighbourAttention } from '../../../src/core/train/attention';
import { trainJob } from '../../../src/core/jobs/train';
import { demoWorkspace, sasrecConfig } from '../train/fixtures';

test('model distrust comes from the newest GRASP run on the dataset, and is absent with a reason without one', async () => {
  await initEngine({});
  const { dir, data } = await demoWorkspace(120, 40, 6);

  const before = await flagJob({ dataset: data, texts: 'metadata-only', top: 0 }, silentContext);
  assert.match(before.absent.distrust ?? '', /no trained GRASP run/);

  const config = {
    ...sasrecConfig(data),
    variant: 'grasp',
    grasp: { dims: 8, kItems: 4, kUsers: 3 },
  };
  const run = join(dir, '.grasp', 'runs', 'grasp-1');
  await trainJob({ config, outDir: run }, silentContext);

  const { mass, median } = await itemNeighbourAttention(run);
  const known = Array.from(mass).filter((x) => !Number.isNaN(x));
  assert.ok(known.length > 0 && known.every((x) => x >= 0 && x <= 1), 'shares of attention lie in [0, 1]');
  assert.ok(median > 0 && median < 1);

  const after = await flagJob({ dataset: data, texts: 'metadata-only', top: 0 }, silentContext);
  assert.equal(after.absent.distrust, undefined, 'the newest GRASP run is found under <workspace>/.grasp/runs');
  const scored = after.records.filter((record) => record.signals.distrust.score !== null);
  assert.equal(scored.length, known.length, 'every item with neighbours gets the signal');
  // Below half the median share, the signal is positive and says so with the figures.
  const lowRow = Array.from(mass).findIndex((x) => x < median / 2);
  if (lowRow >= 0) {
    const record = after.records.find((r) => r.index === lowRow)!;
    assert.ok(record.signals.distrust.score! > 0);
    assert.match(record.reasons.find((reason) => reason.signal === 'distrust')!.message, /median/);
  }
  const off = await flagJob({ dataset: data, texts: 'metadata-only', top: 0, run: null }, silentContext);
  assert.match(off.absent.distrust ?? '', /no GRASP run asked for/);
});
