// Starts a worker process and drives it over the protocol. Free of `vscode`, so the extension's run manager,
// the tests and (later) the CLI all start and stop the worker the same way.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  CancellationToken,
  ErrorCodes,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  createMessageConnection,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { JobCancelledError, WorkerExitedError, fromResponseError } from './errors';
import {
  InitializeRequest,
  JobEventNotification,
  JobLogNotification,
  JobProgressNotification,
  JobStartRequest,
  PROTOCOL_VERSION,
  ShutdownRequest,
  type InitializeResult,
  type JobEvent,
  type JobKind,
  type JobParams,
  type JobProgressParams,
  type JobResult,
  type JobStartParams,
} from './protocol';

export interface WorkerLaunchOptions {
  /** Path of dist/worker.js. */
  workerPath: string;
  /** Node executable; defaults to the current one (in the extension host that is Electron, run as node). */
  nodePath?: string;
  /** The child's whole environment (e.g. with ANTHROPIC_API_KEY); defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Name given in `initialize`, shown in the worker's log. */
  client?: string;
  /** Each line the worker writes to stderr (its diagnostics). */
  onStderr?: (line: string) => void;
}

export interface JobHandlers {
  jobId?: string;
  token?: CancellationToken;
  onProgress?: (update: Omit<JobProgressParams, 'jobId'>) => void;
  onLog?: (line: string) => void;
  /** Each structured event of the job (training's engine, epochs, validations, stops). */
  onEvent?: (event: JobEvent) => void;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Escalation when stopping: shutdown request, then SIGTERM after GRACE, then SIGKILL after TERM_WAIT. */
export const STOP_GRACE_MS = 600;
export const STOP_TERM_WAIT_MS = 700;
/** A healthy worker answers `initialize` in well under a second, even on a busy machine. */
const INITIALIZE_TIMEOUT_MS = 15_000;

export class WorkerClient {
  private readonly progressHandlers = new Map<string, NonNullable<JobHandlers['onProgress']>>();
  private readonly logHandlers = new Map<string, NonNullable<JobHandlers['onLog']>>();
  private readonly eventHandlers = new Map<string, NonNullable<JobHandlers['onEvent']>>();
  private exitInfo: WorkerExit | undefined;
  private stopping: Promise<WorkerExit> | undefined;
  /** Resolves when the process is gone, however it went. */
  readonly exited: Promise<WorkerExit>;
  info: InitializeResult | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly connection: MessageConnection,
  ) {
    this.exited = new Promise((resolve) => {
      const done = (exit: WorkerExit) => {
        this.exitInfo ??= exit;
        resolve(this.exitInfo);
      };
      child.once('exit', (code, signal) => done({ code, signal }));
      // A process that never started emits 'error' and may never emit 'exit'.
      child.once('error', () => child.pid === undefined && done({ code: null, signal: null }));
    });
    connection.onNotification(JobProgressNotification, ({ jobId, ...update }) => this.progressHandlers.get(jobId)?.(update));
    connection.onNotification(JobLogNotification, ({ jobId, line }) => this.logHandlers.get(jobId)?.(line));
    connection.onNotification(JobEventNotification, ({ jobId, event }) => this.eventHandlers.get(jobId)?.(event));
  }

