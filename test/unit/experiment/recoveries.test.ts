// Declared recoveries of an experiment (the healing loop's yardstick): the arithmetic of the share of the
// drop recovered, its seeds, how it is rendered, and the errors of a recovery that names the wrong variants.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateExperiment } from '../../../src/core/experiment/config';
import type { ExperimentResults } from '../../../src/core/jobs/experiment';
import { renderMarkdown } from '../../../src/core/experiment/report';
import type { FinishedRun } from '../../../src/core/experiment/runs';
import { recover, recoveryShare, type RecoveryResult } from '../../../src/core/experiment/table';
import type { TrainJobResult } from '../../../src/core/train/trainRun';

const close = (actual: number | null, expected: number) => assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

test('share of the drop recovered = (reviewed − corrupted) / (clean − corrupted)', () => {
  const half = recoveryShare(0.05, 0.03, 0.04);
  close(half.drop, 0.02);
  close(half.recovered, 0.01);
  close(half.share, 0.5);
  assert.equal(half.note, undefined);
  close(recoveryShare(0.05, 0.03, 0.03).share, 0);
  close(recoveryShare(0.05, 0.03, 0.05).share, 1);
  close(recoveryShare(0.05, 0.03, 0.06).share, 1.5); // better than clean: reported as it is
  close(recoveryShare(0.05, 0.03, 0.02).share, -0.5); // the review made it worse
});

test('no drop, no share: n/a with the reason when clean − corrupted ≤ 0', () => {
  for (const [clean, corrupted] of [
    [0.03, 0.03],
    [0.03, 0.04],
  ]) {
    const result = recoveryShare(clean, corrupted, 0.05);
    assert.equal(result.share, null);
    assert.match(result.note!, /^n\/a: the corruption caused no drop \(clean − corrupted = -?0\.0\d{3} ≤ 0\)/);
  }
  assert.equal(recoveryShare(Number.NaN, 0.03, 0.04).share, null);
});

function run(variant: string, seed: number, ndcg: number): FinishedRun {
  const result = { event: 'result', metrics: { test: { full: { 'NDCG@10': ndcg } } } } as unknown as TrainJobResult;
  return { variant, seed, dir: `${variant}/seed-${seed}`, result, ranks: { users: [], ranks: [] } };
}

test('means are over the seeds all three variants finished', () => {
  const runs = [
    run('C', 1, 0.05),
    run('C', 2, 0.07),
    run('C', 3, 0.5),
    run('X', 1, 0.03),
    run('X', 2, 0.03),
    run('X', 3, 0.5),
    run('R', 1, 0.04),
    run('R', 2, 0.05),
  ];
  const result = recover('C', 'X', 'R', [1, 2, 3], runs);
  assert.deepEqual(result.seeds, [1, 2], 'seed 3 of the reviewed variant has not run');
  close(result.cleanMean, 0.06);
  close(result.corruptedMean, 0.03);
  close(result.reviewedMean, 0.045);
  close(result.drop, 0.03);
  close(result.recovered, 0.015);
  close(result.share, 0.5);
  const none = recover(
    'C',
    'X',
    'R',
    [1, 2, 3],
    runs.filter((r) => r.variant !== 'R'),
  );
  assert.deepEqual([none.seeds, none.share, none.cleanMean], [[], null, null]);
  assert.match(none.note!, /not run/);
});

test('the results table shows the share, n/a with its reason, and runs not yet done', () => {
  const row = (reviewed: string, values: Partial<RecoveryResult>): RecoveryResult => ({
    clean: 'C',
    corrupted: 'X',
    reviewed,
    metric: 'test NDCG@10 (full ranking)',
    seeds: [1, 2],
    cleanMean: 0.06,
    corruptedMean: 0.03,
    reviewedMean: 0.045,
    drop: 0.03,
    recovered: 0.015,
    share: 0.5,
    ...values,
  });
  const results = {
    format: 'grasp-experiment/1',
    experiment: 'healing',
    command: 'grasp experiment --config healing.json',
    generated: '2026-01-01T00:00:00.000Z',
    outputLabel: 'out',
    data: ['data'],
    seeds: [1, 2],
    machine: { cpu: 'cpu', cores: 2, node: 'v20', backends: [] },
    table: {
      variants: [],
      comparisons: [],
      notRun: [],
      recoveries: [
        row('R5', {}),
        row('R1', { cleanMean: 0.03, corruptedMean: 0.031, reviewedMean: 0.032, ...recoveryShare(0.03, 0.031, 0.032) }),
        row('R9', { seeds: [], cleanMean: null, corruptedMean: null, reviewedMean: null, drop: null, recovered: null, share: null, note: 'not run' }),
      ],
    },
  } as ExperimentResults;
  const markdown = renderMarkdown(results);
  assert.match(markdown, /share of the drop recovered/);
  assert.match(markdown, /\| R5 \| X \| C \| 0\.0600 \/ 0\.0300 \/ 0\.0450 \| \+0\.0300 \| \+0\.0150 \| 50\.0 % \| 1, 2 \|/);
  assert.match(markdown, /\| R1 \| X \| C \| 0\.0300 \/ 0\.0310 \/ 0\.0320 \| −0\.0010 \| \+0\.0010 \| n\/a: the corruption caused no drop/);
  assert.match(markdown, /\| R9 \| X \| C \| not run \|/);
  // an experiment that declares none shows no recovery table
  assert.doesNotMatch(renderMarkdown({ ...results, table: { ...results.table, recoveries: [] } }), /share of the drop recovered/);
});

