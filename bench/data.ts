// `npm run bench:data`: load + statistics throughput and peak RSS, on Beauty (read in place from
// ../shared/data) and on generated CSV files of 2.5M and 10M interactions. Memory is bounded when
// peak RSS grows with the compact per-interaction columns, far below the file size.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '../src/core/util/random';

const ROOT = join(__dirname, '..');
const BEAUTY = join(ROOT, '..', 'shared', 'data', 'beauty', 'Beauty.txt');

async function generateCsv(path: string, interactions: number, seed: number): Promise<void> {
  const random = new Random(seed);
  const users = Math.max(1, Math.round(interactions / 20));
  const items = Math.max(1, Math.round(interactions / 100));
  const out = createWriteStream(path);
  out.write('user_id,item_id,timestamp\n');
  let time = 1_600_000_000;
  let lines: string[] = [];
  for (let row = 0; row < interactions; row++) {
    // Popular items come up more often (squared uniform), like real long-tailed data.
    const item = Math.floor(items * random.next() ** 2);
    lines.push(`u${random.int(users)},i${item},${time++}\n`);
    if (lines.length === 10_000) {
      if (!out.write(lines.join(''))) await once(out, 'drain');
      lines = [];
    }
  }
  out.end(lines.join(''));
  await once(out, 'finish');
}

function runCase(path: string, format = 'auto'): Record<string, unknown> {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'data-case.ts'), path, format], { encoding: 'utf8', cwd: ROOT });
  if (run.status !== 0) throw new Error(`bench case ${path} failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
  return { ...result, file_mb: Math.round(statSync(path).size / 2 ** 20) };
}

async function main(): Promise<void> {
  const results: Record<string, unknown>[] = [];
  if (existsSync(BEAUTY)) {
    results.push({ case: 'beauty', ...runCase(BEAUTY) });
  } else {
    console.error(`skipping Beauty: ${BEAUTY} not found`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'grasp-bench-data-'));
  try {
    for (const count of [2_500_000, 10_000_000]) {
      const path = join(dir, `generated-${count}.csv`);
      const started = Date.now();
      await generateCsv(path, count, 11);
      console.error(`generated ${count} interactions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const result = runCase(path, 'csv');
      results.push({ case: `generated-${count}`, ...result });
      rmSync(path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const result of results) console.log(JSON.stringify(result));
  const big = results.find((result) => result.case === 'generated-10000000')!;
  const small = results.find((result) => result.case === 'generated-2500000')!;
  const summary = {
    bench: 'data',
    beauty_interactions_per_s: results.find((result) => result.case === 'beauty')?.interactions_per_s ?? null,
    generated_10m_interactions_per_s: big.interactions_per_s,
    generated_10m_peak_rss_mb: big.peak_rss_mb,
    generated_10m_file_mb: big.file_mb,
    // Peak RSS added per extra interaction between the 2.5M and 10M files: the streaming cost.
    rss_bytes_per_interaction: Math.round((((big.peak_rss_mb as number) - (small.peak_rss_mb as number)) * 2 ** 20) / 7_500_000),
  };
  console.log(JSON.stringify(summary));
}

void main();
