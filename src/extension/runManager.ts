// Runs jobs in worker processes (one per job: simple, and a cancel can always end in a kill) and shows
// them the VS Code way: a cancellable progress notification, a status-bar item, the "GRASP" output
// channel, and a notification when the job ends.
import * as vscode from 'vscode';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
// One small function with no imports: the output channel shows an event as the CLI prints it.
import { eventLogLine } from '../core/util/jobContext';
import { WorkerClient, type JobHandlers } from '../worker/client';
import { JobCancelledError, JobFailedError, WorkerExitedError } from '../worker/errors';
import type { JobEvent, JobKind, JobParams, JobProgressParams, JobResult } from '../worker/protocol';
import { nodePath } from './settings';

export interface RunAction {
  title: string;
  run(): void | Thenable<unknown>;
}

export interface RunRequest<K extends JobKind> {
  kind: K;
  params: JobParams<K>;
  /** Shown in the progress notification, the status bar and the log, e.g. "Statistics of ml-100k". */
  title: string;
  /** The file a failure is about, when the error itself does not say. */
  subjectFile?: string;
  /** Extra listener, e.g. a webview showing its own progress. */
  onProgress?: (update: Omit<JobProgressParams, 'jobId'>) => void;
  /** Each structured event of the job (training's engine, epochs, validations, stops), e.g. for a dashboard. */
  onEvent?: (event: JobEvent) => void;
  /** Headline for the end notification and its buttons; no summary, no notification (the caller reports). */
  summarize?: (result: JobResult<K>) => { text: string; actions?: RunAction[] } | undefined;
  /** Quick jobs skip the progress notification (the status bar still shows them). */
  quiet?: boolean;
  /** Lets the caller cancel too, e.g. a webview's Cancel button or its panel closing. */
  cancellation?: vscode.CancellationToken;
  /**
   * Runs on the long-lived shared worker instead of a fresh process: quick read jobs asked again and
   * again (Inspect Neighbours, the runs list), whose worker keeps what it loaded warm between them. Not
   * shown in the status bar; a cancel stops the job, not the worker.
   */
  background?: boolean;
}

/** A job that ended, for listeners such as the runs tree (a train job writes a run folder). */
export interface RunEnded {
  kind: JobKind;
  status: RunOutcome<JobKind>['status'];
}

/** The shared worker stops after this long without a job, freeing what it kept warm. */
const SHARED_IDLE_MS = 10 * 60_000;

export type RunOutcome<K extends JobKind> =
  { status: 'done'; result: JobResult<K>; seconds: number } | { status: 'cancelled' } | { status: 'failed'; message: string };

interface ActiveRun {
  id: number;
  title: string;
  fraction?: number;
  cancel(): void;
}

export class RunManager implements vscode.Disposable {
  private readonly active = new Map<number, ActiveRun>();
  private readonly statusItem = vscode.window.createStatusBarItem('grasp.run', vscode.StatusBarAlignment.Left, 10);
  private nextId = 1;
  private shared: Promise<WorkerClient> | undefined;
  private sharedJobs = 0;
  private sharedIdle: NodeJS.Timeout | undefined;
  private readonly started = new vscode.EventEmitter<{ kind: JobKind; title: string }>();
  private readonly ended = new vscode.EventEmitter<RunEnded>();
  /** A job (not a background one) started: e.g. a training run whose folder the runs tree should show. */
  readonly onDidStartRun = this.started.event;
  readonly onDidEndRun = this.ended.event;

  constructor(
    private readonly workerPath: string,
    private readonly log: vscode.LogOutputChannel,
    /** The worker's environment; the API keys from secret storage are added here and nowhere else. */
    private readonly workerEnv: () => Promise<NodeJS.ProcessEnv>,
  ) {
    this.statusItem.name = 'GRASP run';
    this.statusItem.command = 'grasp.cancelRun';
  }

  get runs(): ReadonlyArray<Pick<ActiveRun, 'id' | 'title' | 'cancel'>> {
    return [...this.active.values()];
  }

