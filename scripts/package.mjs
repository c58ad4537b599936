// Builds a platform-specific VSIX (`npm run package [-- --target linux-x64]`). hnswlib-node is a
// native addon, so like vscode-jupyter's native modules it is staged per platform: its runtime files
// are copied into dist/node_modules, where the bundles' require('hnswlib-node') finds them.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
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

// The native kernels (scripts/build-native.mjs) are built for the machine that packages: a VSIX for this
// platform must carry them (without, training falls back to plain wasm, tens of times slower); one for
// another platform is packaged on that platform.
const host = `${process.platform}-${process.arch}`;
if (!existsSync(join(root, 'dist', 'native', 'grasp_blas.node'))) {
  if (target === host) {
    console.error('package: dist/native/grasp_blas.node is missing: run `npm run build:native` (it needs the C++ toolchain node-gyp uses)');
    process.exit(1);
  }
  console.error(`package: a ${target} VSIX packaged on ${host} carries no native kernels; package it on ${target}`);
} else if (target !== host) {
  rmSync(join(root, 'dist', 'native'), { recursive: true, force: true }); // this host's build would not load there
}

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
