// The training loop: epochs of shuffled batches, validation every evalEvery epochs, early stopping on
// validation NDCG@10 with patience, a checkpoint at each new best. Cancellation is checked before
// every step, so a cancelled run stops within one step; checkpoints are only ever replaced
// atomically, so the last good one survives. After each validation the whole training state (weights,
// optimiser moments, random streams, early-stopping state) is handed to onSnapshot, and a run given that
// state back continues exactly where it was, as if never stopped.
import type { Split } from '../data/types';
import { Adam } from '../engine/adam';
import { evaluate, trainingPopularity, type EvalResult } from '../eval/evaluator';
import { throwIfCancelled, type JobContext, type TrainEvent } from '../util/jobContext';
import { MODEL_DEFAULTS, type SequentialRecommender } from '../model/types';
import { Random } from '../util/random';
import type { RunConfig } from './config';
import { ClozeSampler, NextItemSampler, negativeSamplingFor, type BatchSampler } from './sampler';
import { formatEta, trainingEta } from './eta';
import { trainStep } from './step';

// The event shapes live with the job context (the protocol carries them to the run dashboard).
export type { TrainEvent };

export interface TrainOutcome {
  bestEpoch: number;
  bestValid?: EvalResult;
  epochs: number;
  trainSeconds: number;
  history: TrainEvent[];
  /** mean ms per step over all epochs (sampling included) */
  msPerStep: number;
}

/** Everything besides the weights that the next epoch depends on. */
export interface TrainerSnapshot {
  /** the last finished epoch */
  epoch: number;
  best: { epoch: number; ndcg: number };
  evalsSinceBest: number;
  trainSeconds: number;
  totalSteps: number;
  history: TrainEvent[];
  optimizer: { step: number; moments: ReadonlyMap<string, { m: Float32Array; v: Float32Array }> };
  random: { sampler: number; model: number[] };
}

export interface TrainerOptions {
  config: RunConfig;
  split: Split;
  model: SequentialRecommender;
  ctx: JobContext;
  onEvent?: (event: TrainEvent) => void;
  /** called with each new best epoch (write the checkpoint here) */
  onBest?: (epoch: number, valid: EvalResult) => Promise<void>;
  /** called after each validation that does not end the run (write a resume point here) */
  onSnapshot?: (snapshot: TrainerSnapshot) => Promise<void>;
  /** continue from this state (the model already holds its weights) */
  resume?: TrainerSnapshot;
}

