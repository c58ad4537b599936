// `npm run bench:train`: our SASRec training step against the PyTorch reference
// (../shared/bench/sasrec_torch.py) on Beauty, one after the other in this process tree, never at
// the same time (they would share the two cores). PyTorch runs with the tuned environment of
// ../shared/bench/README.md, and again with the same OPENBLAS_CORETYPE our engine picks (Debian's
// OpenBLAS 0.3.21 misdetects recent Intel cores as "Prescott"), so the ratio is taken against the
// FASTER PyTorch. Then GRASP-SASRec beside plain SASRec at SASRec's strong preset (bench/grasp-case.ts):
// grasp_ms_per_step and grasp_overhead (ratio to SASRec in that same process, GRASP at its defaults),
// and the same with the user level on too (grasp_users_overhead) and with the semantic term
// (grasp_semantic_overhead), with the distrust gate (grasp_distrust_overhead), and GRASP-GRU4Rec over
// GRU4Rec (grasp_gru4rec_overhead). Then the strong losses (issue 14), 1 block:
// sampled softmax over 256 shared negatives and full cross-entropy, one epoch each of ours and of
// `sasrec_torch.py train --loss ss|ce`, ms per step with sampling included on both sides. Last, unless
// BENCH_SKIP_CONVERGENCE=1: a whole training of SASRec's preset on Beauty to early stopping (wall time,
// peak RSS). Prints JSON lines; the last is the summary.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseBlasCoreType } from './blasCore';
import { BEAUTY, ROOT, emit, ensureTorch, load, runTorch, tunedEnv, waitForQuiet } from './torchRef';

/** What bench/train-case.ts prints. */
interface OursResult {
  backend: string;
  native: string | null;
  ms_per_step_median: number;
  ms_per_step_p10: number;
  ms_per_step_p90: number;
  epoch_s: number | null;
  eval_s: number;
  eval_users: number;
  eval_valid_and_test_sampled_s: number;
  peak_rss_mb: number;
}

/** What bench/grasp-case.ts prints (GRASP-SASRec and SASRec steps interleaved in one process). */
interface GraspResult {
  sasrec_ms_per_step_median: number;
  sasrec_ms_per_step_p10: number;
  sasrec_ms_per_step_p90: number;
  grasp_ms_per_step_median: number;
  grasp_ms_per_step_p10: number;
  grasp_ms_per_step_p90: number;
  grasp_overhead: number;
  grasp_semantic_overhead: number;
  grasp_users_overhead: number;
  grasp_distrust_overhead: number;
  grasp_gru4rec_overhead: number;
  loss: string;
}

