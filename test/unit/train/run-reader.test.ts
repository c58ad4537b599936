// The run-folder reader (src/core/train/runReader.ts): run status and metrics from both shapes of
// metrics.json, names, and the dataset → GRASP run lookup by identity (the canonical interactions file),
// never by folder names: two datasets side by side in one workspace must not share each other's runs.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findGraspRun } from '../../../src/core/train/graspRuns';
import { listRuns, readRun, readRunDetails, runName } from '../../../src/core/train/runReader';

const INTER = 'user_id:token\titem_id:token\n1\t1\n1\t2\n1\t3\n';

function write(path: string, content: unknown): void {
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
}

/** A run folder with a config, and whatever else is given (metrics, checkpoint, lock, resume point). */
function run(runsDir: string, folder: string, config: Record<string, unknown>, files: Record<string, unknown> = {}, startedSecondsAgo = 100): string {
  const dir = join(runsDir, folder);
  mkdirSync(dir, { recursive: true });
  write(join(dir, 'config.json'), config);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    write(join(dir, name), content);
  }
  const time = new Date(Date.now() - startedSecondsAgo * 1000);
  utimesSync(join(dir, 'config.json'), time, time);
  return dir;
}

function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'grasp-runs-'));
  for (const name of ['world', 'other', 'third']) {
    mkdirSync(join(root, name));
    write(join(root, name, `${name}.inter`), INTER);
  }
  // The demo keeps its caches in <dataset>/.grasp; runs go to <workspace>/.grasp/runs.
  mkdirSync(join(root, 'world', '.grasp'));
  const runs = join(root, '.grasp', 'runs');
  mkdirSync(runs, { recursive: true });
  return { root, runs };
}

const single = {
  event: 'result',
  run: 'x',
  backend: 'wasm',
  model: 'sasrec',
  dataset: 'world',
  seed: 1,
  best_epoch: 3,
  epochs: 4,
  metrics: { valid: { full: { 'NDCG@10': 0.3 } }, test: { full: { 'NDCG@10': 0.25, 'HR@10': 0.5 } } },
  history: [
    { event: 'epoch', epoch: 1, loss: 5, epoch_s: 2 },
    { event: 'eval', epoch: 1, valid: { 'NDCG@10': 0.2 }, best: true, eval_s: 1 },
  ],
};