const base = { data: { path: 'data' }, model: { kind: 'sasrec' }, grasp: { texts: { provider: 'metadata' } } };
const variants = [
  { name: 'Plain' },
  { name: 'Clean', overrides: { variant: 'llm-init' } },
  { name: 'C20', overrides: { variant: 'llm-init', grasp: { corruption: { fraction: 0.2, seed: 1 } } } },
  { name: 'C40', overrides: { variant: 'llm-init', grasp: { corruption: { fraction: 0.4, seed: 1 } } } },
  { name: 'C20-k5', overrides: { variant: 'llm-init', grasp: { corruption: { fraction: 0.2, seed: 1 }, review: { simulated: { k: 0.05 } } } } },
  { name: 'Plain-c20', overrides: { grasp: { corruption: { fraction: 0.2, seed: 1 } } } },
];
const experiment = (recoveries: unknown) => ({ name: 'healing', base, seeds: [1], variants, output: 'out', recoveries });

test('recoveries are validated like comparisons: errors name the file and the field, and say what is wrong', async () => {
  const loaded = await validateExperiment(experiment([{ clean: 'Clean', corrupted: 'C20', reviewed: 'C20-k5' }]), 'healing.json');
  assert.deepEqual(loaded.recoveries, [{ clean: 'Clean', corrupted: 'C20', reviewed: 'C20-k5' }]);
  assert.deepEqual((await validateExperiment({ ...experiment(undefined), recoveries: undefined }, 'healing.json')).recoveries, [], 'optional');
  const cases: Array<[unknown, RegExp]> = [
    [
      [{ clean: 'Clean', corrupted: 'C20', reviewed: 'C2O-k5' }],
      /healing\.json: recoveries\[0\]\.reviewed names no variant \("C2O-k5"; variants: Plain, Clean, /,
    ],
    [[{ clean: 'Clean', corrupted: 'C20' }], /healing\.json: recoveries\[0\]\.reviewed is required/],
    [[{ clean: 'Clean', corrupted: 'C20', reviewed: 'C20-k5', baseline: 'Plain' }], /healing\.json: recoveries\[0\]\.baseline is not a known setting/],
    [[{ clean: 'C20', corrupted: 'C20', reviewed: 'C20-k5' }], /healing\.json: recoveries\[0\] must name three different variants/],
    [[{ clean: 'Clean', corrupted: 'Clean', reviewed: 'C20-k5' }], /healing\.json: recoveries\[0\] must name three different variants/],
    [
      [{ clean: 'Clean', corrupted: 'C40', reviewed: 'C20-k5' }],
      /healing\.json: recoveries\[0\]\.reviewed "C20-k5" is not a review of "C40": their grasp\.corruption\.fraction differs/,
    ],
    [[{ clean: 'C40', corrupted: 'C20', reviewed: 'C20-k5' }], /healing\.json: recoveries\[0\]\.clean "C40" is corrupted too/],
    [[{ clean: 'Clean', corrupted: 'Plain', reviewed: 'C20-k5' }], /healing\.json: recoveries\[0\] names the plain variant "Plain"/],
    [[{ clean: 'Plain', corrupted: 'Plain-c20', reviewed: 'C20-k5' }], /healing\.json: recoveries\[0\] names the plain variant "Plain-c20"/],
    [[{ clean: 'C20-k5', corrupted: 'Clean', reviewed: 'C20' }], /healing\.json: recoveries\[0\]\.corrupted "Clean" has no corruption/],
    [
      [
        { clean: 'Clean', corrupted: 'C20', reviewed: 'C20-k5' },
        { clean: 'Clean', corrupted: 'C40', reviewed: 'nope' },
      ],
      /healing\.json: recoveries\[1\]\.reviewed names no variant/,
    ],
  ];
  for (const [recoveries, message] of cases)
    await assert.rejects(validateExperiment(experiment(recoveries), 'healing.json'), message, JSON.stringify(recoveries));
});

test('a drop that is not significant over users gives no share: n/a with its p', () => {
  const noisy = recoveryShare(0.05, 0.0499, 0.0506, 0.62);
  assert.equal(noisy.share, null);
  assert.match(noisy.note!, /^n\/a: the corruption's drop \(0\.0001\) is not significant \(p = 0\.62 over users\)/);
  close(recoveryShare(0.05, 0.03, 0.04, 0.001).share, 0.5);
  // from ranks: the clean run ranks every target first, the corrupted one never in the top 10 → a significant drop
  const ranked = (variant: string, ranks: number[]): FinishedRun => ({
    ...run(variant, 1, 0),
    result: { event: 'result', metrics: { test: { full: { 'NDCG@10': ranks.filter((r) => r === 0).length / ranks.length } } } } as unknown as TrainJobResult,
    ranks: { users: ranks.map((_, i) => i), ranks },
  });
  const users = 12;
  const result = recover(
    'C',
    'X',
    'R',
    [1],
    [
      ranked(
        'C',
        Array.from({ length: users }, (_, i) => (i % 4 === 0 ? 20 : 0)),
      ),
      ranked('X', new Array(users).fill(20)),
      ranked('R', new Array(users).fill(0)),
    ],
  );
  assert.ok(result.dropP !== undefined && result.dropP < 0.05, `drop p ${result.dropP}`);
  assert.ok(result.share !== null);
});
