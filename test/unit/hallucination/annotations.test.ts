import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { appendAnnotation, applyAnnotations, readAnnotations, type AnnotatableTexts } from '../../../src/core/hallucination/annotations';
import { textHash } from '../../../src/core/hallucination/detect';
import { DataError } from '../../../src/core/data/errors';
import { loadDataset } from '../../../src/core/data/load';
import { leaveOneOut } from '../../../src/core/data/split';
import { entityTexts } from '../../../src/core/embed/texts';
import { loadDescriptions } from '../../../src/core/hallucination/descriptions';
import { annotatedEntityTexts } from '../../../src/core/hallucination/training';
import { FIXTURES, tempFolder } from '../helpers';

const texts = (): AnnotatableTexts => ({
  entity: 'item',
  ids: ['a', 'b', 'c', 'd'],
  texts: ['alpha text', 'beta text', 'gamma text', 'delta text'],
  metadataOnly: (row) => `metadata only ${row}`,
});

test('appends are one whole JSON line each, with the hash of the judged text', async () => {
  const path = join(tempFolder(), 'grasp.annotations.jsonl');
  await appendAnnotation(
    path,
    { entity: 'item', id: 'a', text: 'alpha text', verdict: 'hallucinated', note: 'no such brand' },
    new Date('2026-01-02T03:04:05Z'),
  );
  await appendAnnotation(path, { entity: 'item', id: 'b', text: 'beta text', verdict: 'edited', editedText: 'better beta' });
  const lines = readFileSync(path, 'utf8').split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  assert.deepEqual(JSON.parse(lines[0]), {
    v: 1,
    entity: 'item',
    id: 'a',
    textHash: textHash('alpha text'),
    verdict: 'hallucinated',
    note: 'no such brand',
    at: '2026-01-02T03:04:05.000Z',
  });
  const records = await readAnnotations(path);
  assert.deepEqual(
    records.map((r) => [r.id, r.verdict, r.line]),
    [
      ['a', 'hallucinated', 1],
      ['b', 'edited', 2],
    ],
  );
});

test('training texts: hallucinated → metadata-only, edited → the edited text, ok → unchanged; the newest record wins', async () => {
  const path = join(tempFolder(), 'a.jsonl');
  await appendAnnotation(path, { entity: 'item', id: 'a', text: 'alpha text', verdict: 'edited', editedText: 'first edit' });
  await appendAnnotation(path, { entity: 'item', id: 'a', text: 'alpha text', verdict: 'hallucinated' });
  await appendAnnotation(path, { entity: 'item', id: 'b', text: 'beta text', verdict: 'edited', editedText: 'better beta' });
  await appendAnnotation(path, { entity: 'item', id: 'c', text: 'gamma text', verdict: 'ok' });
  await appendAnnotation(path, { entity: 'user', id: 'd', text: 'delta text', verdict: 'hallucinated' });
  const outcome = applyAnnotations(texts(), await readAnnotations(path));
  assert.deepEqual(outcome.texts, ['metadata only 0', 'better beta', 'gamma text', 'delta text']);
  assert.deepEqual(
    outcome.used.map((u) => [u.id, u.verdict, u.line]),
    [
      ['a', 'hallucinated', 2],
      ['b', 'edited', 3],
      ['c', 'ok', 4],
    ],
  );
  assert.deepEqual(outcome.stale, []);
});

test('a verdict on a text that has changed since is reported as stale and not applied; unknown ids are reported', async () => {
  const path = join(tempFolder(), 'a.jsonl');
  await appendAnnotation(path, { entity: 'item', id: 'a', text: 'alpha text, older version', verdict: 'hallucinated' });
  await appendAnnotation(path, { entity: 'item', id: 'zz', text: 'whatever', verdict: 'ok' });
  const outcome = applyAnnotations(texts(), await readAnnotations(path));
  assert.deepEqual(outcome.texts, texts().texts);
  assert.deepEqual(outcome.used, []);
  assert.deepEqual(
    outcome.stale.map((s) => [s.id, s.line, s.currentHash]),
    [['a', 1, textHash('alpha text')]],
  );
  assert.deepEqual(
    outcome.unknown.map((u) => u.id),
    ['zz'],
  );
  // A text the person may have judged instead (the metadata-only one flag showed) also counts as current.
  const viaAlternative = applyAnnotations({ ...texts(), alternatives: () => ['alpha text, older version'] }, await readAnnotations(path));
  assert.equal(viaAlternative.used.length, 1);
});

test('a damaged annotations file is an error naming the file and line, and nothing is appended to it', async () => {
  const path = join(tempFolder(), 'grasp.annotations.jsonl');
  await appendAnnotation(path, { entity: 'item', id: 'a', text: 'alpha text', verdict: 'ok' });
  writeFileSync(path, `${readFileSync(path, 'utf8')}\n{"v":1,"entity":"item","id":"b","textHash":"x","verdict":"ok","at":"2026-01-01"}\n`);
  const before = readFileSync(path, 'utf8');
  await assert.rejects(
    readAnnotations(path),
    (error: unknown) => error instanceof DataError && error.line === 3 && error.message.startsWith(`${path}:3: expected a sha256 hex "textHash"`),
  );
  await assert.rejects(appendAnnotation(path, { entity: 'item', id: 'c', text: 'gamma text', verdict: 'ok' }), /:3: expected/);
  assert.equal(readFileSync(path, 'utf8'), before);
  writeFileSync(path, '{"v":1,\n');
  await assert.rejects(readAnnotations(path), /:1: expected one JSON annotation record per line/);
});

test('a bad request is refused before anything is written', async () => {
  const dir = tempFolder();
  const path = join(dir, 'grasp.annotations.jsonl');
  await assert.rejects(appendAnnotation(path, { entity: 'item', id: 'a', text: 'alpha', verdict: 'edited' }), /editedText/);
  await assert.rejects(appendAnnotation(path, { entity: 'item', id: '', text: 'alpha', verdict: 'ok' }), /"id"/);
  await assert.rejects(appendAnnotation(path, { entity: 'item', id: 'a', text: 'alpha', verdict: 'wrong' as never }), /verdict/);
  assert.deepEqual(await readAnnotations(path), []);
});

test('training honours the file: the texts to embed change, their hash changes, and the report lists what was used', async () => {
  const dataset = await loadDataset(join(FIXTURES, 'tiny'));
  const split = leaveOneOut(dataset.sequences);
  const cache = tempFolder();
  const texts = await entityTexts(dataset, split, cache, 'item', 'none');
  // What `grasp flag` showed (nothing synthesised: the metadata-only descriptions).
  const shown = await loadDescriptions(dataset, split, cache, 'item');
  const path = join(tempFolder(), 'grasp.annotations.jsonl');
  assert.deepEqual(await annotatedEntityTexts(texts, dataset, split, path), { texts });
  await appendAnnotation(path, { entity: 'item', id: '10', text: shown.texts[0], verdict: 'edited', editedText: 'Alpha, a drama film.' });
  await appendAnnotation(path, { entity: 'item', id: '11', text: 'some older text', verdict: 'hallucinated' });
  const { texts: annotated, report } = await annotatedEntityTexts(texts, dataset, split, path);
  assert.equal(annotated.texts[0], 'Alpha, a drama film.');
  assert.deepEqual(annotated.texts.slice(1), texts.texts.slice(1));
  assert.notEqual(annotated.sha256, texts.sha256);
  assert.deepEqual(
    report!.used.map((u) => [u.id, u.verdict]),
    [['10', 'edited']],
  );
  assert.deepEqual(
    report!.stale.map((s) => s.id),
    ['11'],
  );
});
