// Keeps the extension host bundle (dist/extension.js) light: the host only drives workers and webviews, so
// the core's heavy modules (the hallucination detector, TF-IDF, TensorFlow.js, hnswlib, ajv, the LLM SDKs)
// must reach it through a worker job, never an import. Run by scripts/build.mjs on esbuild's metafile; the
// build fails with the import chain that pulled an offending module in.

/** @typedef {{ bytes: number, imports: Array<{ path: string, kind: string, external?: boolean }> }} MetaInput */
/** @typedef {{ bytes: number, entryPoint?: string, inputs: Record<string, { bytesInOutput: number }> }} MetaOutput */
/** @typedef {{ inputs: Record<string, MetaInput>, outputs: Record<string, MetaOutput> }} Metafile */

export const HOST_BUNDLE_RULES = {
  output: 'dist/extension.js',
  // vscode-jsonrpc and jsonc-parser are most of the bundle; the budget leaves room for the host's own
  // growth, none for a dependency tree. Raise it here when growth is meant.
  maxBytes: 340_000,
  /** Packages that belong in the worker, with why: a name, or `@scope/*` for a whole scope. */
  forbiddenPackages: {
    ajv: 'the schema validators run in the worker (run configs, LLM output)',
    '@tensorflow/*': 'the engine runs in the worker',
    'hnswlib-node': 'the neighbour index runs in the worker',
    openai: 'LLM and embedding calls run in the worker',
    '@anthropic-ai/sdk': 'LLM calls run in the worker',
    commander: 'the CLI’s argument parser',
  },
  /** Layers the host may not import from, except the listed files, with why. */
  restrictedFolders: [
    {
      folder: 'src/core/',
      // Small helpers with no dependencies of their own: formatting a comparison for export, an atomic file
      // write, and an event's log line.
      allowed: ['src/core/eval/report.ts', 'src/core/eval/significance.ts', 'src/core/util/atomicWrite.ts', 'src/core/util/jobContext.ts'],
      why: 'core code reaches the host through a worker job (src/worker/protocol.ts), not an import',
    },
    {
      folder: 'src/worker/',
      allowed: ['src/worker/client.ts', 'src/worker/errors.ts', 'src/worker/protocol.ts'],
      why: 'the host drives the worker through its client; the job table and the worker entry run in the worker',
    },
    { folder: 'src/cli/', allowed: [], why: 'the CLI is another entry point' },
  ],
};

/** The package a bundled path belongs to (`node_modules/@scope/name/…` → `@scope/name`), or undefined. */
export function packageOf(input) {
  const parts = input.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  return parts[at + 1].startsWith('@') ? parts.slice(at + 1, at + 3).join('/') : parts[at + 1];
}

/** Why `input` may not be in the host bundle, or undefined when it may. */
export function forbiddenReason(input, rules = HOST_BUNDLE_RULES) {
  const name = packageOf(input);
  if (name !== undefined) {
    const rule = [name, `${name.split('/')[0]}/*`].find((key) => Object.hasOwn(rules.forbiddenPackages, key));
    return rule ? `${name}: ${rules.forbiddenPackages[rule]}` : undefined;
  }
  const restricted = rules.restrictedFolders.find(({ folder }) => input.startsWith(folder));
  if (restricted && !restricted.allowed.includes(input)) return restricted.why;
  return undefined;
}

function checkedMetafile(metafile, output) {
  if (metafile === null || typeof metafile !== 'object' || typeof metafile.inputs !== 'object' || typeof metafile.outputs !== 'object') {
    throw new Error('check-host-bundle: expected an esbuild metafile ({ inputs, outputs }); build with `metafile: true`');
  }
  const out = metafile.outputs[output];
  if (!out) throw new Error(`check-host-bundle: the metafile has no output ${output} (it has: ${Object.keys(metafile.outputs).join(', ') || 'none'})`);
  if (!out.entryPoint) throw new Error(`check-host-bundle: ${output} has no entry point in the metafile`);
  return out;
}

/**
 * Every input reachable from `from` without passing through one that `stop` refuses, with the parent that
 * reached it. Inputs tree-shaken out of the bundle are walked through too: they are links of the chain.
 */
function walk(metafile, from, stop) {
  const parent = new Map([[from, undefined]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    if (stop(queue[i])) continue;
    for (const imported of metafile.inputs[queue[i]]?.imports ?? []) {
      if (imported.external || parent.has(imported.path)) continue;
      parent.set(imported.path, queue[i]);
      queue.push(imported.path);
    }
  }
  return parent;
}

/**
 * The first forbidden module on each import path from the entry point, with the chain that reached it. What
 * sits below a forbidden module is there because of it, and is not listed again.
 */
function forbiddenImports(metafile, out, rules) {
  const bundled = new Set(Object.keys(out.inputs));
  const reason = (input) => forbiddenReason(input, rules);
  // A forbidden module tree-shaken out entirely costs nothing; what it imports may still be bundled.
  const clean = walk(metafile, out.entryPoint, (input) => bundled.has(input) && reason(input));
  const found = [];
  for (const input of clean.keys()) {
    if (!bundled.has(input) || !reason(input)) continue;
    const chain = [];
    for (let at = input; at !== undefined; at = clean.get(at)) chain.unshift(at);
    found.push({ input, reason: reason(input), chain });
  }
  // A forbidden input no import reaches (the metafile does not list how it came in) is reported on its own.
  const reached = walk(metafile, out.entryPoint, () => false);
  for (const input of bundled) if (!reached.has(input) && reason(input)) found.push({ input, reason: reason(input), chain: [input] });
  return found;
}

/** Everything wrong with the host bundle in `metafile`, as sentences; empty when it keeps the rules. */
export function hostBundleProblems(metafile, rules = HOST_BUNDLE_RULES) {
  const out = checkedMetafile(metafile, rules.output);
  const problems = forbiddenImports(metafile, out, rules).map(
    ({ input, reason, chain }) => `${rules.output} bundles ${input} (${reason}), imported through:\n    ${chain.join('\n    → ')}`,
  );
  if (out.bytes > rules.maxBytes) {
    const largest = Object.entries(out.inputs)
      .sort(([, a], [, b]) => b.bytesInOutput - a.bytesInOutput)
      .slice(0, 5)
      .map(([input, { bytesInOutput }]) => `${input} (${bytesInOutput} B)`);
    problems.push(
      `${rules.output} is ${out.bytes} bytes, over its budget of ${rules.maxBytes} (scripts/check-host-bundle.mjs); the largest inputs: ${largest.join(', ')}`,
    );
  }
  return problems;
}