export async function train({ config, split, model, ctx, onEvent, onBest, onSnapshot, resume }: TrainerOptions): Promise<TrainOutcome> {
  const { train: settings } = config;
  const optimizer = new Adam(model.namedVariables(), { lr: settings.lr, beta1: settings.beta1, beta2: settings.beta2, epsilon: settings.epsilon });
  const samplerRandom = new Random(settings.seed ^ 0x1234567);
  const sampling = negativeSamplingFor(
    settings.loss,
    settings.negatives,
    settings.negativeSampling === 'popularity' ? trainingPopularity(split, model.numItems) : undefined,
  );
  const sampler: BatchSampler =
    model.objective === 'cloze'
      ? new ClozeSampler(
          split.train,
          model.numItems,
          model.config.maxLen,
          model.numItems + 1,
          model.config.maskProb ?? MODEL_DEFAULTS.maskProb,
          sampling,
          samplerRandom,
        )
      : new NextItemSampler(split.train, model.numItems, model.config.maxLen, sampling, samplerRandom);
  const history: TrainEvent[] = resume ? [...resume.history] : [];
  const emit = (event: TrainEvent): void => {
    history.push(event);
    onEvent?.(event);
  };
  const fullSteps = sampler.batchesPerEpoch(settings.batchSize);
  const stepsPerEpoch = settings.maxStepsPerEpoch > 0 ? Math.min(fullSteps, settings.maxStepsPerEpoch) : fullSteps;
  let best: { epoch: number; ndcg: number; result?: EvalResult } = resume ? { ...resume.best } : { epoch: 0, ndcg: -Infinity };
  let evalsSinceBest = resume?.evalsSinceBest ?? 0;
  let trainSeconds = resume?.trainSeconds ?? 0;
  let totalSteps = resume?.totalSteps ?? 0;
  let epoch = resume?.epoch ?? 0;
  if (resume) {
    optimizer.restore(resume.optimizer.step, resume.optimizer.moments);
    samplerRandom.restore(resume.random.sampler);
    const streams = model.randomStreams();
    if (streams.length !== resume.random.model.length)
      throw new Error(`the resume point has ${resume.random.model.length} random streams, the model ${streams.length}`);
    streams.forEach((stream, i) => stream.restore(resume.random.model[i]));
  }
  const secondsBefore = trainSeconds;
  const trainingStarted = performance.now();
  try {
    for (epoch = epoch + 1; epoch <= settings.epochs; epoch++) {
      const started = performance.now();
      let lossSum = 0;
      let counted = 0;
      let step = 0;
      let sequences = 0;
      let lastReport = started;
      for (const batch of sampler.epoch(settings.batchSize)) {
        if (step >= stepsPerEpoch) break;
        throwIfCancelled(ctx);
        const loss = trainStep(model, optimizer, batch, settings.loss, settings.sparseEmbedding);
        step++;
        sequences += batch.batchSize;
        if (Number.isFinite(loss)) {
          lossSum += loss;
          counted++;
        }
        const now = performance.now();
        if (now - lastReport > 1000 || step === stepsPerEpoch) {
          lastReport = now;
          const msPerStep = (now - started) / step;
          const eta = trainingEta({
            ...settings,
            epochsDone: epoch - 1 + step / stepsPerEpoch,
            elapsedSeconds: secondsBefore + (now - trainingStarted) / 1000,
            evalsSinceBest,
          });
          const timing = eta && epoch > 1 ? ` · ${formatEta(eta, settings.epochs)}` : '';
          ctx.progress({
            message: `Epoch ${epoch}/${settings.epochs}, step ${step}/${stepsPerEpoch}, loss ${(lossSum / Math.max(1, counted)).toFixed(4)}${timing}`,
            fraction: (epoch - 1 + step / stepsPerEpoch) / settings.epochs,
            series: { epoch, step, steps: stepsPerEpoch, loss: lossSum / Math.max(1, counted) },
          });
          onEvent?.({ event: 'step', epoch, step, steps: stepsPerEpoch, loss: lossSum / Math.max(1, counted), ms_per_step: msPerStep });
        }
        // Let the event loop breathe (progress, cancellation requests) between steps.
        if (step % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      const seconds = (performance.now() - started) / 1000;
      trainSeconds += seconds;
      totalSteps += step;
      emit({
        event: 'epoch',
        epoch,
        loss: lossSum / Math.max(1, counted),
        steps: step,
        epoch_s: seconds,
        ms_per_step: (1000 * seconds) / Math.max(1, step),
        sequences_per_s: sequences / Math.max(1e-9, seconds),
      });
      if (!Number.isFinite(lossSum)) throw new Error(`training diverged at epoch ${epoch} (loss ${lossSum})`);
      // the wall-time budget (training and validation alike) ends the run after this epoch, validated
      const outOfTime = settings.maxMinutes > 0 && secondsBefore + (performance.now() - trainingStarted) / 1000 >= settings.maxMinutes * 60;

      if (epoch % settings.evalEvery === 0 || epoch === settings.epochs || outOfTime) {
        const valid = await evaluate(model, split, 'valid', { ...config.eval, sampled: 0 }, ctx);
        const ndcg = valid.full['NDCG@10'];
        const improved = ndcg > best.ndcg;
        if (improved) {
          best = { epoch, ndcg, result: valid };
          evalsSinceBest = 0;
          await onBest?.(epoch, valid);
        } else evalsSinceBest++;
        emit({ event: 'eval', epoch, valid: valid.full, best: improved, best_epoch: best.epoch, eval_s: valid.seconds });
        if (settings.patience > 0 && evalsSinceBest >= settings.patience) {
          emit({ event: 'early_stop', epoch, best_epoch: best.epoch });
          break;
        }
        if (outOfTime) {
          emit({ event: 'time_budget', epoch, best_epoch: best.epoch, minutes: settings.maxMinutes });
          break;
        }
        if (onSnapshot && epoch < settings.epochs && optimizer.resumable) {
          await onSnapshot({
            epoch,
            best: { epoch: best.epoch, ndcg: best.ndcg },
            evalsSinceBest,
            trainSeconds,
            totalSteps,
            history: [...history],
            optimizer: optimizer.state(),
            random: { sampler: samplerRandom.snapshot(), model: model.randomStreams().map((stream) => stream.snapshot()) },
          });
        }
      }
    }
  } finally {
    optimizer.dispose();
  }
  return {
    bestEpoch: best.epoch,
    bestValid: best.result,
    epochs: Math.min(epoch, settings.epochs),
    trainSeconds,
    history,
    msPerStep: totalSteps === 0 ? 0 : (1000 * trainSeconds) / totalSteps,
  };
}