function main(): void {
  if (!existsSync(BEAUTY)) {
    emit({ case: 'skipped', reason: `${BEAUTY} not found (../shared/data beside the checkout)` });
    return;
  }
  const loadBefore = load();
  const busy: Record<string, number> = {};
  const backend = process.env.BENCH_BACKEND ?? 'auto';
  // A case is re-run (up to 3 times in all) when another job shared the cores during it: steps
  // spread far apart (p90 > 1.5 x p10; quiet runs measured 1.1-1.3) are the sign. The least disturbed attempt is kept.
  let oursResult: OursResult | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    busy[`ours#${attempt}`] = waitForQuiet('ours');
    const ours = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'train-case.ts'), BEAUTY, backend, '10', '50', '1'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (ours.status !== 0) throw new Error(`our benchmark case failed:\n${ours.stderr}`);
    const result = { ...(JSON.parse(ours.stdout.trim().split('\n').pop()!) as OursResult), attempt };
    emit(result);
    if (!oursResult || result.ms_per_step_median < oursResult.ms_per_step_median) oursResult = result;
    if (result.ms_per_step_p90 <= 1.5 * result.ms_per_step_p10) break;
  }
  if (!oursResult) throw new Error('no measurement');

  // GRASP-SASRec beside plain SASRec, interleaved in one process (bench/grasp-case.ts); same retry rule.
  let graspResult: GraspResult | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    busy[`grasp#${attempt}`] = waitForQuiet('grasp');
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'grasp-case.ts'), BEAUTY, backend, '10', '50'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (run.status !== 0) throw new Error(`the GRASP benchmark case failed:\n${run.stderr}`);
    const result = { ...(JSON.parse(run.stdout.trim().split('\n').pop()!) as GraspResult), attempt };
    emit(result);
    if (!graspResult || result.grasp_ms_per_step_p90 / result.grasp_ms_per_step_p10 < graspResult.grasp_ms_per_step_p90 / graspResult.grasp_ms_per_step_p10)
      graspResult = result;
    if (result.grasp_ms_per_step_p90 <= 1.5 * result.grasp_ms_per_step_p10 && result.sasrec_ms_per_step_p90 <= 1.5 * result.sasrec_ms_per_step_p10) break;
  }

  const coreType = chooseBlasCoreType({});
  const torchProblem = process.env.BENCH_SKIP_TORCH === '1' ? 'skipped (BENCH_SKIP_TORCH=1)' : ensureTorch();
  const torchRuns: Array<{ env: string; ms: number; micro_ms: number }> = [];
  let torchEpoch: { epoch_s: number; eval_s: number; peak_rss_mb: number; ms_per_step_incl_sampling: number } | undefined;
  if (torchProblem) emit({ case: 'torch', unavailable: torchProblem });
  else {
    for (const [label, env] of [
      ['README tuned env', tunedEnv()],
      [`README tuned env + OPENBLAS_CORETYPE=${coreType}`, tunedEnv(coreType)],
    ] as Array<[string, NodeJS.ProcessEnv]>) {
      if (label.includes('OPENBLAS_CORETYPE') && !coreType) continue;
      let best: { ms: number; micro_ms: number } | undefined;
      for (let attempt = 1; attempt <= 3; attempt++) {
        busy[`${label}#${attempt}`] = waitForQuiet(label);
        const out = runTorch(['bench'], env);
        if (!out) break;
        const result = JSON.parse(out);
        const step = result.beauty_train_step;
        emit({
          case: 'torch',
          env: label,
          attempt,
          beauty_train_step: step,
          micro_dropout02_ms: result['micro_bce1neg_dropout0.2'].median_ms,
          peak_rss_mb: result.peak_rss_mb,
        });
        if (!best || step.median_ms < best.ms) best = { ms: step.median_ms, micro_ms: result['micro_bce1neg_dropout0.2'].median_ms };
        if (step.p90_ms <= 1.5 * step.p10_ms) break;
      }
      if (best) torchRuns.push({ env: label, ...best });
    }
    const fastest = [...torchRuns].sort((a, b) => a.ms - b.ms)[0];
    if (fastest) {
      const out = runTorch(['train', '--epochs', '1', '--eval-every', '1'], fastest.env.includes('OPENBLAS_CORETYPE') ? tunedEnv(coreType) : tunedEnv());
      const epoch = out
        ?.trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .find((record) => record.event === 'epoch');
      if (epoch) {
        torchEpoch = {
          epoch_s: epoch.epoch_s,
          eval_s: epoch.eval_s,
          peak_rss_mb: epoch.peak_rss_mb,
          ms_per_step_incl_sampling: epoch.ms_per_step_incl_sampling,
        };
        emit({ case: 'torch-epoch', env: fastest.env, ...torchEpoch });
      }
    }
  }
  // tfjs-node, where it installs (its install downloads libtensorflow, which some networks block): the
  // same BCE step on the 'tensorflow' backend; otherwise the reason it is not there.
  let tfjsNode: { ms_per_step: number } | { unavailable: string };
  {
    busy.tfjsNode = waitForQuiet('tfjs-node');
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'train-case.ts'), BEAUTY, 'tensorflow', '10', '50', '0'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    tfjsNode =
      run.status === 0
        ? { ms_per_step: Math.round((JSON.parse(run.stdout.trim().split('\n').pop()!) as OursResult).ms_per_step_median * 100) / 100 }
        : {
            unavailable:
              run.stderr
                .trim()
                .split('\n')
                .find((line) => line.startsWith('Error:'))
                ?.slice(7, 307) ?? 'the tensorflow backend did not start',
          };
    emit({ case: 'tfjs-node', ...tfjsNode });
  }

  // The strong losses, ours then PyTorch's, each a whole epoch (sampling included) on idle cores.
  const strong: Record<
    string,
    {
      ours_ms_per_step: number;
      ours_step_median_ms: number;
      ours_peak_rss_mb: number;
      torch_ms_per_step: number | null;
      torch_peak_rss_mb: number | null;
      ratio: number | null;
    }
  > = {};
  const fastestEnv = [...torchRuns].sort((a, b) => a.ms - b.ms)[0]?.env;
  for (const [name, loss, torchLoss] of [
    ['sampled_softmax_256', 'sampled_softmax', 'ss'],
    ['full_ce', 'ce', 'ce'],
  ] as const) {
    busy[`ours-${name}`] = waitForQuiet(`ours ${name}`);
    const ours = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'train-case.ts'), BEAUTY, backend, '5', '30', '1', loss, '256', '1'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (ours.status !== 0) throw new Error(`our ${name} case failed:\n${ours.stderr}`);
    const mine = JSON.parse(ours.stdout.trim().split('\n').pop()!) as OursResult & { epoch_ms_per_step_incl_sampling: number };
    emit({ case: `ours-${name}`, ...mine });
    let torchStep: { ms: number; rss: number } | undefined;
    if (!torchProblem && fastestEnv) {
      busy[`torch-${name}`] = waitForQuiet(`torch ${name}`);
      const out = runTorch(
        ['train', '--loss', torchLoss, '--negatives', '256', '--blocks', '1', '--epochs', '1', '--eval-every', '1'],
        fastestEnv.includes('OPENBLAS_CORETYPE') ? tunedEnv(coreType) : tunedEnv(),
      );
      const epoch = out
        ?.trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .find((record) => record.event === 'epoch');
      if (epoch) torchStep = { ms: epoch.ms_per_step_incl_sampling, rss: epoch.peak_rss_mb };
      emit({ case: `torch-${name}`, env: fastestEnv, ms_per_step_incl_sampling: torchStep?.ms ?? null, peak_rss_mb: torchStep?.rss ?? null });
    }
    strong[name] = {
      ours_ms_per_step: Math.round(mine.epoch_ms_per_step_incl_sampling * 100) / 100,
      ours_step_median_ms: Math.round(mine.ms_per_step_median * 100) / 100,
      ours_peak_rss_mb: mine.peak_rss_mb,
      torch_ms_per_step: torchStep?.ms ?? null,
      torch_peak_rss_mb: torchStep?.rss ?? null,
      ratio: torchStep ? Math.round((mine.epoch_ms_per_step_incl_sampling / torchStep.ms) * 100) / 100 : null,
    };
  }

  // A whole strong training: SASRec's preset (its config says only the backbone) on Beauty, to early stopping.
  let convergence: { wall_s: number; train_s: number; epochs: number; best_epoch: number; peak_rss_mb: number; loss: string; valid_ndcg10: number } | null =
    null;
  if (process.env.BENCH_SKIP_CONVERGENCE !== '1') {
    busy.convergence = waitForQuiet('convergence');
    const scratch = mkdtempSync(join(tmpdir(), 'grasp-bench-train-'));
    try {
      const file = join(scratch, 'run.json');
      writeFileSync(file, JSON.stringify({ name: 'bench-convergence', data: { path: BEAUTY }, model: { kind: 'sasrec' }, eval: { sampled: 0 } }));
      const started = Date.now();
      const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'grasp.js'), 'train', '--config', file, '--out', join(scratch, 'run'), '--quiet'], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      });
      if (run.status !== 0) throw new Error(`the convergence run failed:\n${run.stderr.trim().split('\n').slice(-5).join('\n')}`);
      const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
      const config = JSON.parse(readFileSync(join(scratch, 'run', 'config.json'), 'utf8'));
      convergence = {
        wall_s: Math.round((Date.now() - started) / 1000),
        train_s: Math.round(result.timing.train_s),
        epochs: result.epochs,
        best_epoch: result.best_epoch,
        peak_rss_mb: result.timing.peak_rss_mb,
        loss: `${config.train.loss}${config.train.loss === 'sampled_softmax' ? ` ${config.train.negatives}` : ''}, ${config.model.layers} block(s)`,
        valid_ndcg10: Math.round(result.metrics.valid.full['NDCG@10'] * 10000) / 10000,
      };
      emit({ case: 'convergence', ...convergence });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  const fastest = [...torchRuns].sort((a, b) => a.ms - b.ms)[0];
  const readme = torchRuns.find((run) => run.env === 'README tuned env');
  const round = (x: number) => Math.round(x * 100) / 100;
  emit({
    ours_ms_per_step: round(oursResult.ms_per_step_median),
    grasp_ms_per_step: graspResult ? round(graspResult.grasp_ms_per_step_median) : null,
    // ratio to plain SASRec at its strong preset, measured in the same process, interleaved (issue 15's goal ≤ 1.3)
    grasp_overhead: graspResult ? round(graspResult.grasp_overhead) : null,
    grasp_semantic_overhead: graspResult ? round(graspResult.grasp_semantic_overhead) : null,
    grasp_users_overhead: graspResult ? round(graspResult.grasp_users_overhead) : null,
    grasp_distrust_overhead: graspResult ? round(graspResult.grasp_distrust_overhead) : null,
    grasp_gru4rec_overhead: graspResult ? round(graspResult.grasp_gru4rec_overhead) : null,
    grasp_loss: graspResult?.loss ?? null,
    grasp_sasrec_ms_per_step: graspResult ? round(graspResult.sasrec_ms_per_step_median) : null,
    ours_ms_per_step_p10: round(oursResult.ms_per_step_p10),
    torch_ms_per_step: fastest ? round(fastest.ms) : null,
    ratio_vs_torch: fastest ? round(oursResult.ms_per_step_median / fastest.ms) : null,
    torch_env: fastest?.env ?? null,
    torch_ms_per_step_readme_env: readme ? round(readme.ms) : null,
    ratio_vs_torch_readme_env: readme ? round(oursResult.ms_per_step_median / readme.ms) : null,
    backend: oursResult.backend,
    native: oursResult.native,
    epoch_s: oursResult.epoch_s === null ? null : round(oursResult.epoch_s),
    torch_epoch_s: torchEpoch?.epoch_s ?? null,
    eval_s: round(oursResult.eval_s),
    eval_users: oursResult.eval_users,
    eval_valid_and_test_sampled_s: round(oursResult.eval_valid_and_test_sampled_s),
    torch_eval_s_valid_and_test: torchEpoch?.eval_s ?? null,
    peak_rss_mb: oursResult.peak_rss_mb,
    torch_peak_rss_mb: torchEpoch?.peak_rss_mb ?? null,
    strong_losses: strong,
    tfjs_node: tfjsNode,
    convergence,
    busy_share_before_each_case: busy,
    load_avg_before: loadBefore,
    load_avg_after: load(),
  });
}

main();
