// The table maths on fixed inputs, against values worked out by hand (closed forms of Student's t for
// df = 1 and 2: p = 1 − 2·atan(|t|)/π and p = 1 − |t|/√(t² + 2)).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FinishedRun } from '../../../src/core/experiment/runs';
import { pairedOverSeeds, pairedOverUsers, seedAveragedNdcg, summarise } from '../../../src/core/experiment/stats';
import { compare } from '../../../src/core/experiment/table';
import { deepMerge } from '../../../src/core/util/merge';
import { formatP, spliceSection } from '../../../src/core/experiment/report';
import type { TrainJobResult } from '../../../src/core/train/trainRun';

const close = (actual: number, expected: number, tolerance = 1e-4) => assert.ok(Math.abs(actual - expected) < tolerance, `${actual} ≠ ${expected}`);

test('mean ± sample std over seeds', () => {
  const m = summarise([0.02, 0.03, 0.04]);
  close(m.mean, 0.03, 1e-12);
  close(m.std, 0.01, 1e-12); // √((0.01² + 0 + 0.01²) / 2)
  assert.equal(m.n, 3);
  assert.deepEqual(summarise([0.5]), { mean: 0.5, std: 0, n: 1 });
});

test('paired over seeds: differences 0.2, 0.3, 0.1 give t = 2√3, df 2, p = 0.0742', () => {
  const r = pairedOverSeeds([0.3, 0.5, 0.4], [0.1, 0.2, 0.3]);
  close(r.meanDifference, 0.2, 1e-12);
  close(r.t, 2 * Math.sqrt(3)); // mean 0.2 / (std 0.1 / √3)
  assert.equal(r.df, 2);
  close(r.p, 1 - (2 * Math.sqrt(3)) / Math.sqrt(14)); // 0.07418
  close(r.p, 0.07418);
});

test('paired over two seeds (df 1): p = 1 − 2·atan(t)/π', () => {
  const r = pairedOverSeeds([0.5, 0.7], [0.2, 0.2]); // differences 0.3, 0.5: mean 0.4, std 0.1414, t = 0.4/0.1 = 4
  close(r.t, 4);
  close(r.p, 1 - (2 * Math.atan(4)) / Math.PI); // 0.1560
});

test('paired over users: per-user NDCG@10 averaged over seeds first, one observation per user', () => {
  const users = [0, 1, 2];
  // NDCG@10 of rank r is 1/log2(r + 2) below 10, else 0: rank 0 → 1, rank 1 → 0.6309, rank 20 → 0.
  const variant = [
    { users, ranks: [0, 1, 20] },
    { users, ranks: [0, 0, 20] },
  ];
  const baseline = [
    { users, ranks: [1, 20, 20] },
    { users, ranks: [1, 20, 20] },
  ];
  const averaged = seedAveragedNdcg(variant, 10);
  close(averaged[0], 1, 1e-12);
  close(averaged[1], (1 / Math.log2(3) + 1) / 2); // 0.81546
  close(averaged[2], 0, 1e-12);
  const r = pairedOverUsers(variant, baseline, 10);
  assert.equal(r.n, 3, 'n = users, not users × seeds');
  // differences 0.36907, 0.81546, 0: mean 0.39485, std 0.40834, t = 1.67480
  close(r.meanDifference, 0.39485);
  close(r.t, 1.6748);
  close(r.p, 0.23596);
  close(r.variantMean, 0.60515);
  close(r.baselineMean, 0.21031);
});

test('paired over users refuses runs scored on different users', () => {
  assert.throws(() => pairedOverUsers([{ users: [0, 1], ranks: [0, 0] }], [{ users: [0, 2], ranks: [0, 0] }]), /same users/);
  assert.throws(() => pairedOverUsers([{ users: [0], ranks: [0] }], []), /same seeds/);
});

function fakeRun(variant: string, seed: number, ranks: number[]): FinishedRun {
  const ndcg = ranks.reduce((sum, r) => sum + (r < 10 ? 1 / Math.log2(r + 2) : 0), 0) / ranks.length;
  const result = { metrics: { test: { full: { 'NDCG@10': ndcg } }, valid: { full: { 'NDCG@10': ndcg } } } } as unknown as TrainJobResult;
  return { variant, seed, dir: `${variant}/${seed}`, result, ranks: { users: ranks.map((_, i) => i), ranks } };
}

/** GRASP ranks its targets high on seeds 1-3, the baseline never in the top 10 (seeds 1-2 only). */
const GRASP_OVER_PLAIN = [
  fakeRun('grasp', 1, [0, 0, 0, 0, 5, 20]),
  fakeRun('grasp', 2, [0, 0, 0, 1, 5, 20]),
  fakeRun('grasp', 3, [0, 0, 0, 0, 0, 20]),
  fakeRun('plain', 1, [20, 20, 20, 20, 20, 20]),
  fakeRun('plain', 2, [20, 20, 20, 20, 20, 20]),
];

