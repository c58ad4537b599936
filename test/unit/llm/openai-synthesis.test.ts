// The openai-compatible synthesis provider against the mock OpenAI-compatible server, through the real
// openai SDK: the same templates, schema, cache, retries, dry run and cost report as the Anthropic path,
// under the same faults (429 with retry-after, 500, timeouts, malformed and cut-off bodies, replies cut
// at max_tokens or breaking the schema), and a server without a JSON-schema mode.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { demoJob } from '../../../src/core/jobs/demo';
import { synthesizeJob, type SynthesizeJobParams } from '../../../src/core/jobs/synthesize';
import { isLocalServer, openAiRoot } from '../../../src/core/util/endpoints';
import { MockOpenAI } from '../../mock/openaiServer';
import { tempFolder } from '../helpers';
import { ensureBuilt } from '../worker/harness';
import { recordingContext, mockSynthesisParams } from './fixtures';

const GRASP = join(__dirname, '..', '..', '..', 'bin', 'grasp.js');

const KEY = ['sk', 'test', 'chat-FAKE-9876543210'].join('-');
let dataset: string;
let mock: MockOpenAI;

before(async () => {
  dataset = tempFolder();
  await demoJob({ outDir: dataset, users: 80, items: 120, seed: 5, retrieval: false }, recordingContext());
  mock = await MockOpenAI.start({ apiKey: KEY, retryAfterMs: 5, hangMs: 60_000, seed: 11 });
});
after(() => mock.close());

function params(cacheDir: string, extra: Partial<SynthesizeJobParams> = {}): SynthesizeJobParams {
  return mockSynthesisParams({ dataset, cacheDir, provider: 'openai-compatible', baseURL: mock.url }, { model: 'mock-chat', ...extra });
}