  run<K extends JobKind>(request: RunRequest<K>): Promise<RunOutcome<K>> {
    if (request.background) return this.executeShared(request);
    if (request.quiet) return this.execute(request);
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: request.title, cancellable: true }, (progress, token) => {
        let reported = 0; // withProgress takes increments, the worker sends fractions
        return this.execute(request, token, (update) => {
          const increment = update.fraction !== undefined ? Math.max(0, update.fraction * 100 - reported) : undefined;
          if (increment !== undefined) reported += increment;
          progress.report({ message: update.message, increment });
        });
      }),
    );
  }

  private async execute<K extends JobKind>(
    request: RunRequest<K>,
    token?: vscode.CancellationToken,
    reportProgress?: (update: Omit<JobProgressParams, 'jobId'>) => void,
  ): Promise<RunOutcome<K>> {
    const id = this.nextId++;
    const tag = `${request.kind}#${id}`;
    const cancelSource = new CancellationTokenSource();
    let client: WorkerClient | undefined;
    let cancelledAt: number | undefined;
    const run: ActiveRun = {
      id,
      title: request.title,
      cancel: () => {
        if (cancelledAt !== undefined) return;
        cancelledAt = Date.now();
        this.log.info(`[${tag}] cancel requested`);
        cancelSource.cancel(); // $/cancelRequest: the job stops at its next check
        void client?.stop(); // and the process goes: shutdown, then SIGTERM, then SIGKILL
      },
    };
    this.active.set(id, run);
    this.updateStatus();
    this.started.fire({ kind: request.kind, title: request.title });
    let status: RunOutcome<K>['status'] = 'failed';
    const subscriptions = [token, request.cancellation].map((source) => source?.onCancellationRequested(run.cancel));
    if (request.cancellation?.isCancellationRequested) run.cancel();
    const started = Date.now();
    this.log.info(`[${tag}] ${request.title}`);
    try {
      client = await WorkerClient.start({
        workerPath: this.workerPath,
        nodePath: nodePath(),
        env: await this.workerEnv(),
        client: 'vscode-extension',
        // The worker's own diagnostics are routine; anything else on its stderr (a crash, a library warning) is not.
        onStderr: (line) => (line.startsWith('[grasp-worker') ? this.log.debug(`[${tag}] ${line}`) : this.log.warn(`[${tag}] ${line}`)),
      });
      if (cancelledAt !== undefined) throw new JobCancelledError();
      const result = await client.run(request.kind, request.params, {
        ...this.logged(tag, request),
        token: cancelSource.token,
        onProgress: (update) => {
          run.fraction = update.fraction ?? run.fraction;
          this.updateStatus();
          reportProgress?.(update);
          request.onProgress?.(update);
        },
      });
      const seconds = (Date.now() - started) / 1000;
      this.log.info(`[${tag}] done in ${seconds.toFixed(1)} s`);
      status = 'done';
      this.notifyDone(request, result, seconds);
      return { status: 'done', result, seconds };
    } catch (error) {
      if (error instanceof JobCancelledError || cancelledAt !== undefined) {
        this.log.info(`[${tag}] cancelled`);
        status = 'cancelled';
        return { status: 'cancelled' };
      }
      const message = error instanceof JobFailedError ? error.describe(request.subjectFile) : errorText(error, request.subjectFile);
      this.log.error(`[${tag}] failed: ${message}`);
      void vscode.window.showErrorMessage(`${request.title} failed: ${message}`, 'Show Log').then((pick) => pick && this.log.show());
      return { status: 'failed', message };
    } finally {
      for (const subscription of subscriptions) subscription?.dispose();
      const exit = await client?.stop();
      if (cancelledAt !== undefined && exit) {
        this.log.info(`[${tag}] worker ${client?.pid} gone ${Date.now() - cancelledAt} ms after the cancel (${exit.signal ?? `code ${exit.code}`})`);
      }
      this.active.delete(id);
      this.updateStatus();
      this.ended.fire({ kind: request.kind, status });
    }
  }

  /** The shared worker, started on first use and again after it exited. */
  private sharedWorker(): Promise<WorkerClient> {
    const current = this.shared;
    if (current) {
      return current.then(
        (client) => (client.hasExited ? this.startShared() : client),
        () => this.startShared(),
      );
    }
    return this.startShared();
  }

  private startShared(): Promise<WorkerClient> {
    const starting = (async () =>
      WorkerClient.start({
        workerPath: this.workerPath,
        nodePath: nodePath(),
        env: await this.workerEnv(),
        client: 'vscode-extension (shared)',
        onStderr: (line) => (line.startsWith('[grasp-worker') ? this.log.debug(`[shared] ${line}`) : this.log.warn(`[shared] ${line}`)),
      }))();
    this.shared = starting;
    starting.catch(() => {
      if (this.shared === starting) this.shared = undefined;
    });
    return starting;
  }

  private async executeShared<K extends JobKind>(request: RunRequest<K>): Promise<RunOutcome<K>> {
    const id = this.nextId++;
    const tag = `${request.kind}#${id}`;
    const cancelSource = new CancellationTokenSource();
    const subscription = request.cancellation?.onCancellationRequested(() => cancelSource.cancel());
    if (request.cancellation?.isCancellationRequested) cancelSource.cancel();
    this.sharedJobs++;
    clearTimeout(this.sharedIdle);
    const started = Date.now();
    this.log.debug(`[${tag}] ${request.title} (shared worker)`);
    try {
      const client = await this.sharedWorker();
      if (cancelSource.token.isCancellationRequested) throw new JobCancelledError();
      const result = await client.run(request.kind, request.params, {
        ...this.logged(tag, request),
        token: cancelSource.token,
        onProgress: (update) => request.onProgress?.(update),
      });
      const seconds = (Date.now() - started) / 1000;
      this.log.debug(`[${tag}] done in ${(seconds * 1000).toFixed(0)} ms`);
      this.notifyDone(request, result, seconds);
      return { status: 'done', result, seconds };
    } catch (error) {
      if (error instanceof JobCancelledError || cancelSource.token.isCancellationRequested) return { status: 'cancelled' };
      const message = error instanceof JobFailedError ? error.describe(request.subjectFile) : errorText(error, request.subjectFile);
      this.log.error(`[${tag}] failed: ${message}`);
      if (!request.quiet) void vscode.window.showErrorMessage(`${request.title} failed: ${message}`, 'Show Log').then((pick) => pick && this.log.show());
      return { status: 'failed', message };
    } finally {
      subscription?.dispose();
      if (--this.sharedJobs === 0) this.sharedIdle = setTimeout(() => void this.stopShared(), SHARED_IDLE_MS);
    }
  }

  private async stopShared(): Promise<void> {
    const shared = this.shared;
    this.shared = undefined;
    await shared?.then(
      (client) => client.stop(),
      () => undefined,
    );
  }

  /** A job's log lines and events go to the output channel (under its tag), its events on to the request too. */
  private logged<K extends JobKind>(tag: string, request: RunRequest<K>): Pick<JobHandlers, 'onLog' | 'onEvent'> {
    return {
      onLog: (line) => this.log.info(`[${tag}] ${line}`),
      onEvent: (event) => {
        this.log.info(`[${tag}] ${eventLogLine(event)}`);
        request.onEvent?.(event);
      },
    };
  }

  private notifyDone<K extends JobKind>(request: RunRequest<K>, result: JobResult<K>, seconds: number): void {
    const summary = request.summarize?.(result);
    if (!summary) return;
    const actions = summary.actions ?? [];
    void vscode.window
      .showInformationMessage(`${request.title}: ${summary.text} (${seconds.toFixed(1)} s)`, ...actions.map((action) => action.title))
      .then((picked) => actions.find((action) => action.title === picked)?.run());
  }

  private updateStatus(): void {
    const runs = [...this.active.values()];
    if (runs.length === 0) {
      this.statusItem.hide();
      return;
    }
    const latest = runs[runs.length - 1];
    const percent = latest.fraction !== undefined ? ` ${Math.round(latest.fraction * 100)}%` : '';
    const more = runs.length > 1 ? ` (+${runs.length - 1})` : '';
    this.statusItem.text = `$(loading~spin) GRASP: ${latest.title}${percent}${more}`;
    this.statusItem.tooltip = 'A GRASP job is running. Click to cancel it.';
    this.statusItem.show();
  }

  dispose(): void {
    for (const run of this.active.values()) run.cancel();
    clearTimeout(this.sharedIdle);
    void this.stopShared();
    this.statusItem.dispose();
    this.started.dispose();
    this.ended.dispose();
  }
}

function errorText(error: unknown, subjectFile?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof WorkerExitedError) return message; // about the worker, not the file
  return subjectFile && !message.includes(subjectFile) ? `${subjectFile}: ${message}` : message;
}
