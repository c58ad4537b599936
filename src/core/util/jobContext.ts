// What runs a job (the worker over JSON-RPC, or the CLI in-process) gives it: progress, log, events,
// cancellation and keys. The bottom of the core: every layer may take a context, so this imports nothing.

/** What the trainer (src/core/train/trainer.ts) reports as it goes; `valid` holds metrics by name (eval's Metrics). */
export type TrainEvent =
  | { event: 'step'; epoch: number; step: number; steps: number; loss: number; ms_per_step: number }
  | { event: 'epoch'; epoch: number; loss: number; steps: number; epoch_s: number; ms_per_step: number; sequences_per_s: number }
  | { event: 'eval'; epoch: number; valid: Record<string, number>; best: boolean; best_epoch: number; eval_s: number }
  | { event: 'early_stop'; epoch: number; best_epoch: number }
  | { event: 'time_budget'; epoch: number; best_epoch: number; minutes: number };

/**
 * What a train job reports as it goes (JobContext.event): the engine it runs on (as a person reads it), then
 * the trainer's epochs, validations and stops. Steps are not events: they ride on progress, throttled.
 */
export type TrainJobEvent = { event: 'engine'; description: string } | Exclude<TrainEvent, { event: 'step' }>;

/**
 * The structured events a job reports as it goes, for a live view (the run dashboard). Only training
 * reports events so far; another job's would join this union.
 */
export type JobEvent = TrainJobEvent;

/** What a long job gets from whoever runs it (the worker over JSON-RPC, or the CLI in-process). */
export interface JobContext {
  /**
   * fraction in [0, 1] when known; message is a short human-readable stage; series are numbers a live view
   * may plot (e.g. a training step's loss), sent with the progress so they need no second channel.
   */
  progress(update: { message?: string; fraction?: number; series?: Record<string, number> }): void;
  log(line: string): void;
  /**
   * Takes the job's structured events (see reportEvent). Absent: the runner shows a log and nothing live,
   * so each event goes to `log` as a line instead (the CLI's stderr has always carried them so).
   */
  event?(event: JobEvent): void;
  /** Jobs check this between chunks of work and throw CancelledError when it is true. */
  isCancelled(): boolean;
  /**
   * An API key from wherever the runner keeps them (the CLI's or the worker's environment), read only
   * when a call is about to be made. A function, not a field, so a key never rides along when a context
   * is logged, serialised or copied field by field. Absent: the runner has no keys.
   */
  secret?(name: SecretName): string | undefined;
}

/** The keys a job may ask for: each names the environment variable that carries it. */
export type SecretName = 'ANTHROPIC_API_KEY' | 'VOYAGE_API_KEY' | 'OPENAI_API_KEY';
export const SECRET_NAMES: readonly SecretName[] = ['ANTHROPIC_API_KEY', 'VOYAGE_API_KEY', 'OPENAI_API_KEY'];

/** A secret reader over an environment (the CLI's process, or the worker's): empty values count as absent. */
export function secretsFrom(env: NodeJS.ProcessEnv): (name: SecretName) => string | undefined {
  return (name) => env[name] || undefined;
}

/** An event as a log line: the engine in words, the trainer's events as the JSON objects log.jsonl holds. */
export function eventLogLine(event: JobEvent): string {
  return event.event === 'engine' ? `engine: ${event.description}` : JSON.stringify(event);
}

/**
 * Hands an event to the runner: typed when it takes events (the worker sends them as a protocol
 * notification, once), else as a line of the job's log.
 */
export function reportEvent(ctx: Pick<JobContext, 'event' | 'log'>, event: JobEvent): void {
  if (ctx.event) ctx.event(event);
  else ctx.log(eventLogLine(event));
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(ctx: Pick<JobContext, 'isCancelled'>): void {
  if (ctx.isCancelled()) throw new CancelledError();
}

/** A context that prints nothing and never cancels (tests, scripts). */
export const silentContext: JobContext = { progress() {}, log() {}, isCancelled: () => false };
