// Post-hoc check of the diagnosis in docs/results.md: GRASP's similar users are retrieved from
// training-prefix profiles, so at test time they are one interaction stale. This re-evaluates trained
// GRASP runs on the test split with the users retrieved again from training prefix + validation item
// (src/core/train/refreshedUsers.ts); weights are not touched, nothing is retrained. It prints, per
// seed, test NDCG@10 with the stored (stale) and the refreshed neighbours and the baseline's, and
// paired t-tests over users and over seeds. The idea came from a diagnostic that read test targets,
// so its figures are reported as post-hoc, never as the frozen module's result.
//   node --import tsx bench/refreshed-retrieval.ts <runs folder> <GRASP variant> <baseline variant> [seeds, default 1,2,3]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { leaveOneOut, loadDataset } from '../src/core/data';
import { initEngine } from '../src/core/engine/backend';
import { evaluate } from '../src/core/eval/evaluator';
import { ndcgPerUser } from '../src/core/eval/metrics';
import { pairedTTest } from '../src/core/eval/significance';
import { silentContext } from '../src/core/util/jobContext';
import { loadWeights, readManifest } from '../src/core/train/checkpoint';
import { refreshedUserArtifacts } from '../src/core/train/refreshedUsers';
import type { TextArtifacts } from '../src/core/train/textArtifacts';
import { buildModel, prepareText } from '../src/core/train/variant';

const mean = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0) / Math.max(1, values.length);

async function main(): Promise<void> {
  const [runs, variant, baseline, seedsArg] = process.argv.slice(2);
  if (!runs || !variant || !baseline) throw new Error('usage: refreshed-retrieval.ts <runs folder> <GRASP variant> <baseline variant> [seeds]');
  const seeds = (seedsArg ?? '1,2,3').split(',').map(Number);
  const engine = await initEngine({ backend: 'auto' });
  let prepared: { split: ReturnType<typeof leaveOneOut>; stale: TextArtifacts; fresh: TextArtifacts; changed: number; refitError: number } | undefined;
  const perSeed: Array<{
    seed: number;
    stale: number;
    refreshed: number;
    baseline: number;
    p_users_refreshed_vs_baseline: number;
    p_users_refreshed_vs_stale: number;
    recomputed_rank_share_as_stored: number;
  }> = [];
  for (const seed of seeds) {
    const dir = join(runs, variant, `seed-${seed}`);
    const manifest = await readManifest(dir);
    const { config } = manifest;
    if (!prepared) {
      const dataset = await loadDataset(config.data.path);
      const split = leaveOneOut(dataset.sequences);
      const stale = (await prepareText(config, dataset, split, silentContext))!;
      const refreshed = await refreshedUserArtifacts(dataset, split, config, stale, silentContext);
      prepared = { split, stale, fresh: { ...stale, users: refreshed.users }, changed: refreshed.changed, refitError: refreshed.refitError };
    }
    const testRanks = async (artifacts: TextArtifacts): Promise<{ users: Int32Array; ranks: Int32Array }> => {
      const { model } = buildModel(config, manifest.numItems, prepared!.split, artifacts);
      try {
        await loadWeights(dir, model, manifest);
        const result = await evaluate(model, prepared!.split, 'test', { ...config.eval, sampled: 0 });
        return { users: result.userIds, ranks: result.ranks };
      } finally {
        model.dispose();
      }
    };
    const stale = await testRanks(prepared.stale);
    const refreshed = await testRanks(prepared.fresh);
    const stored = JSON.parse(await readFile(join(dir, 'ranks.json'), 'utf8')) as { users: number[]; ranks: number[] };
    const other = JSON.parse(await readFile(join(runs, baseline, `seed-${seed}`, 'ranks.json'), 'utf8')) as { users: number[]; ranks: number[] };
    if (other.users.length !== stale.users.length || other.users.some((u, i) => u !== stale.users[i]))
      throw new Error(`${baseline} seed ${seed} was evaluated on other users`);
    const [staleNdcg, freshNdcg, baseNdcg] = [stale.ranks, refreshed.ranks, Int32Array.from(other.ranks)].map((ranks) => ndcgPerUser(ranks, 10));
    perSeed.push({
      seed,
      stale: mean(staleNdcg),
      refreshed: mean(freshNdcg),
      baseline: mean(baseNdcg),
      p_users_refreshed_vs_baseline: pairedTTest(freshNdcg, baseNdcg).p,
      p_users_refreshed_vs_stale: pairedTTest(freshNdcg, staleNdcg).p,
      // the stale evaluation must reproduce the run's own ranks (up to float summation order), or the comparison means nothing
      recomputed_rank_share_as_stored: stored.ranks.filter((r, i) => r === stale.ranks[i]).length / stale.ranks.length,
    });
    console.error(JSON.stringify(perSeed[perSeed.length - 1]));
  }
  const column = (key: 'stale' | 'refreshed' | 'baseline') => perSeed.map((row) => row[key]);
  console.log(
    JSON.stringify({
      runs,
      variant,
      baseline,
      backend: engine.backend,
      users_whose_neighbours_changed: prepared?.changed,
      refit_max_abs_error: prepared?.refitError,
      seeds: perSeed,
      mean: { stale: mean(column('stale')), refreshed: mean(column('refreshed')), baseline: mean(column('baseline')) },
      p_seeds_refreshed_vs_baseline: seeds.length > 1 ? pairedTTest(column('refreshed'), column('baseline')).p : null,
      p_seeds_refreshed_vs_stale: seeds.length > 1 ? pairedTTest(column('refreshed'), column('stale')).p : null,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
