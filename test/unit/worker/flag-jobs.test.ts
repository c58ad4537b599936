// The worker's flag and annotate jobs (what the review view calls), end to end over JSON-RPC.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { WorkerClient } from '../../../src/worker/client';
import { FIXTURES, tempFolder } from '../helpers';
import { WORKER, ensureBuilt } from './harness';

before(() => ensureBuilt());

test('the worker flags a dataset, records a verdict, and the next flag shows it', async () => {
  const dir = tempFolder({ 'tiny.inter': readFileSync(join(FIXTURES, 'tiny', 'tiny.inter')), 'tiny.item': readFileSync(join(FIXTURES, 'tiny', 'tiny.item')) });
  const client = await WorkerClient.start({ workerPath: WORKER, client: 'test' });
  try {
    const flagged = await client.run('flag', { dataset: dir, top: 0 });
    assert.equal(flagged.records.length, 4);
    assert.ok(flagged.records.every((record) => record.risk >= 0 && record.risk <= 1));
    const annotated = await client.run('annotate', { dataset: dir, entity: 'item', id: '12', verdict: 'edited', text: 'Gamma, a comedy.' });
    assert.equal(annotated.record.verdict, 'edited');
    assert.equal(annotated.file, join(dir, 'grasp.annotations.jsonl'));
    const again = await client.run('flag', { dataset: dir, top: 0 });
    assert.equal(again.records.find((record) => record.id === '12')?.annotation?.verdict, 'edited');
    await assert.rejects(client.run('annotate', { dataset: dir, entity: 'item', id: 'missing', verdict: 'ok' }), /no item with id "missing"/);
  } finally {
    await client.stop();
  }
});
