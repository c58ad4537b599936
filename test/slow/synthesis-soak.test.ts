// Soak test of synthesis against the mock Anthropic server (real SDK): 30 % of calls faulted in every
// way the mock knows. Every item must end done or recorded as failed, none lost, no input sent again
// after it succeeded, and a second run must call nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { demoJob } from '../../src/core/jobs/demo';
import { synthesizeJob, type SynthesizeJobParams } from '../../src/core/jobs/synthesize';
import { MockAnthropic } from '../mock/anthropicServer';
import { tempFolder } from '../unit/helpers';
import { FAKE_KEY, recordingContext, mockSynthesisParams } from '../unit/llm/fixtures';

const FAULTS_30 = { rateLimit: 0.06, serverError: 0.04, overloaded: 0.05, timeout: 0.03, malformed: 0.04, truncated: 0.04, schemaBreak: 0.04 };
let dataset: string;
let mock: MockAnthropic;

before(async () => {
  dataset = tempFolder();
  await demoJob({ outDir: dataset, users: 600, items: 1000, seed: 11, retrieval: false }, recordingContext());
  // a timeout fault holds its request until the client gives up; the client waits far longer than any
  // answer of a loaded machine takes, so only injected hangs time out
  mock = await MockAnthropic.start({ apiKey: FAKE_KEY, latencyMs: 20, faults: FAULTS_30, retryAfterMs: 50, hangMs: 60_000, batchProcessingMs: 300 });
});
after(() => mock.close());

function params(cacheDir: string, extra: Partial<SynthesizeJobParams> = {}): SynthesizeJobParams {
  const soak = { concurrency: 16, sdkMaxRetries: 0, backoffBaseMs: 20, maxAttempts: 6, mode: 'messages' } as const;
  return mockSynthesisParams({ dataset, cacheDir, provider: 'anthropic', baseURL: mock.url }, { ...soak, ...extra });
}

function checkCache(file: string, total: number): { ok: number; failed: number; ids: Set<string> } {
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const final = new Map<string, { status: string; ids: string[] }>();
  for (const line of lines) if (final.get(line.key)?.status !== 'ok') final.set(line.key, line);
  assert.equal(final.size, total, 'one final record per input');
  const ids = new Set([...final.values()].flatMap((record) => record.ids));
  const ok = [...final.values()].filter((record) => record.status === 'ok').length;
  return { ok, failed: final.size - ok, ids };
}

for (const mode of ['messages', 'batch'] as const) {
  test(`${mode}: 30 % faults, every item done or failed, none lost, none sent twice after success, then a fully cached run`, async () => {
    const cacheDir = tempFolder();
    const since = mock.log.length;
    const first = await synthesizeJob(params(cacheDir, { mode, pollIntervalMs: 100 }), recordingContext(), { anthropicApiKey: FAKE_KEY });
    const faulted = mock.log.slice(since).filter((entry) => entry.outcome !== 'ok').length / (mock.log.length - since);
    assert.ok(faulted > 0.2, `faults were injected (${faulted})`);
    assert.equal(first.counts.done + first.counts.failed, first.counts.total);
    const cache = checkCache(first.cacheFile, first.counts.total);
    assert.equal(cache.ok, first.counts.done);
    assert.equal(cache.ids.size, first.entities, 'every item is accounted for');
    assert.ok(first.counts.failed < first.counts.total * 0.05, `failed ${first.counts.failed}`);
    assert.deepEqual(mock.sentAfterSuccess(since), []);
    if (mode === 'messages') assert.ok(mock.stats().maxInFlight <= 16);

    const sent = mock.log.length;
    const second = await synthesizeJob(params(cacheDir, { mode, retryFailed: false }), recordingContext(), { anthropicApiKey: FAKE_KEY });
    assert.equal(mock.log.length, sent, 'the cached run made 0 calls');
    assert.equal(second.counts.calls, 0);
    assert.equal(second.counts.cached, first.counts.done);
  });
}
