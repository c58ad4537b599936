// Test-time user retrieval (grasp.testRetrieval "history", the default) with anthropic texts: nothing calls
// the API at run time, so the profiles of the test-time histories must come from `grasp synthesize`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cachePaths } from '../../../src/core/data/cachePaths';
import { loadDataset } from '../../../src/core/data/load';
import { leaveOneOut, testTimeSplit } from '../../../src/core/data/split';
import { entityTexts } from '../../../src/core/embed/texts';
import { silentContext } from '../../../src/core/util/jobContext';
import { synthesizeJob } from '../../../src/core/jobs/synthesize';
import { validateConfig } from '../../../src/core/train/config';
import { refreshedUserArtifacts } from '../../../src/core/train/refreshedUsers';
import { buildTextArtifacts } from '../../../src/core/train/textArtifacts';
import { MockAnthropic } from '../../mock/anthropicServer';
import { FAKE_KEY, leakageDataset } from '../llm/fixtures';

async function synthesized(mock: MockAnthropic, testHistories?: boolean): Promise<string> {
  const data = leakageDataset();
  for (const entity of ['item', 'user'] as const)
    await synthesizeJob({ dataset: data, entity, provider: 'anthropic', baseURL: mock.url, concurrency: 4, testHistories }, silentContext, {
      anthropicApiKey: FAKE_KEY,
    });
  return data;
}

test('anthropic texts: the test pass reads the test-time profiles grasp synthesize wrote; without them, an error that says how to write them', async () => {
  const mock = await MockAnthropic.start({ apiKey: FAKE_KEY });
  try {
    const run = async (data: string) => {
      const dataset = await loadDataset(data);
      const split = leaveOneOut(dataset.sequences);
      const config = validateConfig(
        {
          data: { path: data },
          model: { kind: 'sasrec', d: 16 },
          variant: 'grasp',
          grasp: { texts: { provider: 'anthropic' }, dims: 4, width: 8, kItems: 3, kUsers: 3 },
        },
        'run.json',
      );
      assert.equal(config.grasp.testRetrieval, 'history', 'the default');
      const artifacts = await buildTextArtifacts(dataset, split, config, silentContext);
      return { dataset, split, refreshed: await refreshedUserArtifacts(dataset, split, config, artifacts, silentContext) };
    };

    const data = await synthesized(mock);
    const sent = mock.log.length;
    const { dataset, split, refreshed } = await run(data);
    assert.equal(mock.log.length, sent, 'a run calls no API');
    assert.ok(refreshed.refitError < 1e-6, `the training fit is reused (error ${refreshed.refitError})`);
    const later = await entityTexts(dataset, testTimeSplit(split), cachePaths(data).dataset, 'user', 'anthropic');
    assert.equal(later.fromSynthesis, dataset.userIds.length, 'every test-time profile came from the cache');

    const trainingOnly = await synthesized(mock, false);
    await assert.rejects(run(trainingOnly), /no profiles of the test-time histories.*grasp synthesize .* --entity users --provider anthropic/);
  } finally {
    await mock.close();
  }
});
