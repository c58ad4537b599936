// Kill `grasp synthesize` with SIGKILL mid-run and start it again: the cache file must still read,
// and the second run must pick up where the first stopped without asking again for anything the
// first had recorded (messages mode), or without submitting a batch again (batch mode).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadDataset } from '../../src/core/data/load';
import { leaveOneOut } from '../../src/core/data/split';
import { buildInputs } from '../../src/core/llm/inputs';
import { buildTasks } from '../../src/core/llm/plan';
import { loadTemplate } from '../../src/core/llm/templates';
import { cachePaths } from '../../src/core/data/cachePaths';
import { MockAnthropic, promptHash } from '../mock/anthropicServer';
import { demoForCli, killOnceWritten, lines, runCli, waitFor, wholeRecords } from './cliProcess';
import { tempFolder } from '../unit/helpers';
import { FAKE_KEY } from '../unit/llm/fixtures';

let dataset: string;
let mock: MockAnthropic;

before(async () => {
  dataset = await demoForCli(300, 600);
  mock = await MockAnthropic.start({ apiKey: FAKE_KEY, latencyMs: 40, faults: { serverError: 0.05, malformed: 0.05 }, retryAfterMs: 20 });
});
after(() => mock.close());

function synthesize(cacheDir: string, ...extra: string[]) {
  return runCli(
    [
      'synthesize',
      dataset,
      '--entity',
      'items',
      '--provider',
      'anthropic',
      '--base-url',
      mock.url,
      '--cache-dir',
      cacheDir,
      '--concurrency',
      '8',
      '--json',
      ...extra,
    ],
    { ANTHROPIC_API_KEY: FAKE_KEY },
  );
}

test('messages mode: SIGKILL mid-run, restart, nothing recorded before the kill is asked again', async () => {
  const cacheDir = tempFolder();
  const cacheFile = join(cachePaths(dataset, cacheDir).dataset, 'synthesis', 'items.jsonl');
  await killOnceWritten(synthesize(cacheDir, '--mode', 'messages'), cacheFile, 150, 30_000);
  const logAtKill = mock.log.length;

  // The file reads: every line but (at most) a torn last one is a whole record.
  const records = wholeRecords<{ key: string; status: string }>(cacheFile);
  const okBeforeKill = new Set(records.flatMap((record) => (record.status === 'ok' ? [record.key] : [])));
  assert.ok(okBeforeKill.size >= 100 && okBeforeKill.size < 595, `${okBeforeKill.size} done before the kill`);

  const second = synthesize(cacheDir, '--mode', 'messages');
  assert.equal(await second.exited, 0, second.output().stderr);
  const result = JSON.parse(second.output().stdout);
  assert.ok(result.counts.cached >= okBeforeKill.size);
  assert.equal(result.counts.cached + result.counts.done + result.counts.failed, result.counts.total);

  // Map each input to the mock's name for it, and check none recorded before the kill was sent again.
  const data = await loadDataset(dataset);
  const template = await loadTemplate('item');
  const tasks = buildTasks(buildInputs(data, leaveOneOut(data.sequences), 'item'), template, 'anthropic', result.model);
  const inputOf = new Map(tasks.map((task) => [task.key, promptHash(task.prompt.system, task.prompt.user)]));
  const resent = new Set(mock.log.slice(logAtKill).map((entry) => entry.input));
  const repeated = [...okBeforeKill].filter((key) => resent.has(inputOf.get(key)!));
  assert.deepEqual(repeated, [], 'a paid call recorded before the kill was repeated');
});

test('batch mode: SIGKILL while polling, restart collects the same batch instead of submitting again', async () => {
  mock.configure({ faults: {}, batchProcessingMs: 1500 });
  const cacheDir = tempFolder();
  const journal = join(cachePaths(dataset, cacheDir).dataset, 'synthesis', 'items.batches.jsonl');
  const batchesBefore = mock.stats().batchesCreated;
  const first = synthesize(cacheDir, '--mode', 'batch', '--poll-interval-ms', '100');
  await waitFor(() => lines(journal).some((line) => line.includes('"submitted"')), 30_000, 'a submitted batch');
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(mock.stats().batchesCreated, batchesBefore + 1);

  const second = synthesize(cacheDir, '--mode', 'batch', '--poll-interval-ms', '100');
  assert.equal(await second.exited, 0, second.output().stderr);
  const result = JSON.parse(second.output().stdout);
  assert.equal(mock.stats().batchesCreated, batchesBefore + 1, 'no batch submitted twice');
  assert.equal(result.counts.done, result.counts.total);
  assert.ok(lines(journal).some((line) => line.includes('"collected"')));
});
