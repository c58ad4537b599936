import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CancelledError, silentContext, type JobContext } from '../../../src/core/util/jobContext';
import { demoJob } from '../../../src/core/jobs/demo';
import { trainJob } from '../../../src/core/jobs/train';
import { snapshot, tempFolder } from '../helpers';

const config = (data: string, seed = 1) => ({
  data: { path: data },
  model: { kind: 'sasrec', d: 8, layers: 1, heads: 1, maxLen: 6, dropout: 0.2 },
  train: { epochs: 6, batchSize: 16, evalEvery: 1, patience: 0, seed },
  eval: { sampled: 0 },
  engine: { backend: 'wasm' },
});

async function demoData(seed: number): Promise<string> {
  return (await demoJob({ outDir: join(tempFolder(), 'demo'), users: 60, items: 20, seed, retrieval: false }, silentContext)).dir;
}

const logEvents = (dir: string) =>
  readFileSync(join(dir, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string; epoch?: number; loss?: number });

test('a run killed mid-way resumes from its last validation and ends exactly as an uninterrupted run', async () => {
  const data = await demoData(11);
  const straight = await trainJob({ config: config(data), outDir: join(tempFolder(), 'straight') }, silentContext);
  const out = join(tempFolder(), 'run');
  // stop at the first step after the epoch-3 resume point exists (dropout and negatives drawn since)
  const resumeFile = join(out, 'resume.json');
  const stopAfterEpoch3: JobContext = {
    ...silentContext,
    isCancelled: () => existsSync(resumeFile) && (JSON.parse(readFileSync(resumeFile, 'utf8')) as { epoch: number }).epoch >= 3,
  };
  await assert.rejects(trainJob({ config: config(data), outDir: out }, stopAfterEpoch3), CancelledError);
  const resumed = await trainJob({ config: config(data), outDir: out }, silentContext);
  assert.deepEqual(resumed.metrics, straight.metrics);
  assert.equal(resumed.best_epoch, straight.best_epoch);
  const epochs = logEvents(out).filter((event) => event.event === 'epoch');
  assert.deepEqual(
    epochs.map((event) => event.epoch),
    [1, 2, 3, 4, 5, 6],
    'each epoch logged once',
  );
  const straightLosses = logEvents(straight.run)
    .filter((event) => event.event === 'epoch')
    .map((event) => event.loss);
  assert.deepEqual(
    epochs.map((event) => event.loss),
    straightLosses,
  );
  assert.equal(logEvents(out).filter((event) => event.event === 'resume').length, 1);
  assert.ok(!existsSync(resumeFile), 'a finished run keeps no resume point');
});

test('a finished run, or a run of another config, is refused without --overwrite and nothing changes on disk', async () => {
  const data = await demoData(12);
  const out = join(tempFolder(), 'run');
  await trainJob({ config: { ...config(data), train: { ...config(data).train, epochs: 2 } }, outDir: out }, silentContext);
  const before = snapshot(out);
  await assert.rejects(
    trainJob({ config: { ...config(data), train: { ...config(data).train, epochs: 2 } }, outDir: out }, silentContext),
    /holds a finished run of this config: pass --overwrite/,
  );
  await assert.rejects(trainJob({ config: config(data, 2), outDir: out }, silentContext), /holds a run of another config \(train\.(epochs|seed) differs\)/);
  assert.equal(snapshot(out), before);
  // with overwrite: the new run's files only (no metrics or weights of the old one)
  const seedOf = (): number => (JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { train: { seed: number } }).train.seed;
  // stop the new run as soon as it has taken the folder (its config written), before its first result
  const cancelOnceClaimed: JobContext = { ...silentContext, isCancelled: () => seedOf() === 2 };
  await assert.rejects(trainJob({ config: config(data, 2), outDir: out, overwrite: true }, cancelOnceClaimed), CancelledError);
  assert.ok(!existsSync(join(out, 'metrics.json')) && !existsSync(join(out, 'ranks.json')) && !existsSync(join(out, 'checkpoint.json')), 'the old run is gone');
  assert.equal(seedOf(), 2);
});

test('a folder that is not a run folder is never written into, even with --overwrite', async () => {
  const data = await demoData(13);
  const out = tempFolder({ 'notes.txt': 'mine', 'config.json': '{"not":"a run"}' });
  const before = snapshot(out);
  for (const overwrite of [false, true]) {
    await assert.rejects(trainJob({ config: config(data), outDir: out, overwrite }, silentContext), /is not a run folder \(it holds notes\.txt\)/);
  }
  assert.equal(snapshot(out), before);
});

