// The text-side switches a GRASP run can try (issue 15): code fields as words, whitened PCA vectors.
// Each is off by default, so the texts and vectors of existing configs do not change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaveOneOut } from '../../../src/core/data/split';
import { loadDataset } from '../../../src/core/data/load';
import type { Dataset } from '../../../src/core/data/types';
import { itemInput } from '../../../src/core/llm/inputs';
import { describeItem } from '../../../src/core/llm/metadataProvider';
import { outputText } from '../../../src/core/llm/schema';
import { validateConfig } from '../../../src/core/train/config';
import { refreshedUserArtifacts } from '../../../src/core/train/refreshedUsers';
import { buildTextArtifacts, codeWords, scaleTextVectors, withFields } from '../../../src/core/train/textArtifacts';
import { silentContext } from '../../../src/core/util/jobContext';
import { demoWorkspace } from './fixtures';

const beautyLike: Dataset = {
  name: 'beauty-like',
  itemIds: ['1', '2'],
  userIds: [],
  sequences: [],
  metadata: {
    sources: ['item_text.tsv', 'Beauty_item2attributes.json'],
    fields: ['asin', 'title', 'attributes'],
    rows: [{ asin: 'B0', title: 'OPI Nail Lacquer', attributes: '4 17 203' }, undefined],
    unmatchedItems: 0,
  },
} as unknown as Dataset;

test('a code field becomes words the embedder reads; without codeFields bare code lists stay out of the description', () => {
  assert.equal(codeWords('attributes', '4 17 203'), 'attributes4, attributes17, attributes203');
  assert.equal(codeWords('attr_ids', '4;x-1'), 'attrids4, attridsx1');
  const text = (view: Dataset) => outputText(describeItem(itemInput(view.metadata!.rows[0])));
  const plain = text(withFields(beautyLike, { fields: ['title', 'attributes'] }));
  assert.doesNotMatch(plain, /attributes\d|\b17\b/, 'the default leaves the ids out, as before');
  const coded = withFields(beautyLike, { fields: ['title', 'attributes'], codeFields: ['attributes'] });
  assert.deepEqual(coded.metadata!.fields, ['title', 'attributes']);
  assert.equal(coded.metadata!.rows[1], undefined);
  assert.match(text(coded), /OPI Nail Lacquer[\s\S]*attributes4, attributes17, attributes203/);
  assert.equal(withFields(beautyLike, {}), beautyLike, 'nothing chosen: the dataset as it is');
  const config = validateConfig(
    { data: { path: 'x' }, model: { kind: 'sasrec' }, variant: 'grasp', grasp: { texts: { codeFields: ['attributes'] } } },
    'run.json',
  );
  assert.deepEqual(config.grasp.texts.codeFields, ['attributes']);
  assert.equal(config.grasp.whiten, true, 'the screens kept whitening: the default');
  assert.equal(config.grasp.semanticScore, false);
});

test('whitening scales every PCA component to unit RMS over the fitted rows; standardising keeps their ratios', () => {
  // 3 rows × 2 columns, centred on the fitted rows 0 and 1; row 2 is only projected
  const vectors = () => Float32Array.from([3, 0.1, -3, -0.1, 6, 0.2]);
  const rows = Int32Array.of(0, 1);
  const whitened = scaleTextVectors({ whiten: true }, vectors(), 3, 2, rows);
  assert.deepEqual(
    Array.from(whitened, (v) => Math.round(v * 1e5) / 1e5),
    [1, 1, -1, -1, 2, 2],
  );
  const standardised = scaleTextVectors({ whiten: false }, vectors(), 3, 2, rows);
  assert.ok(Math.abs(standardised[0] / standardised[1] - 30) < 1e-3, 'one scale for both columns');
});

test('a whitened run: item vectors unit RMS per component, and the test-time user profiles scaled by the same training fit', async () => {
  const { data } = await demoWorkspace(80, 30, 3);
  const dataset = await loadDataset(data);
  const split = leaveOneOut(dataset.sequences);
  const config = validateConfig(
    { data: { path: data }, model: { kind: 'sasrec', d: 16 }, variant: 'grasp', grasp: { dims: 8, width: 16, kItems: 5, kUsers: 4, whiten: true } },
    'run.json',
  );
  const artifacts = await buildTextArtifacts(dataset, split, config, silentContext);
  const { count, vectors } = artifacts.items;
  const dims = artifacts.dims;
  for (let c = 0; c < dims; c++) {
    let sum = 0;
    let fitted = 0;
    for (let i = 0; i < count; i++)
      if (split.train.some((sequence) => sequence.includes(i))) {
        sum += vectors[i * dims + c] ** 2;
        fitted++;
      }
    assert.ok(Math.abs(Math.sqrt(sum / fitted) - 1) < 1e-3, `component ${c}: RMS ${Math.sqrt(sum / fitted)}`);
  }
  const refreshed = await refreshedUserArtifacts(dataset, split, config, artifacts, silentContext);
  assert.ok(refreshed.refitError < 1e-5, `the training profiles re-project to the stored vectors (error ${refreshed.refitError})`);
});
