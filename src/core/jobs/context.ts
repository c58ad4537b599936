/** What a long job gets from whoever runs it (the worker over JSON-RPC, or the CLI in-process). */
export interface JobContext {
  /**
   * fraction in [0, 1] when known; message is a short human-readable stage; series are numbers a live view
   * may plot (e.g. a training step's loss), sent with the progress so they need no second channel.
   */
  progress(update: { message?: string; fraction?: number; series?: Record<string, number> }): void;
  log(line: string): void;
  /** Jobs check this between chunks of work and throw CancelledError when it is true. */
  isCancelled(): boolean;
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
