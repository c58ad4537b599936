// Builds a platform-specific VSIX (`npm run package [-- --target linux-x64]`). hnswlib-node is a
// native addon, so like vscode-jupyter's native modules it is staged per platform: its runtime files
// are copied into dist/node_modules, where the bundles' require('hnswlib-node') finds them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const targetFlag = args.indexOf('--target');
const target = targetFlag >= 0 ? args[targetFlag + 1] : `${process.platform}-${process.arch}`;
const outFlag = args.indexOf('--out');
const out = outFlag >= 0 ? args[outFlag + 1] : join(root, `grasp-lab-${target}.vsix`);

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, [join(root, 'scripts/build.mjs')]);

const staged = join(root, 'dist', 'node_modules');
rmSync(staged, { recursive: true, force: true });
const runtimeFiles = {
  'hnswlib-node': ['package.json', 'lib', 'build/Release/addon.node', 'LICENSE.txt'],
  bindings: ['package.json', 'bindings.js', 'LICENSE.md'],
  'file-uri-to-path': ['package.json', 'index.js', 'LICENSE'],
};
for (const [name, files] of Object.entries(runtimeFiles)) {
  for (const file of files) {
    const destination = join(staged, name, file);
    mkdirSync(dirname(destination), { recursive: true });
    cpSync(join(root, 'node_modules', name, file), destination, { recursive: true });
  }
}

const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
run(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--target', target, '--out', out]);
console.error(`packaged ${out} (${target})`);
