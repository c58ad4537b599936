// Bundles each entry point with esbuild. Native modules stay external (they are
// loaded from node_modules at run time); tfjs's .wasm binaries are copied beside the bundles.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST_BUNDLE_RULES, hostBundleProblems } from './check-host-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const args = new Set(process.argv.slice(2));

const nodeEntries = {
  extension: 'src/extension/extension.ts',
  worker: 'src/worker/main.ts',
  cli: 'src/cli/main.ts',
};
const webviewEntries = Object.fromEntries(
  (existsSync(join(root, 'webview')) ? readdirSync(join(root, 'webview')) : [])
    .filter((name) => existsSync(join(root, 'webview', name, 'main.ts')))
    .map((name) => [`webview/${name}`, `webview/${name}/main.ts`]),
);

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function isStale() {
  const outputs = Object.keys(nodeEntries).map((name) => join(dist, `${name}.js`));
  if (!outputs.every(existsSync)) return true;
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  const sources = ['src', 'webview'].filter((dir) => existsSync(join(root, dir)));
  return Math.max(...sources.map((dir) => newestMtime(join(root, dir))), statSync(join(root, 'package.json')).mtimeMs) > built;
}

if (args.has('--if-stale') && !isStale()) process.exit(0);

const presentEntries = Object.fromEntries(Object.entries(nodeEntries).filter(([, file]) => existsSync(join(root, file))));
const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root };

const nodeBuild = await esbuild.build({
  ...common,
  entryPoints: presentEntries,
  outdir: dist,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Prefer ES modules: some packages' CommonJS builds are UMD wrappers with dynamic requires esbuild cannot follow (jsonc-parser).
  mainFields: ['module', 'main'],
  external: ['vscode', 'hnswlib-node', '@tensorflow/tfjs-node'],
  // What went into each bundle: the host bundle's imports are checked below.
  metafile: true,
});

if (presentEntries.extension) {
  const problems = hostBundleProblems(nodeBuild.metafile);
  if (problems.length > 0) {
    // Removed, so that a later `--if-stale` build does not take the offending bundle for up to date.
    rmSync(join(root, HOST_BUNDLE_RULES.output), { force: true });
    console.error(
      `The extension host bundle pulls in what belongs in the worker (scripts/check-host-bundle.mjs):\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
    process.exit(1);
  }
}

if (Object.keys(webviewEntries).length > 0) {
  await esbuild.build({
    ...common,
    entryPoints: webviewEntries,
    outdir: dist,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  });
}

// uPlot's layout stylesheet goes beside the webview bundles (media/common.css imports it): the webviews load
// files only, never inline styles.
const uplotCss = join(root, 'node_modules/uplot/dist/uPlot.min.css');
if (existsSync(uplotCss)) {
  mkdirSync(join(dist, 'webview'), { recursive: true });
  cpSync(uplotCss, join(dist, 'webview', 'uplot.css'));
}

const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
if (existsSync(wasmDir)) {
  mkdirSync(join(dist, 'wasm'), { recursive: true });
  for (const file of readdirSync(wasmDir).filter((name) => name.endsWith('.wasm'))) {
    cpSync(join(wasmDir, file), join(dist, 'wasm', file));
  }
}
// The native kernels (scripts/build-native.mjs) travel with the bundles; the engine falls back to
// tfjs kernels when they are absent or cannot load (another platform, another Node ABI).
const nativeAddon = join(root, 'native', 'build', 'Release', 'grasp_blas.node');
if (existsSync(nativeAddon)) {
  mkdirSync(join(dist, 'native'), { recursive: true });
  cpSync(nativeAddon, join(dist, 'native', 'grasp_blas.node'));
}
// The run-config JSON schema for VS Code (contributes.jsonValidation) comes from the same object the
// CLI validates with, so editor squiggles and `grasp train` errors cannot disagree.
const schemaModule = join(root, 'src', 'core', 'train', 'config.ts');
if (existsSync(schemaModule)) {
  const bundled = await esbuild.build({
    ...common,
    sourcemap: false,
    entryPoints: [schemaModule],
    platform: 'node',
    format: 'cjs',
    write: false,
    external: ['ajv'],
  });
  const loaded = { exports: {} };
  new Function('module', 'exports', 'require', bundled.outputFiles[0].text)(loaded, loaded.exports, createRequire(import.meta.url));
  const { RUN_CONFIG_SCHEMA } = loaded.exports;
  mkdirSync(join(dist, 'schemas'), { recursive: true });
  writeFileSync(
    join(dist, 'schemas', 'run-config.schema.json'),
    `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'GRASP Lab run configuration', ...RUN_CONFIG_SCHEMA }, null, 2)}\n`,
  );
}
console.error(`built ${Object.keys(presentEntries).concat(Object.keys(webviewEntries)).join(', ')} → dist/`);
