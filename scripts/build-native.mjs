// Builds the native kernels (native/: sgemm, the fused kernels, the softmax losses and Adam) with
// node-gyp. Runs on `npm install`/`npm ci` as postinstall and by `npm run build:native`. It needs only
// the C++ toolchain node-gyp needs anyway (hnswlib-node builds with it too): the addon carries its own
// sgemm, so no BLAS library is needed to build or to run it. It never fails the install: without the
// addon the engine uses the tfjs backend's own kernels and says so.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const strict = process.argv.includes('--strict');

function done(message, ok) {
  console.error(`grasp native kernels: ${message}`);
  process.exit(ok || !strict ? 0 : 1);
}

if (process.env.GRASP_SKIP_NATIVE === '1') done('skipped (GRASP_SKIP_NATIVE=1)', true);
if (process.platform === 'win32') done('not built on Windows (the built-in sgemm needs GCC or Clang); using tfjs kernels', true);

const bundledGyp = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp || (existsSync(bundledGyp) ? bundledGyp : undefined);
if (!gyp) done('not built: node-gyp not found', false);

// Offline machines cannot download Node's headers: point node-gyp at the ones installed with Node.
const baseArgs = [gyp, 'rebuild', '--directory', nativeDir];
const localHeaders = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(localHeaders, 'include', 'node', 'node_api.h'))) baseArgs.push(`--nodedir=${localHeaders}`);
const built = join(nativeDir, 'build', 'Release', 'grasp_blas.node');

/** Builds and load-checks the addon; returns what its sgemm is, or throws why it failed. */
function build() {
  const result = spawnSync(process.execPath, baseArgs, { cwd: nativeDir, encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(built)) {
    rmSync(join(nativeDir, 'build'), { recursive: true, force: true });
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`
      .split('\n')
      .filter((line) => /error|ERR!/i.test(line))
      .slice(-6)
      .join('\n');
    throw new Error(`build failed\n${tail}`);
  }
  // Check it loads (right ABI, every symbol resolved) before declaring success.
  const check = spawnSync(process.execPath, ['-e', `const k = require(${JSON.stringify(built)}); console.log(k.info().blas)`], { encoding: 'utf8' });
  if (check.status !== 0) {
    rmSync(join(nativeDir, 'build'), { recursive: true, force: true });
    throw new Error(`built but does not load\n${check.stderr.split('\n')[0]}`);
  }
  return check.stdout.trim();
}

try {
  done(`built ${built} (${build()})`, true);
} catch (error) {
  done(`${error.message}; the engine will use tfjs kernels`, false);
}
