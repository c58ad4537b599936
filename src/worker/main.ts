// Worker entry (dist/worker.js): a child process that runs heavy jobs for the extension, the CLI or a test,
// speaking the protocol in ./protocol.ts as JSON-RPC over its stdio. stdout carries protocol messages only;
// every diagnostic goes to stderr or to the job's log notifications.
import { Writable } from 'node:stream';
import { ResponseError, StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { engineInfo } from '../core/engine/state';
import { secretsFrom, type JobContext } from '../core/jobs';
import { isJobKind, runJob, toResponseError } from './jobs';
import {
  ErrorCode,
  InitializeRequest,
  JobEventNotification,
  JobLogNotification,
  JobProgressNotification,
  JobStartRequest,
  PROTOCOL_VERSION,
  ShutdownRequest,
  type JobProgressParams,
} from './protocol';

/** Progress notifications at most this often, unless the stage message changes or the job completes. */
const PROGRESS_INTERVAL_MS = 100;

const rpcOut = claimStdoutForProtocol();
const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(rpcOut));
let shuttingDown = false;
let exiting = false;

function log(message: string): void {
  process.stderr.write(`[grasp-worker ${process.pid}] ${message}\n`);
}

function exit(code: number, reason: string): void {
  if (exiting) return;
  exiting = true;
  log(`exiting (${reason})`);
  process.exit(code);
}

connection.onRequest(InitializeRequest, (params) => {
  if (params.protocolVersion !== PROTOCOL_VERSION) {
    throw new ResponseError(
      ErrorCode.VersionMismatch,
      `The worker speaks GRASP protocol ${PROTOCOL_VERSION} but ${params.client} speaks ${params.protocolVersion}; rebuild with \`npm run build\`.`,
    );
  }
  log(`initialized by ${params.client}`);
  return {
    protocolVersion: PROTOCOL_VERSION,
    pid: process.pid,
    nodeVersion: process.version,
    platform: process.platform,
    tensorBackend: engineInfo()?.backend ?? null,
  };
});

connection.onRequest(JobStartRequest, async (start, token) => {
  if (shuttingDown) throw new ResponseError(ErrorCode.ShuttingDown, 'The worker is shutting down.');
  if (!isJobKind(start.kind)) throw new ResponseError(ErrorCode.UnknownJob, `Unknown job kind: ${String(start.kind)}`);
  const { jobId } = start;
  const ctx: JobContext = {
    progress: throttledProgress((update) => void connection.sendNotification(JobProgressNotification, { jobId, ...update })),
    log: (line) => void connection.sendNotification(JobLogNotification, { jobId, line }),
    event: (event) => void connection.sendNotification(JobEventNotification, { jobId, event }),
    // The token flips when the client sends $/cancelRequest for this very request.
    isCancelled: () => token.isCancellationRequested || shuttingDown,
    // Keys live in this process's environment (the run manager put them there from secret storage); they never cross the protocol.
    secret: secretsFrom(process.env),
  };
  const started = Date.now();
  try {
    const result = await runJob(start.kind, start.params, ctx);
    log(`job ${jobId} (${start.kind}) done in ${Date.now() - started} ms`);
    return result;
  } catch (error) {
    const response = toResponseError(error);
    log(`job ${jobId} (${start.kind}) ${response.code === ErrorCode.JobCancelled ? 'cancelled' : `failed: ${response.message}`}`);
    throw response;
  }
});

connection.onRequest(ShutdownRequest, () => {
  shuttingDown = true; // running jobs see isCancelled() and stop at their next check
  // Exit after the answer is out: the writer hands it to the pipe within an event-loop turn or two.
  setTimeout(() => exit(0, 'shutdown requested'), 50);
  return { ok: true };
});

// The parent went away (closed our stdin, or our stdout pipe broke): nobody is left to report to.
connection.onClose(() => exit(0, 'connection closed'));
process.stdin.on('end', () => exit(0, 'stdin ended'));
process.stdout.on('error', () => exit(0, 'stdout closed'));
process.on('SIGTERM', () => exit(143, 'SIGTERM'));

connection.listen();

/**
 * Keeps stdout for protocol frames only: anything else that writes to process.stdout (a stray console.log in
 * a dependency, tfjs's banner) is sent to stderr instead of corrupting the JSON-RPC stream.
 */
function claimStdoutForProtocol(): Writable {
  const writeToStdout = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  console.log = console.info = console.debug = console.error;
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writeToStdout(chunk, (error) => callback(error ?? null));
    },
  });
}

function throttledProgress(send: (update: Omit<JobProgressParams, 'jobId'>) => void): JobContext['progress'] {
  let lastSent = 0;
  let lastMessage: string | undefined;
  return (update) => {
    const now = Date.now();
    const important = update.message !== lastMessage || update.fraction === 1;
    if (!important && now - lastSent < PROGRESS_INTERVAL_MS) return;
    lastSent = now;
    lastMessage = update.message;
    send(update);
  };
}
