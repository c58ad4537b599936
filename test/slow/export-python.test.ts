// The way out to Python, end to end: a GRASP run exported with `grasp export`, then the README's
// five-line snippet run by python3 with numpy (Debian's python3-numpy; .ci/run installs it) in the
// folder above the export. What Python reads must be what GRASP holds: the vectors bit for bit, the ids,
// the neighbours, and the test MRR recomputed from the ranks. Skipped, saying why, only when no
// python3 with numpy is on this machine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../src/core/data/load';
import { initEngine } from '../../src/core/engine/backend';
import { parseNpy } from '../../src/core/export/npy';
import { silentContext } from '../../src/core/util/jobContext';
import { trainJob } from '../../src/core/jobs/train';
import { ensureBuilt } from '../unit/worker/harness';
import { demoWorkspace, sasrecConfig } from '../unit/train/fixtures';

const ROOT = join(__dirname, '..', '..');
const GRASP = join(ROOT, 'bin', 'grasp.js');

/** Debian's python3 first (python3-numpy installs there), then whichever python3 is on PATH. */
function pythonWithNumpy(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/** The README's snippet: the first ```python block of the "grasp export" part. */
function readmeSnippet(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /```python\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('grasp export')));
  assert.ok(match, 'README.md has a python snippet after "grasp export"');
  return match[1];
}

test('the README snippet loads a run exported by `grasp export` with numpy alone', async (t) => {
  const python = pythonWithNumpy();
  if (!python) {
    t.skip('python3 with numpy is not installed here (Debian: apt-get install -y python3-numpy)');
    return;
  }
  const snippet = readmeSnippet();
  assert.equal(snippet.trimEnd().split('\n').length, 5, 'five lines');
  assert.doesNotMatch(snippet, /^\s*(import|from)\s+(?!numpy)/m, 'numpy only');

  ensureBuilt();
  await initEngine({});
  const { dir, data } = await demoWorkspace(150, 50, 9);
  const run = join(dir, 'run');
  const result = await trainJob(
    {
      config: {
        ...sasrecConfig(data, { epochs: 2 }),
        variant: 'grasp',
        grasp: { dims: 8, width: 16, kItems: 4, kUsers: 3 },
      },
      outDir: run,
    },
    silentContext,
  );
  const work = join(dir, 'python');
  mkdirSync(work);
  const exported = spawnSync(process.execPath, [GRASP, 'export', run, '--out', join(work, 'export'), '--json'], { encoding: 'utf8' });
  assert.equal(exported.status, 0, exported.stderr);

  const check = [
    'import json',
    'test = ranks[ranks["split"] == "test"]',
    'print(json.dumps({"shape": list(X.shape), "dtype": str(X.dtype), "first": [float(v) for v in X[0]], "ids": [str(i) for i in ids], "nb": nb[:4].tolist(), "mrr": float((1.0 / test["rank"]).mean()), "users": int(len(test))}))',
  ].join('\n');
  writeFileSync(join(work, 'load.py'), `${snippet}\n${check}\n`);
  const ran = spawnSync(python, ['load.py'], { cwd: work, encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
  const seen = JSON.parse(ran.stdout) as { shape: number[]; dtype: string; first: number[]; ids: string[]; nb: number[][]; mrr: number; users: number };

  const dataset = await loadDataset(data);
  const vectors = parseNpy(readFileSync(join(work, 'export', 'items.npy')));
  assert.deepEqual(seen.shape, [dataset.itemIds.length, 8]);
  assert.equal(seen.dtype, 'float32');
  assert.deepEqual(seen.first, Array.from(vectors.data.subarray(0, 8)), 'numpy reads the floats GRASP wrote, bit for bit');
  assert.deepEqual(seen.ids, dataset.itemIds);
  const tsv = readFileSync(join(work, 'export', 'items.neighbours.tsv'), 'utf8')
    .split('\n')
    .slice(1, 5)
    .map((line) =>
      line
        .split('\t')
        .filter((_, i) => i === 0 || i === 2 || i === 3)
        .map(Number),
    );
  for (let i = 0; i < 4; i++) {
    assert.deepEqual(seen.nb[i].slice(0, 2), tsv[i].slice(0, 2));
    assert.ok(Math.abs(seen.nb[i][2] - tsv[i][2]) < 1e-6);
  }
  assert.equal(seen.users, result.metrics.test.users);
  assert.ok(Math.abs(seen.mrr - result.metrics.test.full.MRR) < 1e-9, `MRR from the exported ranks ${seen.mrr} = the run's ${result.metrics.test.full.MRR}`);
});
