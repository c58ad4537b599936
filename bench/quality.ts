// `npm run bench:quality`: our SASRec against the PyTorch reference (../shared/bench/sasrec_torch.py
// train) at the same strong settings (bench/configs/beauty-sasrec-strong.json: sampled softmax over 256
// shared negatives, 1 block, dropout 0.2, maxLen 50, validation every 2 epochs, early stopping after 5
// evaluations without a better validation NDCG@10), on Beauty, seed by seed. Both report test at the best
// validation epoch, full ranking with the history masked. Goal (issue 14): our mean test NDCG@10 within
// 3 % of the reference's.
// A reference run takes about half an hour on one thread, so its output is kept under
// .grasp/bench/torch/, named by its exact arguments, and a later run of this benchmark reads it again
// (the line says `reused`); BENCH_QUALITY_FRESH=1 retrains it.
// Env: BENCH_QUALITY_SEEDS (default "1,2,3"), BENCH_QUALITY_TORCH_THREADS (default 1: on a shared machine
// OpenMP's two threads slow down many times over), BENCH_QUALITY_THREADS (ours, default 1).
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseBlasCoreType } from './blasCore';
import { BEAUTY, ROOT, emit, ensureTorch, load, runTorch, tunedEnv } from './torchRef';

interface Pair {
  'HR@10': number;
  'NDCG@10': number;
}

const seeds = (process.env.BENCH_QUALITY_SEEDS ?? '1,2,3').split(',').map(Number);
const torchThreads = process.env.BENCH_QUALITY_TORCH_THREADS ?? '1';
const ourThreads = Number(process.env.BENCH_QUALITY_THREADS ?? 1);
const base = JSON.parse(readFileSync(join(ROOT, 'bench', 'configs', 'beauty-sasrec-strong.json'), 'utf8'));

/** The reference's flags for the same settings as our config. */
function torchArgs(seed: number): string[] {
  const { model, train } = base;
  const loss = { sampled_softmax: 'ss', ce: 'ce', bce: 'bce' }[train.loss as string]!;
  return [
    'train',
    '--loss',
    loss,
    '--negatives',
    String(train.negatives),
    '--blocks',
    String(model.layers),
    '--heads',
    String(model.heads),
    '--dropout',
    String(model.dropout),
    '--max-len',
    String(model.maxLen),
    '--d',
    String(model.d),
    '--batch',
    String(train.batchSize),
    '--epochs',
    String(train.epochs),
    '--eval-every',
    String(train.evalEvery),
    '--patience',
    String(train.patience),
    '--seed',
    String(seed),
    '--threads',
    torchThreads,
  ];
}

function torchRun(seed: number): { best: Pair; bestEpoch: number; trainS: number; reused: boolean } | undefined {
  const args = torchArgs(seed);
  const dir = join(ROOT, '.grasp', 'bench', 'torch');
  const file = join(dir, `${createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 16)}.jsonl`);
  let out = process.env.BENCH_QUALITY_FRESH !== '1' && existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const reused = out !== undefined;
  if (!out) {
    out = runTorch(args, tunedEnv(chooseBlasCoreType({})));
    if (!out) return undefined;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ event: 'args', args })}\n${out}`);
    renameSync(`${file}.tmp`, file);
  }
  const best = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .find((record) => record.event === 'best');
  return best ? { best: best.test.full_masked, bestEpoch: best.epoch, trainS: best.train_s, reused } : undefined;
}

function oursRun(seed: number, scratch: string): { best: Pair; bestEpoch: number; trainS: number } {
  const config = { ...base, name: `quality-${seed}`, data: { ...base.data, path: BEAUTY }, train: { ...base.train, seed }, engine: { threads: ourThreads } };
  const file = join(scratch, `quality-${seed}.json`);
  writeFileSync(file, JSON.stringify(config));
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'grasp.js'), 'train', '--config', file, '--out', join(scratch, `run-${seed}`), '--quiet'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (run.status !== 0) throw new Error(`grasp train failed (seed ${seed}):\n${run.stderr.trim().split('\n').slice(-5).join('\n')}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
  return { best: result.metrics.test.full, bestEpoch: result.best_epoch, trainS: result.timing.train_s };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function main(): void {
  if (!existsSync(BEAUTY)) {
    emit({ case: 'skipped', reason: `${BEAUTY} not found (../shared/data beside the checkout)` });
    return;
  }
  const torchProblem = ensureTorch();
  if (torchProblem) {
    emit({ case: 'skipped', reason: torchProblem });
    return;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'grasp-quality-'));
  const loadBefore = load();
  const ours: Pair[] = [];
  const torch: Pair[] = [];
  const round = (x: number) => Math.round(x * 10000) / 10000;
  try {
    for (const seed of seeds) {
      const t0 = Date.now();
      const reference = torchRun(seed);
      if (!reference) throw new Error(`the reference run failed (seed ${seed})`);
      torch.push(reference.best);
      emit({
        case: 'torch',
        seed,
        reused: reference.reused,
        best_epoch: reference.bestEpoch,
        test_full_masked: reference.best,
        train_s: reference.trainS,
        wall_s: Math.round((Date.now() - t0) / 1000),
      });
      const t1 = Date.now();
      const mine = oursRun(seed, scratch);
      ours.push(mine.best);
      emit({
        case: 'ours',
        seed,
        best_epoch: mine.bestEpoch,
        test_full_masked: { 'HR@10': round(mine.best['HR@10']), 'NDCG@10': round(mine.best['NDCG@10']) },
        train_s: mine.trainS,
        wall_s: Math.round((Date.now() - t1) / 1000),
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const summary = (metric: keyof Pair) => {
    const a = mean(ours.map((m) => m[metric]));
    const b = mean(torch.map((m) => m[metric]));
    return { ours: round(a), torch: round(b), rel_diff: round(a / b - 1) };
  };
  const ndcg = summary('NDCG@10');
  emit({
    seeds,
    settings: 'bench/configs/beauty-sasrec-strong.json',
    protocol: "test at the best validation epoch, full ranking, history masked (the reference's full_masked)",
    'NDCG@10': ndcg,
    'HR@10': summary('HR@10'),
    within_3pct: Math.abs(ndcg.rel_diff) <= 0.03 || ndcg.ours > ndcg.torch,
    load_avg_before: loadBefore,
    load_avg_after: load(),
  });
}

main();
