// Files with huge lines: a 2 GiB file without a line break once ran until killed (the reader joined
// its carry to every chunk: quadratic time, memory growing with the line). Each load runs in a child
// process of its own, which reports its time and peak RSS; both are printed, only a far-off memory
// bound is asserted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { DEFAULT_LINE_LIMIT_BYTES } from '../../src/core/data/lines';
import { snapshot, tempFolder } from '../unit/helpers';

const ROOT = join(__dirname, '..', '..');
const MiB = 1024 * 1024;

const LOAD = `
const { loadDataset } = require('./src/core/data/load');
const started = process.hrtime.bigint();
loadDataset(process.env.GRASP_TEST_DATASET).then(
  (dataset) => ({ interactions: dataset.sequences.reduce((sum, items) => sum + items.length, 0) }),
  (error) => ({ error: error instanceof Error ? error.message : String(error) }),
).then((outcome) => {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ ...outcome, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
});
`;

interface Outcome {
  error?: string;
  interactions?: number;
  seconds: number;
  peakRssMiB: number;
}

function loadInChild(t: TestContext, path: string, label: string): Outcome {
  // A bound far above the linear reader's time: the quadratic one never got there.
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', LOAD], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, GRASP_TEST_DATASET: path },
  });
  assert.equal(run.signal, null, `${label}: no answer in 240 s (${run.signal})`);
  assert.equal(run.status, 0, run.stderr);
  const outcome = JSON.parse(run.stdout) as Outcome;
  t.diagnostic(`${label}: ${outcome.seconds.toFixed(2)} s, peak RSS ${outcome.peakRssMiB.toFixed(0)} MiB`);
  return outcome;
}

test('a 2 GiB file without a line break fails at the line limit, naming file and line, in bounded memory', (t) => {
  const dir = tempFolder();
  const path = join(dir, 'huge.txt');
  // Sparse: 2 GiB of NUL bytes (valid UTF-8, no line break) that take no disk space.
  const fd = openSync(path, 'w');
  ftruncateSync(fd, 2048 * MiB);
  closeSync(fd);
  const before = snapshot(dir);
  const outcome = loadInChild(t, path, '2 GiB, no line break');
  assert.equal(
    outcome.error,
    `${path}:1: expected a line shorter than ${DEFAULT_LINE_LIMIT_BYTES} bytes, found ${DEFAULT_LINE_LIMIT_BYTES} bytes without a line break`,
  );
  // The reader holds at most the line limit (64 MiB) and a copy of it; the quadratic one passed 1.2 GiB.
  assert.ok(outcome.peakRssMiB < 1024, `peak RSS ${outcome.peakRssMiB} MiB`);
  assert.equal(snapshot(dir), before, 'nothing written');
});

test('a line just under the limit still loads, in time and memory linear in its length', (t) => {
  const dir = tempFolder();
  const path = join(dir, 'long.jsonl');
  const fd = openSync(path, 'w');
  const review = 'a long review '.repeat(Math.floor((DEFAULT_LINE_LIMIT_BYTES - MiB) / 14));
  writeSync(fd, `{"user":"u1","item":"i1","review":"${review}"}\n`);
  writeSync(fd, '{"user":"u1","item":"i2"}\n{"user":"u2","item":"i1"}\n');
  closeSync(fd);
  const outcome = loadInChild(t, path, `a ${((review.length + 40) / MiB).toFixed(0)} MiB line`);
  assert.equal(outcome.error, undefined);
  assert.equal(outcome.interactions, 3);
  assert.ok(outcome.peakRssMiB < 2048, `peak RSS ${outcome.peakRssMiB} MiB`);
});
