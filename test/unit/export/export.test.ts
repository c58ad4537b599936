// `grasp export`: the .npy writer against numpy's format, a dataset's cached text side and a run's text
// side and results as files (checked against what GRASP holds in memory), the output-folder rules, and
// untrusted ids and texts kept to one field of one line. The Python side (the README's snippet run by
// python3 with numpy) is test/slow/export-python.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cachePaths } from '../../../src/core/data/cachePaths';
import { loadDataset } from '../../../src/core/data/load';
import { leaveOneOut } from '../../../src/core/data/split';
import { readEmbedding } from '../../../src/core/embed/store';
import { initEngine } from '../../../src/core/engine/backend';
import { csvField, exportJob, tsvField } from '../../../src/core/jobs/export';
import { npyBytes, parseNpy } from '../../../src/core/export/npy';
import { silentContext } from '../../../src/core/util/jobContext';
import { demoJob } from '../../../src/core/jobs/demo';
import { validateConfig } from '../../../src/core/train/config';
import { trainJob } from '../../../src/core/jobs/train';
import { buildTextArtifacts } from '../../../src/core/train/textArtifacts';
import { tempFolder } from '../helpers';
import { ensureBuilt } from '../worker/harness';

const GRASP = join(__dirname, '..', '..', '..', 'bin', 'grasp.js');

let workspace: string;
let data: string;

before(async () => {
  workspace = tempFolder();
  mkdirSync(join(workspace, '.git'));
  // the demo with its retrieval stage: metadata descriptions, LSA embeddings and indexes in the cache
  data = (await demoJob({ outDir: join(workspace, 'demo'), users: 120, items: 40, seed: 5 }, silentContext)).dir;
});

const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n');

test('.npy: the header numpy writes (magic, version 1.0, dict padded to 64 bytes), little-endian float32 after it', () => {
  const data = Float32Array.from([1.5, -2, 3.25, 0, 1e-7, -1e30]);
  const bytes = npyBytes(data, [2, 3]);
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const headerLength = bytes[8] + 256 * bytes[9];
  assert.equal((10 + headerLength) % 64, 0, 'the data starts on a 64-byte boundary');
  const header = Buffer.from(bytes.subarray(10, 10 + headerLength)).toString('latin1');
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
  assert.equal(bytes.length, 10 + headerLength + 24);
  assert.equal(Buffer.from(bytes).readFloatLE(10 + headerLength + 4), -2);
  assert.deepEqual(parseNpy(bytes), { shape: [2, 3], data });
  assert.match(Buffer.from(npyBytes(Float32Array.of(1, 2), [2])).toString('latin1'), /'shape': \(2,\), \}/, 'a 1-tuple keeps its comma');
  assert.throws(() => npyBytes(data, [4, 2]), /holds 8 values, the array 6/);
});

