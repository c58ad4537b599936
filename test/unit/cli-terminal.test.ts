import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { terminalContext } from '../../src/cli/progress';
import { FIXTURES, snapshot, tempFolder } from './helpers';

// File names, ids and dataset text are untrusted: an escape sequence in them must not reach the
// terminal raw on stderr (here: clear the screen, set the window title, and clear it again with the
// one-character CSI, which JSON quoting leaves as it is).
const HOSTILE = '\u001b[2J\u001b]0;owned\u0007\u009b2J';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex
const REDRAW = /^\r\u001b\[K/;

const GRASP = join(__dirname, '..', '..', 'bin', 'grasp.js');
const grasp = (...args: string[]) => spawnSync(process.execPath, [GRASP, ...args], { encoding: 'utf8', env: { ...process.env, ANTHROPIC_API_KEY: '' } });

test('an error naming a file with escape codes in its name shows them as ?', () => {
  const name = `bad${HOSTILE}.txt`;
  const dir = tempFolder({ [name]: '1 2 3\n1 x\n' });
  const before = snapshot(dir);
  const run = grasp('stats', join(dir, name), '--format', 's3rec');
  assert.equal(run.status, 1);
  assert.doesNotMatch(run.stderr, CONTROL);
  assert.ok(run.stderr.includes(`bad?[2J?]0;owned??2J.txt:2: expected non-negative integer ids`), run.stderr);
  assert.equal(snapshot(dir), before);
});

test('grasp annotate --item with escape codes does not echo them raw', () => {
  const dir = tempFolder({ 'tiny.inter': readFileSync(join(FIXTURES, 'tiny', 'tiny.inter')) });
  const run = grasp('annotate', dir, '--item', `nope${HOSTILE}`, '--verdict', 'ok');
  assert.equal(run.status, 1);
  assert.doesNotMatch(run.stderr, CONTROL);
  assert.match(run.stderr, /no item with id/);
});

test('a usage error quoting an argument with escape codes', () => {
  const run = grasp('stats', 'x', `--${HOSTILE}`);
  assert.equal(run.status, 2);
  assert.doesNotMatch(run.stderr, CONTROL);
  assert.match(run.stderr, /unknown option '--\?\[2J\?\]0;owned\?\?2J'/);
});

test('log lines on stderr are cleaned and keep their line breaks', (t) => {
  const written: string[] = [];
  t.mock.method(process.stderr, 'write', (chunk: string | Uint8Array) => written.push(String(chunk)) > 0);
  const ctx = terminalContext();
  try {
    ctx.log(`reading ${HOSTILE}x.txt\nsecond line\tend`);
  } finally {
    ctx.dispose();
    t.mock.restoreAll();
  }
  // The redraw prefix (on a TTY only) is ours; everything after it came from the caller.
  assert.equal(written.join('').replace(REDRAW, ''), 'reading ?[2J?]0;owned??2Jx.txt\nsecond line?end\n');
});
