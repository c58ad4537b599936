import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configDiff, csvField, markdownCell, metricRows, reportToCsv, reportToMarkdown, type CompareReport } from '../../../src/core/eval/report';

describe('config diff', () => {
  test('lists only the settings that differ, with a dash where a run lacks one', () => {
    const a = { model: { kind: 'sasrec', d: 64 }, train: { lr: 0.001, seed: 1 }, variant: 'plain' };
    const b = { model: { kind: 'sasrec', d: 64 }, train: { lr: 0.002, seed: 2 }, variant: 'grasp', grasp: { kItems: 10 } };
    assert.deepEqual(
      configDiff([a, b], (key) => key === 'train.seed'),
      [
        { key: 'grasp.kItems', values: ['—', '10'] },
        { key: 'train.lr', values: ['0.001', '0.002'] },
        { key: 'variant', values: ['"plain"', '"grasp"'] },
      ],
    );
  });

  test('arrays are compared whole; identical configs differ in nothing', () => {
    assert.deepEqual(configDiff([{ eval: { ks: [5, 10] } }, { eval: { ks: [5, 10, 20] } }]), [{ key: 'eval.ks', values: ['[5,10]', '[5,10,20]'] }]);
    assert.deepEqual(configDiff([{ a: 1 }, { a: 1 }, { a: 1 }]), []);
  });
});

describe('metrics over seeds', () => {
  test('mean ± sample std per run, null when a run lacks the metric', () => {
    const rows = metricRows([[{ 'NDCG@10': 0.1 }, { 'NDCG@10': 0.3 }], [{ 'NDCG@10': 0.5, MRR: 0.2 }]]);
    assert.equal(rows[0].metric, 'NDCG@10');
    assert.ok(Math.abs(rows[0].values[0]!.mean - 0.2) < 1e-12);
    assert.ok(Math.abs(rows[0].values[0]!.std - Math.sqrt(0.02)) < 1e-12);
    assert.deepEqual(rows[0].values[1], { mean: 0.5, std: 0, n: 1 });
    assert.deepEqual(rows[1], { metric: 'MRR', values: [null, { mean: 0.2, std: 0, n: 1 }] });
  });
});

const report: CompareReport = {
  runs: [
    { name: 'sasrec, "plain"', path: '/r/a', model: 'sasrec', variant: 'plain', dataset: 'beauty', seeds: [1, 2] },
    { name: 'grasp|run', path: '/r/b', model: 'sasrec', variant: 'grasp', dataset: 'beauty', seeds: [1] },
  ],
  configDiff: [{ key: 'variant', values: ['"plain"', '"grasp"'] }],
  metrics: [
    {
      metric: 'NDCG@10',
      values: [
        { mean: 0.25, std: 0.05, n: 2 },
        { mean: 0.3, std: 0, n: 1 },
      ],
    },
  ],
  significance: [{ run: 1, metric: 'NDCG@10 per user', n: 100, meanDifference: 0.05, t: 2.5, p: 0.014 }],
};

describe('export', () => {
  test('CSV quotes fields with commas, quotes or line breaks (RFC 4180)', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
  });

  test('CSV holds the runs, the config differences, mean and std rows and the p-values', () => {
    const lines = reportToCsv(report).trimEnd().split('\r\n');
    assert.equal(lines[0], 'section,key,"sasrec, ""plain""",grasp|run');
    assert.ok(lines.includes('config,variant,"""plain""","""grasp"""'));
    assert.ok(lines.includes('metric mean,NDCG@10,0.25,0.3'));
    assert.ok(lines.includes('metric std,NDCG@10,0.05,0'));
    assert.ok(lines.includes('p vs first run,NDCG@10 per user,,0.014'));
  });

  test('Markdown escapes pipes and shows mean ± std', () => {
    assert.equal(markdownCell('a|b\nc'), 'a\\|b c');
    const md = reportToMarkdown(report);
    assert.match(md, /\| metric \| sasrec, "plain" \| grasp\\\|run \|/);
    assert.match(md, /\| NDCG@10 \| 0\.2500 ± 0\.0500 \| 0\.3000 \|/);
    assert.match(md, /\| grasp\\\|run \| NDCG@10 per user \| 0\.0500 \| 2\.50 \| 0\.0140 \|/);
  });
});
