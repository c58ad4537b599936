// Similar users retrieved from the history a model is given at TEST time. DESIGN §2 retrieves N_U(u)
// once, from u's training-prefix profile; at test time the model also reads u's validation item, so
// that retrieval is one interaction stale (bench/target-coverage.ts measures how much that costs).
// Here u's profile is rewritten from training prefix + validation item, embedded with the SAME fitted
// LSA (or the same HTTP embedder) and PCA (fitted on the training profiles only; the new texts are only projected), and searched
// in the same index of training profiles. Nothing of the test item is used. Evaluation-only: the
// model's weights, its item side and the similar users' own items (their training prefixes) are unchanged.
import { join, dirname } from 'node:path';
import type { Dataset, Split } from '../data/types';
import { testTimeSplit } from '../data/split';
import { embedSecrets, embedTexts, fitRows } from '../embed/embed';
import { pca } from '../embed/pca';
import { entityTexts } from '../embed/texts';
import type { JobContext } from '../util/jobContext';
import type { Searcher } from '../retrieval/build';
import { ExactIndex } from '../retrieval/exact';
import { DEFAULT_HNSW, HnswIndex } from '../retrieval/hnsw';
import { indexManifestPath, readIndexManifest, type NeighbourTable } from '../retrieval/store';
import { cachePaths } from '../data/cachePaths';
import { ConfigError } from '../util/errors';
import type { RunConfig } from './config';
import {
  describeEntities,
  embedderSpec,
  leadingColumns,
  pickNeighbours,
  scaleTextVectors,
  textsChoice,
  trainedRows,
  withFields,
  type EntityArtifacts,
  type TextArtifacts,
} from './textArtifacts';

export interface RefreshedUsers {
  users: EntityArtifacts;
  /** how many users' neighbour lists changed at all */
  changed: number;
  /** largest difference between the re-projected training profiles and the stored vectors (the fit must be the same) */
  refitError: number;
}

