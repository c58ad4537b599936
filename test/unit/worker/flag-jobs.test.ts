// The worker's flag, annotate and appendAnnotation jobs (what the review view calls), end to end over JSON-RPC.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { NewAnnotation } from '../../../src/core/hallucination/annotations';
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

test('appendAnnotation records a verdict on the text the caller holds, and refuses a request it cannot write', async () => {
  const dir = tempFolder({ 'tiny.inter': readFileSync(join(FIXTURES, 'tiny', 'tiny.inter')), 'tiny.item': readFileSync(join(FIXTURES, 'tiny', 'tiny.item')) });
  const client = await WorkerClient.start({ workerPath: WORKER, client: 'test' });
  try {
    const flagged = await client.run('flag', { dataset: dir, top: 0 });
    const shown = flagged.records.find((record) => record.id === '12');
    assert.ok(shown);
    const file = flagged.annotations.file;
    const record = await client.run('appendAnnotation', { file, annotation: { entity: 'item', id: '12', text: shown.text, verdict: 'hallucinated' } });
    assert.equal(record.verdict, 'hallucinated');
    assert.equal(record.textHash, createHash('sha256').update(shown.text, 'utf8').digest('hex'));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.deepEqual(JSON.parse(lines[lines.length - 1]), record, 'the record returned is the line written');
    // The verdict applies to the text it was given, so the next flag shows it.
    const again = await client.run('flag', { dataset: dir, top: 0 });
    assert.equal(again.records.find((r) => r.id === '12')?.annotation?.verdict, 'hallucinated');
    // Refused before anything is written: an "edited" verdict without its text, a request without a file or text.
    await assert.rejects(client.run('appendAnnotation', { file, annotation: { entity: 'item', id: '12', text: shown.text, verdict: 'edited' } }), /editedText/);
    await assert.rejects(
      client.run('appendAnnotation', { file: '', annotation: { entity: 'item', id: '12', text: shown.text, verdict: 'ok' } }),
      /"file" must name the annotations file/,
    );
    const noText = { entity: 'item', id: '12', verdict: 'ok' } as unknown as NewAnnotation;
    await assert.rejects(client.run('appendAnnotation', { file, annotation: noText }), /"annotation.text" must be the text that was judged/);
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, lines.length, 'nothing was appended by the refused requests');
  } finally {
    await client.stop();
  }
});
