// Client side of a job's failure: the worker sends a ResponseError with a code from the protocol
// (see toResponseError in jobs.ts), and this turns it back into an error class the caller can `instanceof`.
// Imports no core code, so the extension bundle stays free of it.
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCode, type JobErrorData } from './protocol';

/** Client side: the job stopped because it was cancelled. */
export class JobCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelledError';
  }
}

/** Client side: the job threw in the worker. `file`/`line` say where, when the core knew. */
export class JobFailedError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'JobFailedError';
  }

  /** `path:line: message`, without repeating the path when the message already names it. */
  describe(fallbackFile?: string): string {
    const file = this.file ?? fallbackFile;
    if (!file) return this.message;
    const where = this.line !== undefined ? `${file}:${this.line}` : file;
    return this.message.includes(where) ? this.message : `${where}: ${this.message}`;
  }
}

/** Client side: the worker process went away (crash, kill, failed start) before answering. */
export class WorkerExitedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerExitedError';
  }
}

export function fromResponseError(error: unknown): Error {
  if (!(error instanceof ResponseError)) return error instanceof Error ? error : new Error(String(error));
  if (error.code === ErrorCode.JobCancelled) return new JobCancelledError();
  if (error.code === ErrorCode.JobFailed) {
    const data = error.data as JobErrorData | undefined;
    return new JobFailedError(error.message, data?.file, data?.line);
  }
  return new Error(error.message);
}
