import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evalCases, rankTarget, sampleCandidates, trainingPopularity } from '../../../src/core/eval/evaluator';
import { metricsFromRanks } from '../../../src/core/eval/metrics';
import { meanStd, pairedTTest, studentTwoSidedP } from '../../../src/core/eval/significance';
import { leaveOneOut } from '../../../src/core/data/split';

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} vs ${expected}`);

test('full ranking with history masked on a fixed score matrix, against hand-computed ranks', () => {
  const scores = [
    [0.9, 0.1, 0.5, 0.7, 0.3, 0.2], // target 2 (0.5): 0.9 and 0.7 above; item 0 is history → rank 1 (unmasked 2)
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], // target 5 is also in the history: never masked itself → rank 0
    [0.6, 0.6, 0.1, 0.9, 0.8, 0.7], // target 0 (0.6): 0.9, 0.8, 0.7 above, the tie is not; item 3 history → rank 2
  ];
  const targets = [2, 5, 0];
  const histories = [[0, 0], [5, 1], [3]];
  const ranked = scores.map((row, u) => rankTarget(row, targets[u], histories[u]));
  assert.deepEqual(
    ranked.map((r) => r.masked),
    [1, 0, 2],
  );
  assert.deepEqual(
    ranked.map((r) => r.unmasked),
    [2, 0, 3],
  );

  const m = metricsFromRanks(
    ranked.map((r) => r.masked),
    [1, 2, 3],
  );
  close(m['HR@1'], 1 / 3, 'HR@1');
  close(m['NDCG@1'], 1 / 3, 'NDCG@1');
  close(m['HR@2'], 2 / 3, 'HR@2');
  close(m['NDCG@2'], (1 / Math.log2(3) + 1) / 3, 'NDCG@2'); // 0.543643
  close(m['HR@3'], 1, 'HR@3');
  close(m['NDCG@3'], (1 / Math.log2(3) + 1 + 0.5) / 3, 'NDCG@3'); // 0.710310
  close(m.MRR, (1 / 2 + 1 + 1 / 3) / 3, 'MRR'); // 0.611111
  close(m['NDCG@2'], 0.5436431, 'NDCG@2 numerically');
});

test('evaluation cases: validation sees the training prefix, test also the validation item; short users are skipped', () => {
  const split = leaveOneOut([Int32Array.of(0, 1, 2, 3), Int32Array.of(4, 5), Int32Array.of(6, 7, 8)]);
  const valid = evalCases(split, 'valid');
  const testCases = evalCases(split, 'test');
  assert.deepEqual(Array.from(valid.users), [0, 2]);
  assert.deepEqual(Array.from(valid.targets), [2, 7]);
  assert.deepEqual(
    valid.history.map((h) => Array.from(h)),
    [[0, 1], [6]],
  );
  assert.deepEqual(Array.from(testCases.targets), [3, 8]);
  assert.deepEqual(
    testCases.history.map((h) => Array.from(h)),
    [
      [0, 1, 2],
      [6, 7],
    ],
  );
});

test('sampled candidates never include anything the user interacted with; popularity is counted on training only', () => {
  const split = leaveOneOut([Int32Array.of(0, 1, 2, 3), Int32Array.of(1, 4, 5, 9), Int32Array.of(6, 7, 8)]);
  const popularity = trainingPopularity(split, 12);
  // training prefixes: [0,1], [1,4], [6]: item 3, 5, 9 (valid/test targets) have zero training popularity
  assert.deepEqual(Array.from(popularity), [1, 2, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
  const cases = evalCases(split, 'test');
  const { uniform, popularity: popular } = sampleCandidates(split, cases, popularity, 5, 1);
  cases.users.forEach((user, u) => {
    const seen = new Set([...split.train[user], split.valid[user], split.test[user]]);
    for (const list of [uniform, popular])
      for (const item of list.subarray(u * 5, u * 5 + 5)) assert.ok(!seen.has(item), `user ${user} got its own item ${item}`);
  });
});

test('mean ± std and the paired t-test against known values', () => {
  const { mean, std } = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
  close(mean, 5, 'mean');
  close(std, 2.1380899, 'sample std');
  // t = 2, df = 10: two-sided p = 0.07339 (tables)
  assert.ok(Math.abs(studentTwoSidedP(2, 10) - 0.0734) < 1e-4);
  assert.ok(Math.abs(studentTwoSidedP(2.228, 10) - 0.05) < 1e-3);
  const a = [0.5, 0.6, 0.7, 0.8, 0.9];
  const b = [0.4, 0.6, 0.5, 0.7, 0.6];
  const result = pairedTTest(a, b);
  // differences 0.1, 0, 0.2, 0.1, 0.3: mean 0.14, sd 0.11402, t = 2.7456, df 4, p = 0.0516
  close(result.meanDifference, 0.14, 'mean difference');
  assert.ok(Math.abs(result.t - 2.7456) < 1e-3);
  assert.ok(Math.abs(result.p - 0.0516) < 1e-3, `p ${result.p}`);
  assert.throws(() => pairedTTest([1], [1, 2]), /same split/);
});

test('compareRuns: paired test over per-user NDCG@10 from two runs\u2019 ranks.json; refuses different users', async () => {
  const { compareRuns } = await import('../../../src/core/eval/compare');
  const { tempFolder } = await import('../helpers');
  const a = tempFolder({ 'ranks.json': JSON.stringify({ users: [0, 1, 2, 3], ranks: [0, 1, 0, 50] }) });
  const b = tempFolder({ 'ranks.json': JSON.stringify({ users: [0, 1, 2, 3], ranks: [3, 20, 0, 50] }) });
  const c = tempFolder({ 'ranks.json': JSON.stringify({ users: [0, 1, 2, 4], ranks: [3, 20, 0, 50] }) });
  const result = await compareRuns(a, b);
  close(result.a.mean, (1 + 1 / Math.log2(3) + 1 + 0) / 4, 'run A NDCG@10');
  close(result.b.mean, (1 / Math.log2(5) + 0 + 1 + 0) / 4, 'run B NDCG@10');
  assert.equal(result.n, 4);
  assert.ok(result.p > 0 && result.p < 1);
  await assert.rejects(compareRuns(a, c), /not evaluated on the same users/);
});
