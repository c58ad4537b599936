import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { findAccelerator } from '../../../src/core/accelerator/install';
import { installAcceleratorJob } from '../../../src/core/jobs/installAccelerator';
import { CancelledError, silentContext } from '../../../src/core/util/jobContext';
import { tempFolder } from '../helpers';

/** A stand-in for npm: `install --prefix DIR … PKG@V` writes the package, or fails, or hangs. */
function fakeNpm(mode: 'ok' | 'fail' | 'hang'): string[] {
  const script = join(tempFolder(), 'npm.js');
  writeFileSync(
    script,
    `const fs = require('fs'), path = require('path');
     const prefix = process.argv[process.argv.indexOf('--prefix') + 1];
     if (${JSON.stringify(mode)} === 'fail') { console.error('npm error: libtensorflow download failed'); process.exit(1); }
     if (${JSON.stringify(mode)} === 'hang') setInterval(() => {}, 1000);
     else {
       const dir = path.join(prefix, 'node_modules', '@tensorflow', 'tfjs-node');
       fs.mkdirSync(dir, { recursive: true });
       fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version: process.argv.at(-1).split('@').at(-1) }));
     }`,
  );
  return [process.execPath, script];
}

test('a successful install moves the package into the accelerator folder', async () => {
  const dir = join(tempFolder(), 'accelerator');
  const result = await installAcceleratorJob({ dir, npm: fakeNpm('ok') }, silentContext);
  assert.equal(result.entry, findAccelerator(dir));
  assert.equal(JSON.parse(readFileSync(join(result.entry, 'package.json'), 'utf8')).version, '4.22.0');
});

test('a failed install says why and leaves the previous accelerator untouched', async () => {
  const dir = join(tempFolder(), 'accelerator');
  mkdirSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-node'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json'), '{"version":"old"}');
  await assert.rejects(installAcceleratorJob({ dir, npm: fakeNpm('fail') }, silentContext), /npm exit 1[\s\S]*libtensorflow download failed/);
  assert.ok(findAccelerator(dir), 'the previous install is still there');
  assert.ok(!existsSync(`${dir}.staging-${process.pid}`), 'no staging folder is left behind');
});

test('a cancelled install stops npm and installs nothing', async () => {
  const dir = join(tempFolder(), 'accelerator');
  let cancelled = false;
  setTimeout(() => (cancelled = true), 300);
  await assert.rejects(installAcceleratorJob({ dir, npm: fakeNpm('hang') }, { ...silentContext, isCancelled: () => cancelled }), CancelledError);
  assert.equal(findAccelerator(dir), undefined);
});