describe('run folder reader', () => {
  test('a finished single-seed run: test metrics from metrics.test.full nested under metrics, the config’s name, its history', async () => {
    const { root, runs } = workspace();
    const dir = run(
      runs,
      '2026-01-02T03-04-05-678Z-sasrec-world',
      { name: 'sasrec-world', data: { path: join(root, 'world') }, model: { kind: 'sasrec' }, variant: 'plain' },
      { 'metrics.json': single },
    );
    const info = await readRun(dir);
    assert.equal(info?.status, 'finished');
    assert.equal(info?.name, 'sasrec-world');
    assert.deepEqual(info?.test, { 'NDCG@10': 0.25, 'HR@10': 0.5 });
    assert.equal(info?.bestEpoch, 3);
    assert.equal(info?.backend, 'wasm');
    const details = await readRunDetails(dir);
    assert.deepEqual(
      details?.history.map((e) => e.event),
      ['epoch', 'eval'],
    );
    assert.equal(details?.stop, undefined, 'no stop event: it ran its epoch budget');
    assert.equal(details?.maxMinutes, undefined);
  });

  test('why training stopped: the time_budget event of a finished run, the early_stop one of a run still in its log; the config’s time budget', async () => {
    const { root, runs } = workspace();
    const timed = { ...single, history: [...single.history, { event: 'time_budget', epoch: 1, best_epoch: 1, minutes: 5 }] };
    const finished = run(
      runs,
      'timed',
      { name: 'timed', data: { path: join(root, 'world') }, model: { kind: 'sasrec' }, train: { epochs: 200, maxMinutes: 5 } },
      { 'metrics.json': timed },
    );
    const details = await readRunDetails(finished);
    assert.deepEqual(details?.stop, { reason: 'time_budget', epoch: 1, bestEpoch: 1, minutes: 5 });
    assert.equal(details?.maxMinutes, 5);
    assert.deepEqual(
      details?.history.map((e) => e.event),
      ['epoch', 'eval'],
      'the history itself keeps epochs and evaluations only',
    );
    const log = [
      { event: 'epoch', epoch: 1, loss: 5, epoch_s: 1 },
      { event: 'eval', epoch: 1, valid: { 'NDCG@10': 0.1 }, best: true, best_epoch: 1, eval_s: 1 },
      { event: 'early_stop', epoch: 1, best_epoch: 1 },
    ];
    const logged = run(
      runs,
      'logged',
      { name: 'logged', data: { path: join(root, 'world') }, model: { kind: 'sasrec' }, train: { maxMinutes: 0 } },
      { 'log.jsonl': `${log.map((e) => JSON.stringify(e)).join('\n')}\n` },
    );
    const fromLog = await readRunDetails(logged);
    assert.deepEqual(fromLog?.stop, { reason: 'early_stop', epoch: 1, bestEpoch: 1 });
    assert.equal(fromLog?.maxMinutes, undefined, 'maxMinutes 0 is no time budget');
  });

  test('several seeds: the test means, the first seed’s curves', async () => {
    const { root, runs } = workspace();
    const dir = join(runs, 'two-seeds');
    run(
      runs,
      'two-seeds',
      { data: { path: join(root, 'world') }, model: { kind: 'sasrec' } },
      {
        'metrics.json': {
          seeds: [1, 2],
          test: { 'full.NDCG@10': { mean: 0.2, std: 0.01 } },
          runs: [
            { ...single, run: join(dir, 'seed-1'), history: undefined },
            { ...single, run: join(dir, 'seed-2'), history: undefined },
          ],
        },
        'seed-1/metrics.json': single,
      },
    );
    const details = await readRunDetails(dir);
    assert.deepEqual(details?.test, { 'NDCG@10': 0.2 });
    assert.deepEqual(details?.seeds, [1, 2]);
    assert.equal(details?.history.length, 2);
    assert.match(details?.note ?? '', /first seed \(seed-1\) of 2/);
    assert.equal(details?.name, 'two-seeds', 'no config name: the folder name');
  });

  test('status: training while a live process holds the lock, interrupted with a resume point, else incomplete', async () => {
    const { root, runs } = workspace();
    const config = { data: { path: join(root, 'world') }, model: { kind: 'sasrec' } };
    assert.equal(
      (await readRun(run(runs, 'a', config, { '.lock': String(process.pid), 'log.jsonl': '{"event":"epoch","epoch":1,"loss":4,"epoch_s":1}\n{"event":"ev' })))
        ?.status,
      'training',
    );
    assert.equal((await readRun(run(runs, 'b', config, { 'resume.json': {} })))?.status, 'interrupted');
    assert.equal((await readRun(run(runs, 'c', config, { '.lock': '999999999' })))?.status, 'incomplete', 'a lock of a process that is gone');
    // A run still training shows the epochs its log has so far (a torn last line is skipped).
    assert.deepEqual(
      (await readRunDetails(join(runs, 'a')))?.history.map((e) => e.epoch),
      [1],
    );
    assert.equal(await readRun(join(runs, 'missing')), undefined);
  });

  test('names: the config’s, else the folder without its time prefix; runs are listed newest first', async () => {
    assert.equal(runName('2026-03-04T05-06-07-890Z-gru4rec-grasp-beauty'), 'gru4rec-grasp-beauty');
    assert.equal(runName('my-run', 'named'), 'named');
    const { root, runs } = workspace();
    const config = { data: { path: join(root, 'world') }, model: { kind: 'sasrec' } };
    run(runs, 'older', config, {}, 500);
    run(runs, 'newer', config, {}, 5);
    mkdirSync(join(runs, 'not-a-run'));
    assert.deepEqual(
      (await listRuns([runs, join(root, 'no-such-folder')])).map((r) => r.folder),
      ['newer', 'older'],
    );
  });
});

describe('a dataset’s GRASP run', () => {
  test('is matched by the dataset’s identity: folder or file, through a symlink, and never a neighbour folder’s run', async () => {
    const { root, runs } = workspace();
    const graspOn = (path: string) => ({ data: { path }, model: { kind: 'sasrec' }, variant: 'grasp' });
    const worldRun = run(runs, 'grasp-world', graspOn(join(root, 'world')), { 'checkpoint.json': {} });
    const otherRun = run(runs, 'grasp-other', graspOn(join(root, 'other', 'other.inter')), { 'checkpoint.json': {} });
    run(runs, 'plain-third', { data: { path: join(root, 'third') }, model: { kind: 'sasrec' }, variant: 'plain' }, { 'checkpoint.json': {} });
    run(runs, 'grasp-third-no-checkpoint', graspOn(join(root, 'third')));
    // The world's caches are in world/.grasp: its runs are found in the workspace's runs folder given.
    assert.equal(await findGraspRun(join(root, 'world', 'world.inter'), [join(root, 'world', '.grasp', 'runs'), runs]), worldRun);
    assert.equal(await findGraspRun(join(root, 'world'), runs), worldRun);
    assert.equal(await findGraspRun(join(root, 'other'), runs), otherRun);
    // Same parent folder as the others, no GRASP run with a checkpoint of its own: none (not a sibling's).
    assert.equal(await findGraspRun(join(root, 'third'), runs), undefined);
    symlinkSync(join(root, 'world'), join(root, 'linked'));
    assert.equal(await findGraspRun(join(root, 'linked'), runs), worldRun);
    assert.equal(await findGraspRun(join(root, 'world'), join(root, 'world', '.grasp', 'runs')), undefined, 'not in the runs folders given');
  });
});
