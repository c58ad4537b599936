// The host bundle check (scripts/check-host-bundle.mjs) on made-up esbuild metafiles: what it lets through,
// what it refuses and how it names the import chain, the byte budget, and a metafile it cannot read.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HOST_BUNDLE_RULES, forbiddenReason, hostBundleProblems, packageOf } from '../../../scripts/check-host-bundle.mjs';

const ENTRY = 'src/extension/extension.ts';

/** A metafile of one output, dist/extension.js, built from `graph` (each input → what it imports). */
function metafile(graph, { bytes = 1000, external = [], shaken = [] } = {}) {
  const inputs = Object.fromEntries(
    Object.entries(graph).map(([input, imports]) => [
      input,
      {
        bytes: 100,
        imports: [...imports.map((path) => ({ path, kind: 'import-statement' })), ...external.map((path) => ({ path, kind: 'require-call', external: true }))],
      },
    ]),
  );
  // `shaken`: inputs esbuild read but left no code of (a module used for its types or re-exports only).
  const bundled = Object.fromEntries(
    Object.keys(graph)
      .filter((input) => !shaken.includes(input))
      .map((input, i) => [input, { bytesInOutput: 10 * (i + 1) }]),
  );
  return { inputs, outputs: { 'dist/extension.js': { bytes, entryPoint: ENTRY, inputs: bundled }, 'dist/extension.js.map': { bytes: 5, inputs: {} } } };
}

