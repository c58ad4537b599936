// The synthesis job against the mock Anthropic server, through the real SDK: faults, the cache,
// resuming, batches, dry runs, and the key staying out of every file, log and error.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { demoJob } from '../../../src/core/jobs/demo';
import { synthesizeJob, type SynthesizeJobParams } from '../../../src/core/jobs/synthesize';
import { MockAnthropic } from '../../mock/anthropicServer';
import { tempFolder } from '../helpers';
import { FAKE_KEY, recordingContext, mockSynthesisParams } from './fixtures';

let dataset: string;
let mock: MockAnthropic;
const secrets = { anthropicApiKey: FAKE_KEY };

before(async () => {
  dataset = tempFolder();
  await demoJob({ outDir: dataset, users: 80, items: 60, seed: 5, retrieval: false }, recordingContext());
  // A timeout fault holds its request until the client gives up (the cap is never reached), and the
  // client's timeout is far above any answer time of a loaded machine: only injected hangs time out.
  mock = await MockAnthropic.start({ apiKey: FAKE_KEY, retryAfterMs: 5, hangMs: 60_000 });
});
after(() => mock.close());

function params(cacheDir: string, extra: Partial<SynthesizeJobParams> = {}): SynthesizeJobParams {
  return mockSynthesisParams({ dataset, cacheDir, provider: 'anthropic', baseURL: mock.url }, { sdkMaxRetries: 0, ...extra });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

describe('messages API', () => {
  test('with 30 % of calls faulted every item ends done or failed, nothing is sent again after success, and a second run calls nothing', async () => {
    mock.configure({ faults: { rateLimit: 0.05, serverError: 0.05, overloaded: 0.05, timeout: 0.03, malformed: 0.04, truncated: 0.04, schemaBreak: 0.04 } });
    const cacheDir = tempFolder();
    const before = mock.log.length;
    const ctx = recordingContext();
    // Each test uses a fresh cache, so only this test's requests count for "sent again after success".
    const first = await synthesizeJob(params(cacheDir), ctx, secrets);
    assert.equal(first.counts.done + first.counts.failed, first.counts.total);
    assert.ok(first.counts.done > first.counts.total * 0.8, JSON.stringify(first.counts));
    assert.ok(mock.log.length - before > first.counts.total, 'faults made the job retry');
    assert.deepEqual(mock.sentAfterSuccess(before), []);
    const lines = readFileSync(first.cacheFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(new Set(lines.filter((line) => line.status === 'ok').map((line) => line.key)).size, first.counts.done);
    for (const failure of lines.filter((line) => line.status === 'failed')) assert.ok(failure.reason.length > 0);

    mock.configure({ faults: {} });
    const sent = mock.log.length;
    const second = await synthesizeJob(params(cacheDir, { retryFailed: false }), recordingContext(), secrets);
    assert.equal(mock.log.length, sent, 'a fully cached run calls nothing');
    assert.equal(second.counts.cached, first.counts.done);
    assert.equal(second.counts.calls, 0);
    // The earlier failures are retried by default and now succeed.
    const third = await synthesizeJob(params(cacheDir), recordingContext(), secrets);
    assert.equal(third.counts.done, first.counts.failed);
    assert.deepEqual(mock.sentAfterSuccess(before), []);

    for (const file of filesUnder(cacheDir)) assert.ok(!readFileSync(file, 'utf8').includes(FAKE_KEY), file);
    assert.ok(!ctx.lines.join('\n').includes(FAKE_KEY));
    assert.ok(first.costUsd !== null && first.costUsd > 0);
    // the injected hangs timed out after being sent: counted, and priced as possibly billed
    const hung = mock.log.slice(before).filter((entry) => entry.outcome === 'timeout').length;
    assert.equal(first.counts.unanswered, hung);
    assert.ok(hung === 0 ? first.costUsdMax === first.costUsd : first.costUsdMax! > first.costUsd!);
  });

  test('a dry run counts calls and estimates cost without calling or writing', async () => {
    const cacheDir = tempFolder();
    const sent = mock.log.length;
    const result = await synthesizeJob(params(cacheDir, { dryRun: true, limit: 10 }), recordingContext(), secrets);
    assert.equal(mock.log.length, sent);
    assert.equal(result.estimate?.calls, result.counts.total);
    assert.ok((result.estimate?.usd ?? 0) > 0 && result.estimate!.usdMax! >= result.estimate!.usd!);
    assert.deepEqual(readdirSync(cacheDir), []);
  });

  test('user profiles: the test-time histories are written beside the training ones, and the dry run counts and prices both', async () => {
    mock.configure({ faults: {} });
    const cacheDir = tempFolder();
    const dry = await synthesizeJob(params(cacheDir, { entity: 'user', dryRun: true, limit: 10 }), recordingContext(), secrets);
    assert.equal(dry.entities, 10);
    assert.equal(dry.testHistories, 10);
    assert.equal(dry.counts.total, 20, 'a training prefix and its test-time history are different inputs');
    assert.equal(dry.estimate?.calls, 20);
    const trainingOnly = await synthesizeJob(params(cacheDir, { entity: 'user', dryRun: true, limit: 10, testHistories: false }), recordingContext(), secrets);
    assert.equal(trainingOnly.counts.total, 10);
    assert.ok(trainingOnly.estimate!.usd! < dry.estimate!.usd!);
    const written = await synthesizeJob(params(cacheDir, { entity: 'user', limit: 10 }), recordingContext(), secrets);
    assert.equal(written.counts.done, 20);
    const records = readFileSync(written.cacheFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { ids: string[]; output: { summary: string } });
    // each user twice: its training prefix and, one title longer, its test-time history
    for (const id of records[0].ids) assert.equal(records.filter((record) => record.ids.includes(id)).length, 2);
  });

  test('a rejected key stops the job with a message that does not hold the key', async () => {
    await assert.rejects(
      synthesizeJob(params(tempFolder(), { limit: 5 }), recordingContext(), { anthropicApiKey: ['sk', 'ant', 'test-WRONG-999999999'].join('-') }),
      (error: Error) => {
        assert.match(error.message, /refused the job: 401/);
        assert.ok(!error.message.includes('WRONG-999999999'));
        return true;
      },
    );
  });

  test('cancelling stops promptly, records nothing as failed, and the next run completes', async () => {
    mock.configure({ latencyMs: 50, faults: {} });
    const cacheDir = tempFolder();
    // cancelled once the mock has answered two calls (an event, not a timer); the grace lets answered
    // calls be recorded, so the next run finds some results cached
    const since = mock.log.length;
    const ctx = recordingContext(() => mock.log.slice(since).filter((entry) => entry.answeredAt !== undefined).length >= 2);
    const running = synthesizeJob(params(cacheDir, { concurrency: 2, cancelGraceMs: 1000 }), ctx, secrets);
    await assert.rejects(running, /cancelled/);
    const resumed = await synthesizeJob(params(cacheDir), recordingContext(), secrets);
    assert.ok(resumed.counts.cached > 0 && resumed.counts.failed === 0);
    assert.equal(resumed.counts.cached + resumed.counts.done, resumed.counts.total);
    mock.configure({ latencyMs: 0 });
  });
});

describe('Message Batches API', () => {
  test('a batch left running by a cancelled run is resumed, not submitted again', async () => {
    mock.configure({ faults: {}, batchProcessingMs: 300 });
    const cacheDir = tempFolder();
    const batches = mock.stats().batchesCreated;
    // cancelled once the batch exists (an event, not a timer)
    const ctx = recordingContext(() => mock.stats().batchesCreated > batches);
    const running = synthesizeJob(params(cacheDir, { mode: 'batch', pollIntervalMs: 50 }), ctx, secrets);
    await assert.rejects(running, /cancelled/);
    assert.equal(mock.stats().batchesCreated, batches + 1);
    const resumed = await synthesizeJob(params(cacheDir, { mode: 'batch', pollIntervalMs: 50 }), recordingContext(), secrets);
    assert.equal(mock.stats().batchesCreated, batches + 1, 'the earlier batch was collected, none submitted');
    assert.equal(resumed.counts.done, resumed.counts.total);
    assert.equal(resumed.mode, 'batch');
  });

  test('faulted batch requests are retried in a follow-up batch', async () => {
    mock.configure({ faults: { overloaded: 0.2, malformed: 0.1, timeout: 0.1 }, batchProcessingMs: 20 });
    const since = mock.log.length;
    const result = await synthesizeJob(params(tempFolder(), { mode: 'batch', pollIntervalMs: 20, maxAttempts: 5 }), recordingContext(), secrets);
    assert.equal(result.counts.done + result.counts.failed, result.counts.total);
    assert.ok(result.counts.calls > result.counts.total);
    assert.deepEqual(mock.sentAfterSuccess(since), []);
    mock.configure({ faults: {} });
  });
});

test('the metadata provider writes the same JSON offline, labelled as having no world knowledge', async () => {
  const cacheDir = tempFolder();
  const result = await synthesizeJob({ dataset, cacheDir, entity: 'user' }, recordingContext(), {});
  assert.equal(result.provider, 'metadata');
  assert.equal(result.worldKnowledge, false);
  assert.equal(result.counts.done, result.counts.total);
  const line = JSON.parse(readFileSync(result.cacheFile, 'utf8').split('\n')[0]);
  assert.equal(line.worldKnowledge, false);
  assert.match(line.output.summary, /^Bought \d+ items?/);
});
