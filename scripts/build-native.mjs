// Builds the optional native kernels (native/, OpenBLAS sgemm + Adam) with node-gyp. Runs on
// `npm install`/`npm ci` as postinstall and by `npm run build:native`. It never fails the install:
// without the addon the engine uses the tfjs backend's own kernels and says so.
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
if (process.platform === 'win32') done('not built on Windows (no OpenBLAS setup); using tfjs kernels', true);

const headerDirs = ['/usr/include', '/usr/include/x86_64-linux-gnu', '/usr/include/aarch64-linux-gnu', '/usr/include/openblas', '/usr/local/include', '/opt/homebrew/opt/openblas/include'];
if (!headerDirs.some((dir) => existsSync(join(dir, 'cblas.h')))) {
  done('not built: cblas.h not found (Debian/Ubuntu: apt-get install libopenblas-dev); the engine will use tfjs kernels', false);
}

const bundledGyp = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp || (existsSync(bundledGyp) ? bundledGyp : undefined);
if (!gyp) done('not built: node-gyp not found', false);

// Offline machines cannot download Node's headers: point node-gyp at the ones installed with Node.
const args = [gyp, 'rebuild', '--directory', nativeDir];
const localHeaders = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(localHeaders, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${localHeaders}`);

const result = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: 'utf8' });
const built = join(nativeDir, 'build', 'Release', 'grasp_blas.node');
if (result.status !== 0 || !existsSync(built)) {
  const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').filter((line) => /error|ERR!/i.test(line)).slice(-6).join('\n');
  rmSync(join(nativeDir, 'build'), { recursive: true, force: true });
  done(`build failed; the engine will use tfjs kernels\n${tail}`, false);
}
// Check it loads (libopenblas present at run time, right ABI) before declaring success.
const check = spawnSync(process.execPath, ['-e', `const k = require(${JSON.stringify(built)}); console.log(k.info().blas)`], { encoding: 'utf8' });
if (check.status !== 0) {
  rmSync(join(nativeDir, 'build'), { recursive: true, force: true });
  done(`built but does not load; the engine will use tfjs kernels\n${check.stderr.split('\n')[0]}`, false);
}
done(`built ${built} (${check.stdout.trim()})`, true);