describe('host bundle check', () => {
  test('a host that reaches core through the worker protocol and the allowed helpers passes', () => {
    const clean = metafile(
      {
        [ENTRY]: ['src/extension/runPanels.ts', 'src/worker/client.ts'],
        'src/extension/runPanels.ts': ['src/core/eval/report.ts', 'src/core/util/atomicWrite.ts', 'webview/runs/live.ts'],
        'src/core/eval/report.ts': [],
        'src/core/util/atomicWrite.ts': [],
        'webview/runs/live.ts': [],
        'src/worker/client.ts': ['src/worker/protocol.ts', 'node_modules/vscode-jsonrpc/lib/node/main.js'],
        'src/worker/protocol.ts': [],
        'node_modules/vscode-jsonrpc/lib/node/main.js': [],
      },
      { external: ['vscode'] },
    );
    assert.deepEqual(hostBundleProblems(clean), []);
  });

  test('a core import names the chain from the entry, and stops there: what it pulls in is not listed again', () => {
    // The regression this check came with: the review panel appended annotations through the core.
    const pulled = metafile({
      [ENTRY]: ['src/extension/reviewPanel.ts'],
      'src/extension/reviewPanel.ts': ['src/core/hallucination/annotations.ts'],
      'src/core/hallucination/annotations.ts': ['src/core/hallucination/detect.ts'],
      'src/core/hallucination/detect.ts': ['src/core/llm/schema.ts'],
      'src/core/llm/schema.ts': ['node_modules/ajv/dist/ajv.js'],
      'node_modules/ajv/dist/ajv.js': [],
    });
    const problems = hostBundleProblems(pulled);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^dist\/extension\.js bundles src\/core\/hallucination\/annotations\.ts \(core code reaches the host through a worker job/);
    assert.match(problems[0], /src\/extension\/extension\.ts\n {4}→ src\/extension\/reviewPanel\.ts\n {4}→ src\/core\/hallucination\/annotations\.ts$/);
  });

  test('a forbidden package is reported with the package, why, and the chain through an allowed module', () => {
    const pulled = metafile({
      [ENTRY]: ['src/extension/settings.ts'],
      'src/extension/settings.ts': ['node_modules/@tensorflow/tfjs-core/dist/index.js', 'node_modules/jsonc-parser/lib/esm/main.js'],
      'node_modules/@tensorflow/tfjs-core/dist/index.js': [],
      'node_modules/jsonc-parser/lib/esm/main.js': [],
    });
    const problems = hostBundleProblems(pulled);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /bundles node_modules\/@tensorflow\/tfjs-core\/dist\/index\.js \(@tensorflow\/tfjs-core: the engine runs in the worker\)/);
    assert.match(problems[0], /→ src\/extension\/settings\.ts\n {4}→ node_modules\/@tensorflow\/tfjs-core/);
  });

  test('the worker’s job table and the CLI are refused; its client and protocol are not', () => {
    assert.match(forbiddenReason('src/worker/jobs.ts'), /job table/);
    assert.match(forbiddenReason('src/cli/main.ts'), /CLI/);
    assert.equal(forbiddenReason('src/worker/protocol.ts'), undefined);
    assert.equal(forbiddenReason('src/core/util/jobContext.ts'), undefined);
    assert.match(forbiddenReason('src/core/jobs/train.ts'), /worker job/);
    assert.match(forbiddenReason('node_modules/.pnpm/node_modules/ajv/dist/core.js'), /^ajv: /);
    assert.equal(forbiddenReason('node_modules/vscode-jsonrpc/lib/common/api.js'), undefined);
    assert.deepEqual(
      [packageOf('node_modules/@anthropic-ai/sdk/index.js'), packageOf('node_modules/openai/index.mjs'), packageOf('src/core/x.ts')],
      ['@anthropic-ai/sdk', 'openai', undefined],
    );
  });

  test('modules tree-shaken out are links of the chain, not findings: what they pull in is', () => {
    const throughShaken = metafile(
      {
        [ENTRY]: ['src/extension/reviewPanel.ts'],
        'src/extension/reviewPanel.ts': ['src/core/hallucination/annotations.ts'],
        'src/core/hallucination/annotations.ts': ['src/core/llm/schema.ts'],
        'src/core/llm/schema.ts': ['node_modules/ajv/dist/ajv.js'],
        'node_modules/ajv/dist/ajv.js': [],
      },
      { shaken: ['src/core/hallucination/annotations.ts'] },
    );
    const problems = hostBundleProblems(throughShaken);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0],
      /bundles src\/core\/llm\/schema\.ts .*\n {4}src\/extension\/extension\.ts\n {4}→ src\/extension\/reviewPanel\.ts\n {4}→ src\/core\/hallucination\/annotations\.ts\n {4}→ src\/core\/llm\/schema\.ts$/,
    );
  });

  test('an input the walk does not reach is still checked', () => {
    const unreached = metafile({ [ENTRY]: [], 'node_modules/hnswlib-node/lib/index.js': [] });
    assert.deepEqual(hostBundleProblems(unreached), [
      'dist/extension.js bundles node_modules/hnswlib-node/lib/index.js (hnswlib-node: the neighbour index runs in the worker), imported through:\n    node_modules/hnswlib-node/lib/index.js',
    ]);
  });

  test('a bundle over its byte budget is refused with its largest inputs', () => {
    const big = metafile(
      { [ENTRY]: ['src/extension/a.ts', 'src/extension/b.ts'], 'src/extension/a.ts': [], 'src/extension/b.ts': [] },
      { bytes: HOST_BUNDLE_RULES.maxBytes + 1 },
    );
    const problems = hostBundleProblems(big);
    assert.equal(problems.length, 1);
    assert.match(problems[0], new RegExp(`is ${HOST_BUNDLE_RULES.maxBytes + 1} bytes, over its budget of ${HOST_BUNDLE_RULES.maxBytes}`));
    assert.match(problems[0], /largest inputs: src\/extension\/b\.ts \(30 B\), src\/extension\/a\.ts \(20 B\), src\/extension\/extension\.ts \(10 B\)$/);
    assert.deepEqual(hostBundleProblems(big, { ...HOST_BUNDLE_RULES, maxBytes: HOST_BUNDLE_RULES.maxBytes + 1 }), [], 'at the budget exactly: fine');
  });

  test('what is not a metafile of the host bundle is a clear error, not a pass', () => {
    assert.throws(() => hostBundleProblems(undefined), /expected an esbuild metafile/);
    assert.throws(
      () => hostBundleProblems({ inputs: {}, outputs: { 'dist/worker.js': { bytes: 1, entryPoint: 'src/worker/main.ts', inputs: {} } } }),
      /has no output dist\/extension\.js \(it has: dist\/worker\.js\)/,
    );
    assert.throws(() => hostBundleProblems({ inputs: {}, outputs: { 'dist/extension.js': { bytes: 1, inputs: {} } } }), /no entry point/);
  });
});
