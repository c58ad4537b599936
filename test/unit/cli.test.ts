import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FIXTURES, snapshot, tempFolder } from './helpers';

const GRASP = join(__dirname, '..', '..', 'bin', 'grasp.js');
const grasp = (...args: string[]) => spawnSync(process.execPath, [GRASP, ...args], { encoding: 'utf8' });

test('grasp stats --json prints one JSON object with the headline keys', () => {
  const run = grasp('stats', join(FIXTURES, 'tiny'), '--json');
  assert.equal(run.status, 0, run.stderr);
  const stats = JSON.parse(run.stdout);
  assert.deepEqual([stats.users, stats.items, stats.interactions], [2, 4, 5]);
  assert.equal(stats.density, 5 / 8);
});

test('grasp stats prints a readable table', () => {
  const run = grasp('stats', join(FIXTURES, 'tiny', 'tiny.inter'));
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^users\s+2$/m);
  assert.match(run.stdout, /^interactions\s+5$/m);
});

test('--help works on every command and exits 0', () => {
  for (const args of [['--help'], ['stats', '--help'], ['demo', '--help']]) {
    const run = grasp(...args);
    assert.equal(run.status, 0, args.join(' '));
    assert.match(run.stdout, /Usage: grasp/);
  }
});

test('usage errors exit 2', () => {
  assert.equal(grasp('stats').status, 2);
  assert.equal(grasp('stats', 'x', '--format', 'bogus').status, 2);
  assert.equal(grasp('stats', 'x', '--core', 'many').status, 2);
  assert.equal(grasp('frobnicate').status, 2);
  assert.equal(grasp('stats', 'x', '--no-such-flag').status, 2);
});

test('a data error exits 1 and names the file and line', () => {
  const dir = tempFolder({ 'bad.txt': '1 2 3\n1 x\n' });
  const run = grasp('stats', join(dir, 'bad.txt'), '--format', 's3rec');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /bad\.txt:2: expected non-negative integer ids/);
  assert.equal(run.stdout, '');
});

test('grasp demo writes a deterministic dataset folder and prints its statistics', () => {
  const first = tempFolder();
  const second = tempFolder();
  const run = grasp('demo', '--out', first, '--users', '200', '--items', '80', '--seed', '3', '--json', '--no-train');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.stats.users, 200);
  assert.equal(result.stats.items <= 80, true);
  assert.deepEqual(result.files.sort(), ['README.md', 'demo.inter', 'demo.item']);
  assert.equal(grasp('demo', '--out', second, '--users', '200', '--items', '80', '--seed', '3', '--json', '--no-train').status, 0);
  for (const file of ['demo.inter', 'demo.item']) assert.equal(readFileSync(join(first, file), 'utf8'), readFileSync(join(second, file), 'utf8'));
  const other = tempFolder();
  assert.equal(grasp('demo', '--out', other, '--users', '200', '--items', '80', '--seed', '4', '--json', '--no-train').status, 0);
  assert.notEqual(readFileSync(join(first, 'demo.inter'), 'utf8'), readFileSync(join(other, 'demo.inter'), 'utf8'));
  assert.doesNotMatch(snapshot(first), /\.tmp-/);
});

test('the demo world has drifting interests: consecutive items share a category more often than chance', () => {
  const dir = tempFolder();
  assert.equal(grasp('demo', '--out', dir, '--users', '300', '--json', '--no-train').status, 0);
  const category = new Map(
    readFileSync(join(dir, 'demo.item'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const cells = line.split('\t');
        return [cells[0], cells[2]] as const;
      }),
  );
  const rows = readFileSync(join(dir, 'demo.inter'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'));
  let same = 0;
  let pairs = 0;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i][0] !== rows[i - 1][0]) continue;
    pairs++;
    if (category.get(rows[i][1]) === category.get(rows[i - 1][1])) same++;
  }
  // 8 categories: chance is about 1/8; the generator stays with probability 0.8.
  assert.ok(same / pairs > 0.6, `same-category share ${same / pairs}`);
});
