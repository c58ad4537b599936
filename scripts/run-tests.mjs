// Runs one test suite with node's built-in runner. Node 20's --test takes no globs,
// so the files are collected here. TypeScript runs through the tsx loader.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const suite = process.argv[2] ?? 'unit';
const suiteDir = join(root, 'test', suite);

function collect(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return collect(full);
    return /\.test\.(ts|mjs)$/.test(entry.name) ? [relative(root, full)] : [];
  });
}

if (!existsSync(suiteDir)) {
  console.error(`no test suite at ${relative(root, suiteDir)}`);
  process.exit(1);
}
const files = collect(suiteDir).sort();
if (files.length === 0) {
  // An empty suite is not a failure (slow tests arrive with the engine), but say so plainly.
  console.log(`no ${suite} tests yet (${relative(root, suiteDir)}/*.test.ts)`);
  process.exit(0);
}
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale'], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(build.status ?? 1);
const concurrency = suite === 'unit' ? [] : ['--test-concurrency=1'];
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...concurrency, ...process.argv.slice(3), ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