  /** Spawns the worker and completes the version handshake; rejects if either fails. */
  static async start(options: WorkerLaunchOptions): Promise<WorkerClient> {
    const child = spawn(options.nodePath ?? process.execPath, [options.workerPath], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Electron (the VS Code extension host) behaves as plain node only with this set.
      env: { ...(options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      windowsHide: true,
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new WorkerExitedError(`Cannot start the GRASP worker with ${options.nodePath ?? process.execPath}: ${error.message}`)),
      );
    });
    if (options.onStderr) forwardLines(child, options.onStderr);
    // stdio: 'pipe' guarantees the three streams exist.
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    child.stdin!.on('error', () => undefined); // EPIPE after the worker died; the exit handler reports it
    const client = new WorkerClient(child, connection);
    connection.listen();
    try {
      await spawned;
      const handshake = client.untilExit(connection.sendRequest(InitializeRequest, { protocolVersion: PROTOCOL_VERSION, client: options.client ?? 'client' }));
      client.info = await withDeadline(
        handshake,
        INITIALIZE_TIMEOUT_MS,
        // e.g. grasp.nodePath names a program that is not node and just waits on its stdin
        `The GRASP worker did not answer within ${INITIALIZE_TIMEOUT_MS / 1000} s (${options.nodePath ?? process.execPath} ${options.workerPath}).`,
      );
      return client;
    } catch (error) {
      await client.stop();
      throw error instanceof WorkerExitedError ? error : fromResponseError(error);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Runs one job. Cancelling `token` sends $/cancelRequest; the promise then rejects with JobCancelledError. */
  async run<K extends JobKind>(kind: K, params: JobParams<K>, handlers: JobHandlers = {}): Promise<JobResult<K>> {
    const jobId = handlers.jobId ?? randomUUID();
    if (handlers.onProgress) this.progressHandlers.set(jobId, handlers.onProgress);
    if (handlers.onLog) this.logHandlers.set(jobId, handlers.onLog);
    if (handlers.onEvent) this.eventHandlers.set(jobId, handlers.onEvent);
    // The union type cannot see that `kind` and `params` belong together; JobStartParams is built from JobTypes.
    const start = { jobId, kind, params } as JobStartParams;
    try {
      const result = await this.untilExit(this.connection.sendRequest(JobStartRequest, start, handlers.token ?? CancellationToken.None));
      return result as JobResult<K>;
    } catch (error) {
      if (handlers.token?.isCancellationRequested && error instanceof WorkerExitedError) throw new JobCancelledError();
      throw error instanceof WorkerExitedError ? error : fromResponseError(error);
    } finally {
      this.progressHandlers.delete(jobId);
      this.logHandlers.delete(jobId);
      this.eventHandlers.delete(jobId);
    }
  }

  /**
   * Stops the worker and resolves once the process is gone: asks it to shut down, then SIGTERM after
   * STOP_GRACE_MS, then SIGKILL after STOP_TERM_WAIT_MS more, so it is gone within about 1.3 s whatever it runs.
   * Safe to call more than once: every call waits for the same exit.
   */
  stop(): Promise<WorkerExit> {
    this.stopping ??= this.escalateUntilGone();
    return this.stopping;
  }

  private async escalateUntilGone(): Promise<WorkerExit> {
    if (!this.exitInfo) {
      this.connection.sendRequest(ShutdownRequest).catch(() => undefined);
      if (!(await this.exitsWithin(STOP_GRACE_MS))) {
        this.child.kill('SIGTERM');
        if (!(await this.exitsWithin(STOP_TERM_WAIT_MS))) this.child.kill('SIGKILL');
      }
    }
    const exit = await this.exited;
    this.connection.dispose();
    return exit;
  }

  private async exitsWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const gone = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return gone;
  }

  /** A request never answered because the worker died rejects with WorkerExitedError, not a bare rejection. */
  private async untilExit<T>(request: Promise<T>): Promise<T> {
    const died = Symbol('died');
    try {
      return await Promise.race([request, this.exited.then(() => Promise.reject(died))]);
    } catch (error) {
      const connectionLost = error instanceof ResponseError && error.code === ErrorCodes.PendingResponseRejected;
      if (error !== died && !connectionLost) throw error;
      // The pipe can close a moment before 'exit' fires; wait briefly so the message can say how it ended.
      const exit = (await this.exitsWithin(500)) ? this.exitInfo : undefined;
      const how = exit ? (exit.signal ?? `code ${exit.code}`) : 'connection lost';
      throw new WorkerExitedError(`The GRASP worker exited (${how}) before answering; see its log.`);
    }
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new WorkerExitedError(message)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function forwardLines(child: ChildProcess, onLine: (line: string) => void): void {
  let pending = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  });
  child.stderr?.on('end', () => pending.trim() && onLine(pending));
}