test('a comparison pairs only the seeds both sides finished, and calls it better only with p < 0.05 both ways', () => {
  const runs = GRASP_OVER_PLAIN;
  const c = compare('grasp', 'plain', [1, 2, 3], runs);
  assert.deepEqual(c.seeds, [1, 2], 'seed 3 has no baseline run');
  assert.equal(c.perSeed.length, 2);
  assert.equal(c.overUsers?.n, 6);
  assert.equal(c.overSeeds?.n, 2);
  close(c.baselineMean, 0);
  assert.ok(c.difference > 0);
  // Over seeds: NDCG@10 0.72603 and 0.66452 against 0 → t = 22.606 (df 1), p = 0.02814.
  close(c.overSeeds!.t, 22.606, 1e-3);
  close(c.overSeeds!.p, 0.02814);
  // Over users: seed-averaged differences 1, 1, 1, 0.81546, 0.35621, 0 → t = 4.0335 (df 5), p = 0.00999.
  close(c.overUsers!.t, 4.0335);
  close(c.overUsers!.p, 0.009986);
  assert.equal(c.significant, true);
  const one = compare('grasp', 'plain', [1], runs);
  assert.equal(one.overSeeds, null, 'no test over a single seed');
  assert.equal(one.significant, false);
  const reversed = compare('plain', 'grasp', [1, 2], runs);
  assert.equal(reversed.significant, false, 'a worse variant is never "better"');
  const none = compare('grasp', 'missing', [1, 2], runs);
  assert.deepEqual(none.seeds, []);
  assert.equal(none.overUsers, null);
});

test('the tail groups get the same test over users, restricted to their users and still paired by seed', () => {
  const runs = GRASP_OVER_PLAIN.filter((run) => run.seed !== 3);
  const groups = { tailUsers: new Set([3, 4, 5]), tailItems: new Set([0]) };
  const c = compare('grasp', 'plain', [1, 2], runs, groups);
  const restricted = pairedOverUsers(
    [1, 2].map((seed) => ({ users: [3, 4, 5], ranks: Array.from(runs.find((r) => r.variant === 'grasp' && r.seed === seed)!.ranks.ranks).slice(3) })),
    [1, 2].map(() => ({ users: [3, 4, 5], ranks: [20, 20, 20] })),
  );
  assert.equal(c.tails?.users?.n, 3);
  close(c.tails!.users!.p, restricted.p);
  close(c.tails!.users!.variantMean, restricted.variantMean);
  assert.equal(c.tails?.items, null, 'one user is no test');
  assert.equal(compare('grasp', 'plain', [1, 2], runs).tails, undefined, 'no groups, no tail tests');
});

test('deep merge: objects merge, arrays and values replace, null removes', () => {
  const base = { model: { kind: 'sasrec', d: 64 }, eval: { ks: [5, 10, 20] }, grasp: { dims: 32 } };
  const merged = deepMerge(base, { model: { d: 32 }, eval: { ks: [10] }, grasp: null });
  assert.deepEqual(merged, { model: { kind: 'sasrec', d: 32 }, eval: { ks: [10] } });
  assert.deepEqual(base.model, { kind: 'sasrec', d: 64 }, 'the base is not changed');
});

test('p-values print with enough digits; report sections are replaced, not duplicated', () => {
  assert.equal(formatP(0.07418), '0.0742');
  assert.equal(formatP(0.00001234), '1.2e-5');
  assert.equal(formatP(undefined), '—');
  const once = spliceSection('# Results\n\nProse.\n', 'beauty', 'table 1');
  const twice = spliceSection(`${once}\nMore prose.\n`, 'beauty', 'table 2');
  assert.match(twice, /Prose\.[\s\S]*table 2[\s\S]*More prose\./);
  assert.doesNotMatch(twice, /table 1/);
  assert.equal(twice.split('grasp-experiment:beauty begin').length, 2);
});

test('a comparison also gives validation NDCG@10 (what screens decide on) over the paired seeds only, as a ratio', () => {
  const withValid = (run: FinishedRun, valid: number): FinishedRun => ({
    ...run,
    result: { ...run.result, metrics: { ...run.result.metrics, valid: { full: { 'NDCG@10': valid } } } } as unknown as TrainJobResult,
  });
  const [g1, g2, g3, p1, p2] = GRASP_OVER_PLAIN;
  const runs = [withValid(g1, 0.3), withValid(g2, 0.5), withValid(g3, 0.9), withValid(p1, 0.2), withValid(p2, 0.2)];
  const c = compare('grasp', 'plain', [1, 2, 3], runs);
  close(c.valid.variantMean, 0.4, 1e-12);
  close(c.valid.baselineMean, 0.2, 1e-12);
  close(c.valid.ratio, 2, 1e-12);
});
