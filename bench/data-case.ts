// One measurement of `npm run bench:data`, in its own process so peak RSS belongs to this case only.
import { computeStats, loadDataset, type LoadOptions } from '../src/core/data';

async function measure(): Promise<void> {
  const [path, format] = process.argv.slice(2);
  const baselineRss = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  const dataset = await loadDataset(path, { format: (format ?? 'auto') as LoadOptions['format'] });
  const loaded = process.hrtime.bigint();
  const stats = computeStats(dataset);
  const finished = process.hrtime.bigint();
  const seconds = Number(finished - started) / 1e9;
  process.stdout.write(
    `${JSON.stringify({
      path,
      format: stats.format,
      users: stats.users,
      items: stats.items,
      interactions: stats.interactions,
      load_s: Number(loaded - started) / 1e9,
      stats_s: Number(finished - loaded) / 1e9,
      interactions_per_s: Math.round(stats.interactions / seconds),
      baseline_rss_mb: Math.round(baselineRss / 2 ** 20),
      peak_rss_mb: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    })}\n`,
  );
}

void measure();
