// The import-cycle check (scripts/check-cycles.mjs, run by `npm run lint`) on made-up sources and graphs:
// which import forms it reads, how it resolves them, and the cycles it reports (type-only ones included).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findCycles, graphFromSources, importsOf, resolveImport } from '../../../scripts/check-cycles.mjs';

const graph = (edges) => new Map(Object.entries(edges));

describe('import cycle check', () => {
  test('reads every form of relative import, type-only and dynamic ones included, and skips packages', () => {
    const source = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      'import {',
      '  c,',
      '  type C,',
      "} from './c/index';",
      "export * from './d';",
      "export { e, type E } from './e';",
      "import './side-effect';",
      "const f = await import('./f');",
      "import { join } from 'node:path';",
      "import ts from 'typescript';",
    ].join('\n');
    assert.deepEqual(importsOf(source), ['./a', '../b', './c/index', './d', './e', './side-effect', './f']);
  });

  test('resolves a specifier to a file, its .ts, or its folder’s index.ts, and ignores what is not ours', () => {
    const files = new Set(['src/core/util/x.ts', 'src/core/jobs/index.ts', 'webview/runs/live.ts']);
    assert.equal(resolveImport('src/core/jobs/a.ts', '../util/x', files), 'src/core/util/x.ts');
    assert.equal(resolveImport('src/worker/jobs.ts', '../core/jobs', files), 'src/core/jobs/index.ts');
    assert.equal(resolveImport('src/extension/runPanels.ts', '../../webview/runs/live', files), 'webview/runs/live.ts');
    assert.equal(resolveImport('src/core/jobs/a.ts', './missing', files), undefined);
  });

  test('a layered graph has no cycles', () => {
    assert.deepEqual(findCycles(graph({ jobs: ['train', 'data', 'util'], train: ['data', 'util'], data: ['util'], util: [] })), []);
  });

  test('a two-file circle is reported, with the file it starts from repeated at the end', () => {
    const cycles = findCycles(
      graph({ 'engine/backend.ts': ['engine/state.ts', 'engine/tf.ts'], 'engine/state.ts': ['engine/backend.ts'], 'engine/tf.ts': [] }),
    );
    assert.deepEqual(cycles, [['engine/backend.ts', 'engine/state.ts', 'engine/backend.ts']]);
  });

  test('a long way round is one cycle per tangle, along a shortest path', () => {
    const cycles = findCycles(
      graph({
        'a.ts': ['b.ts'],
        'b.ts': ['c.ts', 'x.ts'],
        'c.ts': ['d.ts'],
        'd.ts': ['a.ts', 'b.ts'],
        'x.ts': ['y.ts'],
        'y.ts': ['x.ts'],
      }),
    );
    assert.equal(cycles.length, 2);
    assert.deepEqual(
      cycles.find((cycle) => cycle[0] === 'a.ts'),
      ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'a.ts'],
    );
    assert.deepEqual(
      cycles.find((cycle) => cycle[0] === 'x.ts'),
      ['x.ts', 'y.ts', 'x.ts'],
    );
  });

  test('a file importing itself is a cycle; an import of a file outside the graph is not', () => {
    assert.deepEqual(findCycles(graph({ 'a.ts': ['a.ts'] })), [['a.ts', 'a.ts']]);
    assert.deepEqual(findCycles(graph({ 'a.ts': ['elsewhere.ts'] })), []);
  });

  test('a type-only circle between sources counts like any other', () => {
    const sources = {
      'src/core/jobs/inspect.ts': "import { attentionFor } from './inspectSources';\nexport interface InspectJobParams { id: string }",
      'src/core/jobs/inspectSources.ts': "import type { InspectJobParams } from './inspect';\nexport function attentionFor(p: InspectJobParams) {}",
      'src/core/util/jobContext.ts': 'export class CancelledError extends Error {}',
    };
    assert.deepEqual(findCycles(graphFromSources(sources)), [['src/core/jobs/inspect.ts', 'src/core/jobs/inspectSources.ts', 'src/core/jobs/inspect.ts']]);
    const broken = {
      ...sources,
      'src/core/jobs/inspectSources.ts': 'export interface InspectJobParams { id: string }\nexport function attentionFor(p: InspectJobParams) {}',
    };
    assert.deepEqual(findCycles(graphFromSources(broken)), []);
  });
});
