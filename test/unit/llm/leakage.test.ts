// DESIGN §3: user profiles come from the training prefix only. The prompt of no user may hold the
// title of that user's validation or test item, whether built directly or sent to the API. The one
// exception is the profile of the test-time history (training prefix + validation item), which only the
// test pass reads: it may hold the validation item, never the test item.
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

test("no user prompt holds the user's validation or test item; it holds the training items", async () => {
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

test('nor does any request the synthesis job sends to the API: a training profile holds neither item, a test-time history only its own validation item', async () => {
  const mock = await MockAnthropic.start({ apiKey: FAKE_KEY });
  try {
    const dataset = leakageDataset();
    const trainingOnly = await synthesizeJob(
      { dataset, cacheDir: tempFolder(), entity: 'user', provider: 'anthropic', baseURL: mock.url, concurrency: 4, testHistories: false },
      recordingContext(),
      { anthropicApiKey: FAKE_KEY },
    );
    assert.equal(trainingOnly.counts.done, trainingOnly.counts.total);
    assert.ok(mock.log.length >= trainingOnly.counts.total && trainingOnly.counts.total >= 8);
    for (const request of mock.log) assert.doesNotMatch(request.prompt, /VALIDONLY|TESTONLY/);

    // the default also writes the profiles of the test-time histories (training prefix + validation item), which only the test pass reads
    const sent = mock.log.length;
    const both = await synthesizeJob(
      { dataset, cacheDir: tempFolder(), entity: 'user', provider: 'anthropic', baseURL: mock.url, concurrency: 4 },
      recordingContext(),
      { anthropicApiKey: FAKE_KEY },
    );
    assert.equal(both.counts.done, both.counts.total);
    assert.equal(both.testHistories, both.entities);
    const requests = mock.log.slice(sent);
    for (const request of requests) assert.doesNotMatch(request.prompt, /TESTONLY/);
    const validOf = requests.map((request) => [...request.prompt.matchAll(/VALIDONLY(\d+)\b/g)].map((match) => match[1]));
    assert.equal(
      validOf.filter((found) => found.length === 0).length,
      trainingOnly.counts.total,
      'the training profiles (one call per distinct prefix) hold no validation item',
    );
    const histories = validOf.filter((found) => found.length > 0);
    assert.equal(histories.length, both.entities);
    assert.ok(
      histories.every((found) => new Set(found).size === 1),
      "a test-time history holds its own user's validation item only",
    );
    assert.equal(new Set(histories.map((found) => found[0])).size, both.entities);
  } finally {
    await mock.close();
  }
});
