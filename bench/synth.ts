// Synthesis throughput against the mock Anthropic server (in its own process, 200 ms latency),
// driven through the real SDK at concurrency 16: the ceiling is 16 / 0.2 s = 80 calls/s. Then a
// second, fully cached run, which must make 0 calls. Prints JSON lines; the last one summarises.
import { join } from 'node:path';
import { loadDataset } from '../src/core/data/load';
import { leaveOneOut } from '../src/core/data/split';
import { silentContext } from '../src/core/util/jobContext';
import { demoJob } from '../src/core/jobs/demo';
import { synthesize } from '../src/core/llm/synthesize';
import { cachePaths } from '../src/core/data/cachePaths';
import { benchWithMock, timedRequests } from './mockProcess';

const LATENCY_MS = 200;
const CONCURRENCY = 16;
const ITEMS = Number(process.env.BENCH_SYNTH_ITEMS ?? 1200);
// Built at run time so no committed line looks like a real key; the mock accepts any key.
const FAKE_KEY = ['sk', 'ant', 'bench-FAKE-000000000000'].join('-');

benchWithMock('grasp-bench-synth-', { latencyMs: LATENCY_MS, apiKey: FAKE_KEY }, async (mock, work) => {
  const dataDir = join(work, 'data');
  await demoJob({ outDir: dataDir, users: 200, items: ITEMS, seed: 3, retrieval: false }, silentContext);
  const dataset = await loadDataset(dataDir);
  const split = leaveOneOut(dataset.sequences);
  const paths = cachePaths(dataDir, join(work, 'cache'));
  const options = { entity: 'item' as const, provider: 'anthropic' as const, mode: 'messages' as const, concurrency: CONCURRENCY, baseURL: mock.url };
  const ceiling = CONCURRENCY / (LATENCY_MS / 1000);

  const started = performance.now();
  const first = await synthesize(dataset, split, paths, options, silentContext, { anthropicApiKey: FAKE_KEY });
  const seconds = (performance.now() - started) / 1000;
  const callsPerSecond = first.counts.calls / seconds;
  console.log(
    JSON.stringify({
      run: 'first',
      items: first.entities,
      calls: first.counts.calls,
      done: first.counts.done,
      failed: first.counts.failed,
      seconds: +seconds.toFixed(3),
      calls_per_s: +callsPerSecond.toFixed(2),
      ceiling_calls_per_s: ceiling,
    }),
  );

  const {
    result: second,
    seconds: cachedSeconds,
    requests: cachedRunCalls,
  } = await timedRequests(mock.url, () => synthesize(dataset, split, paths, options, silentContext, { anthropicApiKey: FAKE_KEY }));
  console.log(
    JSON.stringify({
      run: 'cached',
      calls: second.counts.calls,
      mock_requests: cachedRunCalls,
      cached: second.counts.cached,
      seconds: +cachedSeconds.toFixed(3),
    }),
  );

  console.log(
    JSON.stringify({
      efficiency: +(callsPerSecond / ceiling).toFixed(4),
      cached_run_calls: Math.max(cachedRunCalls, second.counts.calls),
      calls_per_s: +callsPerSecond.toFixed(2),
      ceiling_calls_per_s: ceiling,
      latency_ms: LATENCY_MS,
      concurrency: CONCURRENCY,
      calls: first.counts.calls,
    }),
  );
});
