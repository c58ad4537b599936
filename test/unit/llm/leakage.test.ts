// DESIGN §3: user profiles come from the training prefix only. The prompt of no user may hold the
// title of that user's validation or test item, whether built directly or sent to the API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../../src/core/data/load';
import { leaveOneOut } from '../../../src/core/data/split';
import { synthesizeJob } from '../../../src/core/jobs/synthesize';
import { buildInputs } from '../../../src/core/llm/inputs';
import { loadTemplate, renderPrompt } from '../../../src/core/llm/templates';
import { MockAnthropic } from '../../mock/anthropicServer';
import { tempFolder } from '../helpers';
import { FAKE_KEY, leakageDataset, recordingContext } from './fixtures';

test('no user prompt holds the user\'s validation or test item; it holds the training items', async () => {
  const dir = leakageDataset();
  const dataset = await loadDataset(dir);
  const split = leaveOneOut(dataset.sequences);
  const template = await loadTemplate('user');
  for (const input of buildInputs(dataset, split, 'user')) {
    const prompt = renderPrompt(template, input);
    const u = input.id.slice(1);
    assert.doesNotMatch(prompt.system + prompt.user, new RegExp(`VALIDONLY${u}\\b|TESTONLY${u}\\b`), `user ${input.id}`);
    assert.equal((prompt.user.match(/Shared Soap/g) ?? []).length, 3, `user ${input.id} shows its 3 training titles`);
  }
});

test('nor does any request the synthesis job sends to the API', async () => {
  const mock = await MockAnthropic.start({ apiKey: FAKE_KEY });
  try {
    const dataset = leakageDataset();
    const result = await synthesizeJob({ dataset, cacheDir: tempFolder(), entity: 'user', provider: 'anthropic', baseURL: mock.url, concurrency: 4 }, recordingContext(), { anthropicApiKey: FAKE_KEY });
    assert.equal(result.counts.done, result.counts.total);
    assert.ok(mock.log.length >= result.counts.total && result.counts.total >= 8);
    for (const request of mock.log) assert.doesNotMatch(request.prompt, /VALIDONLY|TESTONLY/);
  } finally {
    await mock.close();
  }
});