test('with faults every item ends done or failed, nothing is asked again after success, and a cached rerun calls nothing', async () => {
  mock.configure({
    faults: { rateLimit: 0.05, serverError: 0.05, timeout: 0.03, malformed: 0.04, cutOff: 0.04, truncated: 0.04, schemaBreak: 0.04 },
    jsonSchema: true,
  });
  const cacheDir = tempFolder();
  const since = mock.log.length;
  const ctx = recordingContext();
  const first = await synthesizeJob(params(cacheDir), ctx, { openaiApiKey: KEY });
  assert.equal(first.provider, 'openai-compatible');
  assert.equal(first.worldKnowledge, true);
  assert.equal(first.counts.done + first.counts.failed, first.counts.total);
  assert.ok(first.counts.done > first.counts.total * 0.8, JSON.stringify(first.counts));
  const outcomes = mock.stats().byOutcome;
  for (const fault of ['rate-limit', 'server-error', 'malformed', 'cut-off', 'truncated', 'schema-break'])
    assert.ok((outcomes[fault] ?? 0) > 0, `the mock injected ${fault}: ${JSON.stringify(outcomes)}`);
  assert.deepEqual(mock.sentAfterSuccess(since), []);
  assert.ok(
    mock.log.slice(since).every((entry) => entry.schema),
    'every call asked for the JSON-schema mode',
  );
  const lines = readFileSync(first.cacheFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(new Set(lines.filter((line) => line.status === 'ok').map((line) => line.key)).size, first.counts.done);
  assert.ok(lines.every((line) => line.provider === 'openai-compatible' && line.model === 'mock-chat' && line.mode === 'messages'));
  for (const failure of lines.filter((line) => line.status === 'failed')) assert.ok(failure.reason.length > 0);
  // a local server costs nothing, and its tokens and time are reported
  assert.equal(first.costUsd, 0);
  assert.ok(first.counts.inputTokens > 0 && first.counts.outputTokens > 0);
  assert.ok(first.elapsedMs > 0);
  assert.deepEqual(first.server, { baseURL: `${mock.url}/v1`, structuredOutput: true });

  mock.configure({ faults: {} });
  const sent = mock.log.length;
  const second = await synthesizeJob(params(cacheDir, { retryFailed: false }), recordingContext(), { openaiApiKey: KEY });
  assert.equal(mock.log.length, sent, 'a fully cached run calls nothing');
  assert.equal(second.counts.cached, first.counts.done);
  const third = await synthesizeJob(params(cacheDir), recordingContext(), { openaiApiKey: KEY });
  assert.equal(third.counts.done, first.counts.failed, 'the earlier failures are asked again and now succeed');
  assert.deepEqual(mock.sentAfterSuccess(since), []);
  for (const name of readdirSync(cacheDir, { recursive: true }) as string[]) {
    if (name.endsWith('.jsonl')) assert.ok(!readFileSync(`${cacheDir}/${name}`, 'utf8').includes(KEY));
  }
  assert.ok(!ctx.lines.join('\n').includes(KEY));
});

test('a server without a JSON-schema mode: the provider asks by prompt from then on, and validates every reply against the schema', async () => {
  mock.configure({ faults: { schemaBreak: 0.2 }, jsonSchema: false });
  const since = mock.log.length;
  const ctx = recordingContext();
  const result = await synthesizeJob(params(tempFolder(), { limit: 30, concurrency: 1 }), ctx, { openaiApiKey: KEY });
  assert.equal(result.counts.done + result.counts.failed, result.counts.total);
  assert.ok(result.counts.done >= 25, JSON.stringify(result.counts));
  assert.equal(result.server?.structuredOutput, false);
  const entries = mock.log.slice(since);
  assert.equal(entries.filter((entry) => entry.outcome === 'no-json-schema').length, 1, 'refused once, never asked again');
  assert.ok(entries.slice(1).every((entry) => !entry.schema));
  assert.ok(
    (mock.stats().byOutcome['schema-break'] ?? 0) > 0 && entries.some((entry) => entry.outcome === 'schema-break'),
    'replies breaking the schema were refused and asked again',
  );
  assert.ok(ctx.lines.some((line) => /refused response_format json_schema/.test(line)));
  mock.configure({ jsonSchema: true, faults: {} });
});

test('a dry run counts calls and tokens at a price of 0, calling and writing nothing', async () => {
  const cacheDir = tempFolder();
  const sent = mock.log.length;
  const result = await synthesizeJob(params(cacheDir, { dryRun: true, limit: 10 }), recordingContext(), { openaiApiKey: KEY });
  assert.equal(mock.log.length, sent);
  assert.equal(result.estimate?.calls, 10);
  assert.ok(result.estimate!.inputTokens > 0);
  assert.equal(result.estimate?.usd, 0);
  assert.match(result.estimate!.note, /no cost; its tokens and time are reported/);
  assert.deepEqual(readdirSync(cacheDir), []);
});

test('no key: no Authorization header; a server that wants one stops the job at once, saying so, with no key in the message', async () => {
  const since = mock.log.length;
  await assert.rejects(
    synthesizeJob(params(tempFolder(), { limit: 5 }), recordingContext(), {}),
    /openai-compatible refused the job: 401 .*no OPENAI_API_KEY was set/,
  );
  assert.equal(mock.log.length - since <= 8, true, 'stopped after the first refusals');
  const wrong = ['sk', 'test', 'WRONG-999999999'].join('-');
  await assert.rejects(synthesizeJob(params(tempFolder(), { limit: 5 }), recordingContext(), { openaiApiKey: wrong }), (error: Error) => {
    assert.match(error.message, /refused the job: 401/);
    assert.ok(!error.message.includes('WRONG-999999999'));
    return true;
  });
  mock.configure({ models: ['another-model'] });
  await assert.rejects(
    synthesizeJob(params(tempFolder(), { limit: 5 }), recordingContext(), { openaiApiKey: KEY }),
    /404 .*does it serve the model "mock-chat"/,
  );
  mock.configure({ models: undefined });
});

test('missing server or model, and batch mode, are refused before anything is sent', async () => {
  const sent = mock.log.length;
  await assert.rejects(synthesizeJob(params(tempFolder(), { baseURL: undefined }), recordingContext(), {}), /needs the server's base URL \(--base-url/);
  await assert.rejects(synthesizeJob(params(tempFolder(), { model: undefined }), recordingContext(), {}), /needs a model name/);
  await assert.rejects(synthesizeJob(params(tempFolder(), { mode: 'batch' }), recordingContext(), {}), /--mode batch is the Message Batches API/);
  await assert.rejects(synthesizeJob(params(tempFolder(), { baseURL: 'http://user:pw@127.0.0.1:9' }), recordingContext(), {}), /must not carry credentials/);
  assert.equal(mock.log.length, sent);
});

test('base URLs: /v1 is added once; servers here or on a private network are free, others unpriced', () => {
  for (const given of ['http://127.0.0.1:8000', 'http://127.0.0.1:8000/', 'http://127.0.0.1:8000/v1', 'http://127.0.0.1:8000/v1/'])
    assert.equal(openAiRoot(given, 'x'), 'http://127.0.0.1:8000/v1');
  assert.equal(openAiRoot('https://api.example.com/openai/v1', 'x'), 'https://api.example.com/openai/v1');
  assert.equal(openAiRoot('https://api.example.com/openai', 'x'), 'https://api.example.com/openai/v1');
  for (const local of [
    'http://localhost:11434',
    'http://127.0.0.1',
    'http://[::1]:8000',
    'http://10.1.2.3',
    'http://192.168.0.7:8080',
    'http://172.20.0.1',
    'http://gpu-box.local:8000',
  ])
    assert.equal(isLocalServer(local), true, local);
  for (const remote of ['https://api.openai.com', 'http://172.32.0.1', 'http://8.8.8.8', 'not a url']) assert.equal(isLocalServer(remote), false, remote);
});

/** The CLI in a child process, awaited without blocking this process (the mock server answers from it). */
function grasp(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [GRASP, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

test('grasp synthesize --provider openai-compatible on the command line: the key from the environment, tokens and time reported', async () => {
  ensureBuilt();
  mock.configure({ faults: {}, jsonSchema: true });
  const cacheDir = tempFolder();
  const env = { ...process.env, OPENAI_API_KEY: KEY };
  const synthesize = (...extra: string[]) =>
    grasp(
      [
        'synthesize',
        dataset,
        '--entity',
        'items',
        '--provider',
        'openai-compatible',
        '--base-url',
        mock.url,
        '--model',
        'mock-chat',
        '--cache-dir',
        cacheDir,
        '--limit',
        '6',
        ...extra,
      ],
      env,
    );
  const dry = await synthesize('--dry-run');
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /would make 6 calls: ~\d+ input \+ ~\d+ output tokens, ~\$0\.00 .*no cost; its tokens and time are reported/);
  const run = await synthesize('--json');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.deepEqual([result.provider, result.model, result.counts.done, result.costUsd], ['openai-compatible', 'mock-chat', 6, 0]);
  const text = await synthesize();
  assert.match(text.stdout, /6 cached/);
  assert.ok(!`${dry.stdout}${dry.stderr}${run.stdout}${run.stderr}`.includes(KEY));
  assert.equal((await grasp(['synthesize', dataset, '--entity', 'items', '--provider', 'gpt'])).status, 2, 'an unknown provider is a usage error');
});