test('untrusted ids and texts stay one field of one line', () => {
  assert.equal(tsvField('a\tb\nc\r\u0000d\u2028e'), 'a b c d e');
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"\n'), '"say ""hi"""');
});

test('a dataset: its cached embeddings as .npy with id maps, its neighbour tables as TSV, its descriptions as RecBole atomic files', async () => {
  const result = await exportJob({ target: data }, silentContext);
  const paths = cachePaths(data);
  assert.equal(result.kind, 'dataset');
  assert.equal(result.out, join(paths.root, 'exports', paths.dataset.split('/').pop()!));
  const names = result.files.map((file) => file.file).sort();
  for (const name of [
    'items.lsa.npy',
    'items.lsa.pca.npy',
    'items.lsa.ids.tsv',
    'items.lsa.neighbours.tsv',
    'users.lsa.npy',
    'users.lsa.neighbours.tsv',
    'demo.item',
    'demo.user',
  ])
    assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
  assert.deepEqual(readdirSync(result.out).sort(), [...names, 'export.json'].sort());

  const stored = await readEmbedding(join(paths.dataset, 'embeddings', 'items.lsa.json'));
  const vectors = parseNpy(readFileSync(join(result.out, 'items.lsa.npy')));
  assert.deepEqual(vectors.shape, [stored.manifest.count, stored.manifest.vectors.dim]);
  assert.deepEqual(vectors.data, stored.vectors, 'the very vectors GRASP stores');
  assert.deepEqual(parseNpy(readFileSync(join(result.out, 'items.lsa.pca.npy'))).data, stored.reduced);
  const ids = lines(join(result.out, 'items.lsa.ids.tsv'));
  assert.equal(ids[0], 'row\titem_id');
  assert.deepEqual(
    ids.slice(1),
    stored.manifest.ids.map((id, row) => `${row}\t${id}`),
  );

  const neighbours = lines(join(result.out, 'items.lsa.neighbours.tsv'));
  assert.equal(neighbours[0], 'row\trank\tneighbour_row\tsimilarity\titem_id\tneighbour_id');
  const [row, rank, neighbour, similarity, id, neighbourId] = neighbours[1].split('\t');
  assert.deepEqual([row, rank], ['0', '1']);
  assert.equal(id, stored.manifest.ids[0]);
  assert.equal(neighbourId, stored.manifest.ids[Number(neighbour)]);
  assert.ok(Number(similarity) <= 1.0001 && Number(neighbour) !== 0);

  const item = lines(join(result.out, 'demo.item'));
  assert.equal(item[0], 'item_id:token\tdescription:token_seq\tcategory:token\tbrand:token\tprice_tier:token\tsource:token');
  assert.equal(item.length, 41);
  assert.ok(item.slice(1).every((line) => line.split('\t').length === 6));
  assert.ok(item[1].endsWith('\tmetadata/metadata-planted-v1'));
  const user = lines(join(result.out, 'demo.user'));
  assert.equal(user[0], 'user_id:token\tprofile:token_seq\tinterests:token_seq\tprice_tier:token\tsource:token');
  assert.equal(user.length, 121);

  // exporting again into the same folder replaces the files; a folder holding anything else is refused untouched
  const again = await exportJob({ target: data }, silentContext);
  assert.equal(again.files.length, result.files.length);
  const foreign = tempFolder({ 'notes.txt': 'mine' });
  await assert.rejects(exportJob({ target: data, out: foreign }, silentContext), /holds files that are not a GRASP export \(notes\.txt\)/);
  assert.deepEqual(readdirSync(foreign), ['notes.txt']);
  writeFileSync(join(result.out, 'extra.csv'), 'x');
  await assert.rejects(exportJob({ target: data }, silentContext), /holds files this export did not write \(extra\.csv\)/);
});

test('a run: the vectors and neighbours the model read, the descriptions, and per-user ranks and metrics as CSV', async () => {
  await initEngine({});
  const config = {
    data: { path: data },
    model: { kind: 'sasrec', d: 16, layers: 1, maxLen: 8 },
    train: { epochs: 2, batchSize: 32, seeds: [1, 2] },
    eval: { sampled: 20 },
    variant: 'grasp',
    grasp: { dims: 8, width: 16, kItems: 4, kUsers: 3 },
  };
  const run = join(workspace, 'run');
  const result = await trainJob({ config, outDir: run }, silentContext);
  const exported = await exportJob({ target: run, out: join(workspace, 'export-run') }, silentContext);
  assert.equal(exported.kind, 'run');

  const dataset = await loadDataset(data);
  const split = leaveOneOut(dataset.sequences);
  const artifacts = await buildTextArtifacts(
    dataset,
    split,
    validateConfig(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')), 'config.json'),
    silentContext,
  );
  const items = parseNpy(readFileSync(join(exported.out, 'items.npy')));
  assert.deepEqual(items.shape, [dataset.itemIds.length, 8]);
  assert.deepEqual(items.data, artifacts.items.vectors, 'the vectors the model read');
  assert.deepEqual(parseNpy(readFileSync(join(exported.out, 'users.npy'))).shape, [dataset.userIds.length, 8]);
  assert.equal(parseNpy(readFileSync(join(exported.out, 'items.raw.npy'))).shape[1], 16, 'the LSA output before PCA');
  const neighbours = lines(join(exported.out, 'items.neighbours.tsv'))
    .slice(1)
    .map((line) => line.split('\t'));
  const firstRow = neighbours.filter((fields) => fields[0] === '0').map((fields) => Number(fields[2]));
  assert.deepEqual(
    firstRow,
    Array.from(artifacts.items.neighbours.subarray(0, 4)).filter((label) => label >= 0),
    'the K neighbours the model attended over',
  );

  const ranks = lines(join(exported.out, 'ranks.csv'));
  assert.equal(ranks[0], 'seed,split,user_row,rank,user_id');
  const stored = JSON.parse(readFileSync(join(run, 'seed-2', 'ranks.json'), 'utf8')) as { users: number[]; ranks: number[] };
  const test2 = ranks
    .slice(1)
    .filter((line) => line.startsWith('2,test,'))
    .map((line) => line.split(','));
  assert.equal(test2.length, stored.users.length);
  assert.deepEqual(test2[0], ['2', 'test', String(stored.users[0]), String(stored.ranks[0] + 1), dataset.userIds[stored.users[0]]]);
  assert.ok(ranks.some((line) => line.startsWith('1,valid,')));
  const metrics = lines(join(exported.out, 'metrics.csv'));
  assert.equal(metrics[0], 'seed,split,protocol,metric,value');
  const seed1 = JSON.parse(readFileSync(join(result.seeds!.runs[0], 'metrics.json'), 'utf8'));
  assert.ok(metrics.includes(`1,test,full,NDCG@10,${seed1.metrics.test.full['NDCG@10']}`));
  assert.ok(
    metrics.some((line) => line.startsWith('2,test,sampled100_uniform,HR@10,')),
    'sampled metrics are labelled as such',
  );
  assert.ok(metrics.some((line) => line.startsWith('1,valid,tail_users,')));
  assert.ok(exported.files.some((file) => file.file === 'demo.item'));

  // a plain run has no text side: its ranks and metrics, and a note
  const plain = join(workspace, 'plain');
  await trainJob({ config: { ...config, variant: 'plain', train: { epochs: 1, batchSize: 32 } }, outDir: plain }, silentContext);
  const plainExport = await exportJob({ target: plain, out: join(workspace, 'export-plain') }, silentContext);
  assert.deepEqual(plainExport.files.map((file) => file.file).sort(), ['metrics.csv', 'ranks.csv', 'users.ids.tsv']);
  assert.match(plainExport.notes[0], /a plain run has no text side/);
  await assert.rejects(exportJob({ target: plain, cacheDir: workspace }, silentContext), /is a run folder: its caches are where its config says/);
});

test('grasp export on the command line: one JSON object with --json; a damaged ranks file is named and nothing is written', async () => {
  ensureBuilt();
  const out = join(tempFolder(), 'out');
  const run = spawnSync(process.execPath, [GRASP, 'export', data, '--out', out, '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.kind, 'dataset');
  assert.ok(result.files.some((file: { file: string; shape?: number[] }) => file.file === 'items.lsa.npy' && file.shape?.length === 2));

  await initEngine({});
  const broken = join(workspace, 'broken-run');
  await trainJob(
    {
      config: { data: { path: data }, model: { kind: 'sasrec', d: 8, layers: 1, maxLen: 6 }, train: { epochs: 1, batchSize: 32 }, eval: { sampled: 0 } },
      outDir: broken,
    },
    silentContext,
  );
  writeFileSync(join(broken, 'ranks.json'), JSON.stringify({ users: [0, 1], ranks: [3] }));
  const target = join(tempFolder(), 'never');
  const failed = spawnSync(process.execPath, [GRASP, 'export', broken, '--out', target], { encoding: 'utf8' });
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /ranks\.json: users and ranks must be lists of the same length/);
  assert.equal(readdirSync(join(target, '..')).includes('never'), false, 'nothing written');
});
