// Retrieval: HNSW (hnswlib-node, cosine) build time, queries/s and recall@10 against exact search,
// for Beauty's items and users (metadata synthesis + LSA embeddings, read in place from
// ../shared/data) and for 1M generated 64-d vectors. Prints JSON lines; the last one summarises:
// recall_at_10 is the lowest of the Beauty cases, build_s and queries_per_s are the 1M case's.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../src/core/data/load';
import { leaveOneOut } from '../src/core/data/split';
import { embed } from '../src/core/embed/embed';
import { readEmbedding } from '../src/core/embed/store';
import { silentContext } from '../src/core/util/jobContext';
import { synthesize } from '../src/core/llm/synthesize';
import { ExactIndex } from '../src/core/retrieval/exact';
import { DEFAULT_HNSW, HnswIndex, type HnswParams } from '../src/core/retrieval/hnsw';
import { recallAtK, sampleRows } from '../src/core/retrieval/recall';
import { Random } from '../src/core/util/random';
import { cachePaths } from '../src/core/data/cachePaths';

const BEAUTY = join(__dirname, '..', '..', 'shared', 'data', 'beauty');
const GENERATED = Number(process.env.BENCH_RETRIEVAL_N ?? 1_000_000);
/** A lighter build than the index default (200) keeps the single-threaded 1M build to a few minutes. */
const GENERATED_EF_CONSTRUCTION = Number(process.env.BENCH_RETRIEVAL_EF_CONSTRUCTION ?? 100);

interface CaseResult {
  case: string;
  count: number;
  dim: number;
  params: HnswParams;
  build_s: number;
  queries_per_s: number;
  recall_at_10: number;
  recall_queries: number;
}

async function measure(
  name: string,
  data: Float32Array,
  count: number,
  dim: number,
  params: HnswParams,
  recallQueries: number,
  sweep: number[] = [],
): Promise<CaseResult> {
  const started = performance.now();
  const index = await HnswIndex.build(data, count, dim, params);
  const buildSeconds = (performance.now() - started) / 1000;
  const queries = sampleRows(count, Math.min(count, 20_000));
  const exact = new ExactIndex(data, count, dim);
  const sample = sampleRows(count, recallQueries);
  const truth = sample.map((row) => exact.search(data.subarray(row * dim, (row + 1) * dim), 10));
  // Search breadth trades queries/s for recall: the default first, then any wider settings asked for.
  const points = [params.efSearch, ...sweep].map((ef) => {
    index.setEfSearch(ef);
    const at = performance.now();
    for (const row of queries) index.search(data.subarray(row * dim, (row + 1) * dim), 10);
    const queriesPerSecond = queries.length / ((performance.now() - at) / 1000);
    let recall = 0;
    sample.forEach((row, i) => (recall += recallAtK(index.search(data.subarray(row * dim, (row + 1) * dim), 10), truth[i], 10)));
    return { ef, queries_per_s: Math.round(queriesPerSecond), recall_at_10: +(recall / sample.length).toFixed(4) };
  });
  const result = {
    case: name,
    count,
    dim,
    params,
    build_s: +buildSeconds.toFixed(2),
    queries_per_s: points[0].queries_per_s,
    recall_at_10: points[0].recall_at_10,
    recall_queries: sample.length,
    ...(sweep.length ? { ef_sweep: points } : {}),
  };
  console.log(JSON.stringify(result));
  return result;
}

/** A Gaussian mixture: a thousand clusters of different sizes, like embeddings of a catalogue. */
function generate(count: number, dim: number, seed: number): Float32Array {
  const random = new Random(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const centres = Array.from({ length: 1000 }, () => Float32Array.from({ length: dim }, gaussian));
  const weights = Float64Array.from({ length: centres.length }, (_, i) => 1 / (i + 1));
  const data = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    const centre = centres[random.weighted(weights)];
    for (let c = 0; c < dim; c++) data[r * dim + c] = centre[c] + 0.35 * gaussian();
  }
  return data;
}

async function main(): Promise<void> {
  const results: CaseResult[] = [];
  if (existsSync(BEAUTY)) {
    const work = mkdtempSync(join(tmpdir(), 'grasp-bench-retrieval-'));
    try {
      const dataset = await loadDataset(BEAUTY);
      const split = leaveOneOut(dataset.sequences);
      const paths = cachePaths(BEAUTY, work);
      for (const entity of ['item', 'user'] as const) {
        await synthesize(dataset, split, paths, { entity, provider: 'metadata' }, silentContext);
        const embedded = await embed(dataset, split, paths.dataset, { entity }, silentContext);
        const { vectors, manifest } = await readEmbedding(embedded.manifestPath);
        results.push(await measure(`beauty-${entity}s (lsa ${manifest.vectors.dim}-d)`, vectors, manifest.count, manifest.vectors.dim, DEFAULT_HNSW, 2000));
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  } else {
    console.log(JSON.stringify({ skipped: `no Beauty data at ${BEAUTY}` }));
  }
  const generated = await measure(
    `generated-${GENERATED}x64`,
    generate(GENERATED, 64, 7),
    GENERATED,
    64,
    { ...DEFAULT_HNSW, efConstruction: GENERATED_EF_CONSTRUCTION },
    200,
    [256, 512],
  );
  const beauty = results.filter((result) => result.case.startsWith('beauty'));
  console.log(
    JSON.stringify({
      recall_at_10: beauty.length ? Math.min(...beauty.map((result) => result.recall_at_10)) : null,
      build_s: generated.build_s,
      queries_per_s: generated.queries_per_s,
      generated_recall_at_10: generated.recall_at_10,
      beauty: Object.fromEntries(
        beauty.map((result) => [result.case, { build_s: result.build_s, queries_per_s: result.queries_per_s, recall_at_10: result.recall_at_10 }]),
      ),
    }),
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