test('two runs into one folder at once: the second is refused while the first holds it', async () => {
  const data = await demoData(14);
  const out = join(tempFolder(), 'run');
  let second: Promise<unknown> | undefined; // settles with the second run's error (or undefined if it ran)
  let stop = false;
  const first: JobContext = {
    ...silentContext,
    isCancelled: () => {
      // the first run is training (it holds the folder): start the second one now
      second ??= trainJob({ config: config(data, 2), outDir: out }, silentContext)
        .then(
          () => undefined,
          (error: unknown) => error,
        )
        .finally(() => (stop = true));
      return stop;
    },
  };
  await assert.rejects(trainJob({ config: config(data), outDir: out }, first), CancelledError);
  assert.match(String(await second), /run folder .* is in use by another job of this process/);
  assert.equal((JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { train: { seed: number } }).train.seed, 1, "the first run's config stays");
});

test('an item table no machine here holds (model.d × items) is refused naming model.d, before the run folder exists', async () => {
  // 47,000 users × 3 distinct items: 141,000 items, so d = 4096 asks for 2.2 GiB of item table
  const lines: string[] = [];
  for (let user = 0; user < 47_000; user++) lines.push(`${user + 1} ${3 * user + 1} ${3 * user + 2} ${3 * user + 3}`);
  const dir = tempFolder({ 'big.txt': `${lines.join('\n')}\n` });
  const out = join(dir, 'out');
  await assert.rejects(
    trainJob(
      { config: { data: { path: join(dir, 'big.txt'), format: 's3rec' }, model: { kind: 'sasrec', d: 4096 }, engine: { backend: 'wasm' } }, outDir: out },
      silentContext,
    ),
    /model\.d × 141000 items needs 2\.\d GiB for the item table alone/,
  );
  assert.equal(existsSync(out), false);
});

test('two `grasp train` processes into one --out: the second exits 1 naming the first, which finishes its own run', async () => {
  const data = await demoData(15);
  const dir = tempFolder();
  const out = join(dir, 'run');
  const configFile = (seed: number) => {
    const file = join(dir, `run-${seed}.json`);
    writeFileSync(file, JSON.stringify(config(data, seed)));
    return file;
  };
  const cli = join(__dirname, '..', '..', '..', 'bin', 'grasp.js');
  const first = spawn(process.execPath, [cli, 'train', '--config', configFile(1), '--out', out, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const firstDone = new Promise<number | null>((resolve) => first.on('exit', resolve));
  // freeze the first run once it holds the folder (its config is written after the lock is taken)
  await new Promise<void>((resolve, reject) => {
    const watch = setInterval(() => {
      if (existsSync(join(out, 'config.json'))) {
        clearInterval(watch);
        first.kill('SIGSTOP');
        resolve();
      } else if (first.exitCode !== null) {
        clearInterval(watch);
        reject(new Error('the first run ended before taking the folder'));
      }
    }, 20);
  });
  const second = spawnSync(process.execPath, [cli, 'train', '--config', configFile(2), '--out', out, '--quiet'], { encoding: 'utf8' });
  first.kill('SIGCONT');
  assert.equal(second.status, 1);
  assert.match(second.stderr, new RegExp(`run folder .* is in use by process ${first.pid}`));
  assert.equal(await firstDone, 0);
  const result = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { seed: number };
  assert.equal(result.seed, 1, "the folder holds the first run's result");
  assert.equal((JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { train: { seed: number } }).train.seed, 1);
});

test('a wall-time budget ends the run after the epoch it runs out in, validated, and the run still tests its best checkpoint', async () => {
  const data = await demoData(16);
  const out = join(tempFolder(), 'run');
  // a budget no epoch can stay under: the run stops after epoch 1
  const base = config(data);
  const result = await trainJob({ config: { ...base, train: { ...base.train, evalEvery: 5, maxMinutes: 1e-9 } }, outDir: out }, silentContext);
  assert.equal(result.epochs, 1);
  assert.equal(result.best_epoch, 1, 'epoch 1 was validated although evalEvery is 5');
  const events = logEvents(out).map((event) => event.event);
  assert.deepEqual(events.slice(-3), ['eval', 'time_budget', 'result']);
});
