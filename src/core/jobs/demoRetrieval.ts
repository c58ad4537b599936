import type { Dataset, Split } from '../data/types';
import { embed } from '../embed/embed';
import type { SynthesisProvider } from '../llm/provider';
import { synthesize, synthesizeWith } from '../llm/synthesize';
import { buildIndex } from '../retrieval/build';
import { neighboursOfRow } from '../retrieval/query';
import { indexManifestPath } from '../retrieval/store';
import { cachePaths } from '../data/cachePaths';
import type { JobContext } from '../util/jobContext';
import { entityLabel } from '../retrieval/labels';

export interface DemoNeighbours {
  id: string;
  title: string;
  neighbours: Array<{ id: string; title: string; similarity: number }>;
}

export interface DemoRetrievalResult {
  /** Where the synthesis cache, embeddings and indexes went. */
  cacheDir: string;
  synthesized: { items: number; users: number };
  index: { items: string; users: string };
  /** The most popular items with their nearest neighbours. */
  examples: DemoNeighbours[];
  seconds: number;
}

/**
 * Stages 1-3 on the demo world, offline: the metadata provider (or the given stand-in LLM, for items)
 * writes descriptions and profiles, LSA embeds them, and cosine indexes give each item and user its neighbours.
 */
export async function demoRetrieval(
  datasetDir: string,
  dataset: Dataset,
  split: Split,
  ctx: JobContext,
  options: { itemProvider?: SynthesisProvider; examples?: number } = {},
): Promise<DemoRetrievalResult> {
  const started = Date.now();
  const paths = cachePaths(datasetDir);
  const quiet: JobContext = { progress: () => {}, log: () => {}, isCancelled: () => ctx.isCancelled() };
  const synthesized = { items: 0, users: 0 };
  const index = { items: '', users: '' };
  for (const entity of ['item', 'user'] as const) {
    ctx.progress({ message: `Synthesising ${entity}s (metadata provider)`, fraction: entity === 'item' ? 0.9 : 0.95 });
    const synthesis =
      entity === 'item' && options.itemProvider
        ? await synthesizeWith(options.itemProvider, dataset, split, paths, { entity }, quiet)
        : await synthesize(dataset, split, paths, { entity, provider: 'metadata' }, quiet);
    synthesized[`${entity}s`] = synthesis.entities;
    const embedding = await embed(dataset, split, paths.dataset, { entity, embedder: 'lsa' }, quiet);
    index[`${entity}s`] = (await buildIndex(embedding.manifestPath, paths.dataset, { k: 10 }, quiet)).manifest.method;
  }
  const popularity = new Int32Array(dataset.itemIds.length);
  for (const sequence of split.train) for (const item of sequence) popularity[item]++;
  const top = Array.from(popularity.keys())
    .sort((a, b) => popularity[b] - popularity[a] || a - b)
    .slice(0, options.examples ?? 3);
  const manifest = indexManifestPath(paths.dataset, 'item', 'lsa', 'vectors');
  const result: DemoNeighbours[] = [];
  for (const row of top) {
    const found = await neighboursOfRow(manifest, row, 5);
    result.push({
      id: dataset.itemIds[row],
      title: entityLabel(dataset, undefined, 'item', row),
      neighbours: found.neighbours.map((neighbour) => ({
        id: neighbour.id,
        title: entityLabel(dataset, undefined, 'item', neighbour.row),
        similarity: neighbour.similarity,
      })),
    });
  }
  const seconds = (Date.now() - started) / 1000;
  ctx.log(
    `demo retrieval: ${synthesized.items} item descriptions and ${synthesized.users} user profiles (metadata only), LSA embeddings, ${index.items}/${index.users} indexes in ${seconds.toFixed(1)} s → ${paths.dataset}`,
  );
  return { cacheDir: paths.dataset, synthesized, index, examples: result, seconds };
}