export async function refreshedUserArtifacts(
  dataset: Dataset,
  split: Split,
  config: RunConfig,
  artifacts: TextArtifacts,
  ctx: JobContext,
): Promise<RefreshedUsers> {
  const settings = config.grasp;
  // Corruption touches item descriptions only; verdicts on user profiles would have to be re-applied to both fits.
  if (artifacts.annotations?.some((report) => report.entity === 'user' && report.used.length > 0))
    throw new ConfigError('test-time user retrieval does not apply verdicts on user profiles; set grasp.testRetrieval to "training" for a run that uses them');
  const paths = cachePaths(config.data.path, settings.cacheDir);
  const view = withFields(dataset, settings.texts);
  const later = testTimeSplit(split);
  const provider = textsChoice(settings);
  // the profiles of the test-time histories, written as the training ones were (metadata offline, or the same chat server)
  await describeEntities(view, later, paths, 'user', settings, ctx, ctx);
  const before = await entityTexts(view, split, paths.dataset, 'user', provider);
  const after = await entityTexts(view, later, paths.dataset, 'user', provider);
  if (settings.texts.provider === 'anthropic') {
    // nothing calls the API at run time: the test-time profiles come from `grasp synthesize`, which writes them beside the training ones
    if (after.fromSynthesis === 0 && before.fromSynthesis > 0)
      throw new ConfigError(
        `the synthesis cache has no profiles of the test-time histories (training prefix + validation item) for test-time user retrieval: run \`grasp synthesize ${config.data.path} --entity users --provider anthropic\` (it writes them; --dry-run shows the cost), or set grasp.testRetrieval to "training"`,
      );
    if (after.fallback > before.fallback)
      ctx.log(`test-time user profiles: ${after.fallback - before.fallback} more than at training fall back to their raw titles (not in the synthesis cache)`);
  }
  const count = before.texts.length;
  ctx.progress({ message: `Projecting ${count} test-time user profiles with the training fit` });
  // Fitted on the training profiles (rows 0..count-1) exactly as before; rows count.. are only projected.
  // An HTTP embedder serves the training profiles from its cache and embeds only the new ones.
  const rows = fitRows(view, split, 'user');
  const raw = await embedTexts([...before.texts, ...after.texts], rows, embedderSpec(settings), paths.dataset, ctx, embedSecrets(ctx));
  const reduced = pca(raw.vectors, 2 * count, raw.width, settings.dims, rows, 1);
  // the training side may keep fewer components than the PCA gives (textArtifacts: both sides share one width)
  const dims = Math.min(reduced.dim, artifacts.dims);
  // scaled at the PCA's full width, then cut: exactly what the training side did
  const vectors = leadingColumns(scaleTextVectors(settings, Float32Array.from(reduced.vectors), 2 * count, reduced.dim, rows), 2 * count, dims);
  let refitError = 0;
  for (let i = 0; i < count * dims; i++) refitError = Math.max(refitError, Math.abs(vectors[i] - artifacts.users.vectors[i]));

  // <key dir>/embeddings/users.<embedder>.json → <key dir>/indexes/users.<embedder>.vectors.json
  const indexPath = indexManifestPath(dirname(dirname(artifacts.users.manifest)), 'user', settings.embedder, 'vectors');
  const manifest = await readIndexManifest(indexPath);
  // the index the training retrieval used: HNSW, or exact search for small sets (its rows are the training profiles re-projected above)
  const index: Searcher =
    manifest.method === 'hnsw' && manifest.file
      ? HnswIndex.load(join(dirname(indexPath), manifest.file), manifest.dim, manifest.params ?? DEFAULT_HNSW)
      : new ExactIndex(raw.vectors.subarray(0, count * raw.width), count, raw.width);
  const stored = manifest.neighbours.k;
  const table: NeighbourTable = { k: stored, labels: new Int32Array(count * stored).fill(-1), similarities: new Float32Array(count * stored) };
  for (let u = 0; u < count; u++) {
    // one more than stored: u's own training profile is usually the nearest, and is dropped
    const found = index.search(raw.vectors.subarray((count + u) * raw.width, (count + u + 1) * raw.width), stored + 1);
    for (let j = 0; j < Math.min(stored, found.labels.length); j++) {
      table.labels[u * stored + j] = found.labels[j];
      table.similarities[u * stored + j] = found.similarities[j];
    }
  }
  const k = artifacts.users.k;
  const { neighbours, similarities } = pickNeighbours(table, k, trainedRows(split, 'user', rows, count));
  let changed = 0;
  for (let u = 0; u < count; u++) if (neighbours.subarray(u * k, (u + 1) * k).some((v, j) => v !== artifacts.users.neighbours[u * k + j])) changed++;
  return { users: { ...artifacts.users, vectors: vectors.slice(count * dims), neighbours, similarities }, changed, refitError };
}

/** The text artefacts for a run's test pass: as trained, or with the users retrieved from the test-time history (grasp.testRetrieval). */
export async function testPassArtifacts(
  dataset: Dataset,
  split: Split,
  config: RunConfig,
  artifacts: TextArtifacts | undefined,
  ctx: JobContext,
): Promise<TextArtifacts | undefined> {
  if (!artifacts || config.variant !== 'grasp' || config.grasp.testRetrieval !== 'history' || !config.grasp.userLevel) return artifacts;
  // per position, the similar users already come from the rows each pass reads (the test rows included)
  if (artifacts.prefixUsers) return artifacts;
  ctx.progress({ message: 'Retrieving similar users from the test-time history' });
  const refreshed = await refreshedUserArtifacts(dataset, split, config, artifacts, ctx);
  ctx.log(`test pass: similar users retrieved from training prefix + validation item (${refreshed.changed} of ${refreshed.users.count} users' lists changed)`);
  return { ...artifacts, users: refreshed.users };
}
