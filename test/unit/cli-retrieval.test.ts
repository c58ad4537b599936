// The stage commands end to end on a small demo world (offline providers only). They run in this
// process through the CLI's main(), to keep the unit suite fast; cli.test.ts covers bin/grasp.js itself.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { main } from '../../src/cli/main';
import { tempFolder } from './helpers';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

async function graspAsync(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  // The CLI writes strings; the test runner reports to its parent through stdout in binary: let that pass.
  const capture = (into: string[], original: typeof process.stdout.write) =>
    ((chunk: unknown, ...rest: unknown[]) =>
      typeof chunk === 'string'
        ? into.push(chunk) > 0
        : (original as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest)) as typeof process.stdout.write;
  process.stdout.write = capture(out, write.out);
  process.stderr.write = capture(err, write.err);
  try {
    const status = await main(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

let data: string;
let cache: string;
let demo: Run;

before(async () => {
  process.env.ANTHROPIC_API_KEY = ''; // the offline provider, whatever the developer's environment holds
  data = tempFolder();
  cache = tempFolder();
  demo = await graspAsync('demo', '--out', data, '--users', '150', '--items', '60', '--seed', '2', '--json');
  assert.equal(demo.status, 0, demo.stderr);
});

test('synthesize → embed → index → neighbours, for items and users', async () => {
  for (const entity of ['items', 'users']) {
    const synthesis = await graspAsync('synthesize', data, '--entity', entity, '--cache-dir', cache, '--json');
    assert.equal(synthesis.status, 0, synthesis.stderr);
    const result = JSON.parse(synthesis.stdout);
    assert.equal(result.provider, 'metadata', 'no key: the offline provider');
    assert.equal(result.counts.failed, 0);
    const embedding = await graspAsync('embed', data, '--entity', entity, '--cache-dir', cache, '--width', '16', '--pca', '8', '--json');
    assert.equal(embedding.status, 0, embedding.stderr);
    const embedded = JSON.parse(embedding.stdout);
    assert.equal(embedded.manifest.vectors.dim, 16);
    assert.equal(embedded.manifest.reduced.dim, 8);
    assert.equal(embedded.manifest.texts.fallback, 0);
    const index = await graspAsync('index', data, '--entity', entity, '--cache-dir', cache, '--method', 'hnsw', '--k', '5', '--json');
    assert.equal(index.status, 0, index.stderr);
    const built = JSON.parse(index.stdout);
    assert.equal(built.manifest.method, 'hnsw');
    assert.ok(existsSync(join(built.manifestPath, '..', built.manifest.file)));
    assert.ok(built.manifest.recall.value >= 0.9);
  }
  const items = await graspAsync('neighbours', data, '--item', 'i1', '--k', '3', '--cache-dir', cache, '--json');
  assert.equal(items.status, 0, items.stderr);
  const result = JSON.parse(items.stdout);
  assert.equal(result.neighbours.length, 3);
  assert.ok(result.neighbours.every((n: { id: string }) => n.id !== 'i1'));
  // More than the stored table holds: answered by searching the index.
  const more = await graspAsync('neighbours', data, '--user', 'u1', '--k', '8', '--cache-dir', cache);
  assert.equal(more.status, 0, more.stderr);
  assert.equal(more.stdout.split('\n').filter((line) => /^\s+\d+\. /.test(line)).length, 8);
  // A new embedding makes the old index stale: refused until it is rebuilt.
  assert.equal((await graspAsync('embed', data, '--entity', 'items', '--cache-dir', cache, '--width', '12')).status, 0);
  const stale = await graspAsync('neighbours', data, '--item', 'i1', '--cache-dir', cache);
  assert.equal(stale.status, 1);
  assert.match(stale.stderr, /older embedding: run `grasp index` again/);
});

test('stage commands: usage errors exit 2, missing artefacts exit 1 with a hint', async () => {
  assert.equal((await graspAsync('synthesize', data)).status, 2, '--entity is required');
  assert.equal((await graspAsync('neighbours', data, '--item', 'i1', '--user', 'u1')).status, 2);
  const missing = await graspAsync('neighbours', data, '--item', 'i1', '--cache-dir', tempFolder());
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /grasp index/);
  const keyless = await graspAsync('synthesize', data, '--entity', 'items', '--provider', 'anthropic', '--cache-dir', cache);
  assert.equal(keyless.status, 1);
  assert.match(keyless.stderr, /ANTHROPIC_API_KEY/);
});

test('grasp templates writes editable copies of the built-in templates', async () => {
  const out = tempFolder();
  const run = await graspAsync('templates', '--out', out);
  assert.equal(run.status, 0, run.stderr);
  assert.match(readFileSync(join(out, 'item.prompt.md'), 'utf8'), /^---\nname: item-description\nentity: item\nversion: 1/);
  assert.match((await graspAsync('templates', '--out', out)).stdout, /kept/);
});

test('grasp demo also synthesises, embeds, indexes and prints neighbours', () => {
  const result = JSON.parse(demo.stdout);
  assert.equal(result.retrieval.synthesized.items, 60);
  assert.equal(result.retrieval.examples.length, 3);
  assert.ok(result.retrieval.examples.every((example: { neighbours: unknown[] }) => example.neighbours.length === 5));
  assert.ok(existsSync(join(data, '.grasp', 'datasets')));
});
