// What each job kind runs in the worker. The table is typed by the protocol's JobTypes, so a handler that
// returns the wrong shape, or a kind without a handler, fails the typecheck rather than the user. Each kind
// is src/core/jobs/<kind>.ts (the only part of the core imported here), but keyCheck: it reads this process's
// own environment.
import { createHash } from 'node:crypto';
import { ResponseError } from 'vscode-jsonrpc';
import { CancelledError, demoJob, statsJob, type JobContext } from '../core/jobs';
import { installAcceleratorJob } from '../core/jobs/installAccelerator';
import { synthesizeJob } from '../core/jobs/synthesize';
import { embedJob } from '../core/jobs/embed';
import { indexJob } from '../core/jobs/indexJob';
import { neighboursJob } from '../core/jobs/neighbours';
import { exportJob } from '../core/jobs/export';
import { inspectJob } from '../core/jobs/inspect';
import { entityListJob } from '../core/jobs/entityList';
import { compareRunsJob } from '../core/jobs/compareRuns';
import { listRunsJob } from '../core/jobs/listRuns';
import { readRunJob } from '../core/jobs/readRun';
import { flagJob } from '../core/jobs/flag';
import { annotateJob } from '../core/jobs/annotate';
import { appendAnnotationJob } from '../core/jobs/appendAnnotation';
import {
  ANTHROPIC_KEY_ENV,
  ErrorCode,
  OPENAI_KEY_ENV,
  VOYAGE_KEY_ENV,
  type JobErrorData,
  type JobKind,
  type JobParams,
  type JobResult,
  type KeyCheckResult,
} from './protocol';

type JobHandlers = { [K in JobKind]: (params: JobParams<K>, ctx: JobContext) => Promise<JobResult<K>> };

const handlers: JobHandlers = {
  stats: statsJob,
  demo: demoJob,
  keyCheck: async (params) => checkKey(process.env, params.key ?? ANTHROPIC_KEY_ENV),
  // The npm stand-in is for tests only: the extension never sends it.
  installAccelerator: (params, ctx) => installAcceleratorJob({ dir: params.dir }, ctx),
  // Keys are read here, from the environment the run manager gave this process only.
  synthesize: (params, ctx) =>
    synthesizeJob(params, ctx, { anthropicApiKey: process.env[ANTHROPIC_KEY_ENV] || undefined, openaiApiKey: process.env[OPENAI_KEY_ENV] || undefined }),
  embed: (params, ctx) =>
    embedJob(params, ctx, { voyageApiKey: process.env[VOYAGE_KEY_ENV] || undefined, openaiApiKey: process.env[OPENAI_KEY_ENV] || undefined }),
  index: indexJob,
  neighbours: neighboursJob,
  // Loaded on first use: TensorFlow.js takes a moment to load, and most jobs never need it.
  train: async (params, ctx) => (await import('../core/jobs/train')).trainJob(params, ctx),
  evaluate: async (params, ctx) => (await import('../core/jobs/evaluate')).evalJob(params, ctx),
  export: exportJob,
  inspect: inspectJob,
  entityList: entityListJob,
  compareRuns: compareRunsJob,
  listRuns: listRunsJob,
  readRun: readRunJob,
  experiment: async (params, ctx) => (await import('../core/jobs/experiment')).experimentJob(params, ctx),
  flag: flagJob,
  annotate: (params, ctx) => annotateJob(params, ctx, { anthropicApiKey: process.env[ANTHROPIC_KEY_ENV] || undefined }),
  appendAnnotation: appendAnnotationJob,
};

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(handlers, kind);
}

export function runJob<K extends JobKind>(kind: K, params: JobParams<K>, ctx: JobContext): Promise<JobResult<K>> {
  return handlers[kind](params, ctx);
}

/** Only a hash prefix leaves this function: the key itself is never logged, returned or written. */
export function checkAnthropicKey(env: NodeJS.ProcessEnv): KeyCheckResult {
  return checkKey(env, ANTHROPIC_KEY_ENV);
}

/** The same for any of the keys a job may read (an unknown name is never looked up). */
export function checkKey(env: NodeJS.ProcessEnv, name: string): KeyCheckResult {
  if (name !== ANTHROPIC_KEY_ENV && name !== VOYAGE_KEY_ENV && name !== OPENAI_KEY_ENV) return { present: false };
  const key = env[name];
  if (!key) return { present: false };
  return { present: true, sha256Prefix: createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12) };
}

/** Core errors may carry where they happened (`file`/`path`, `line`); keep those as data. */
export function toResponseError(error: unknown): ResponseError<JobErrorData | undefined> {
  if (error instanceof ResponseError) return error;
  if (error instanceof CancelledError || (error instanceof Error && error.name === 'CancelledError')) {
    return new ResponseError(ErrorCode.JobCancelled, 'cancelled', undefined);
  }
  const err = error instanceof Error ? error : new Error(String(error));
  const fields = err as Error & { file?: unknown; path?: unknown; line?: unknown; lineNumber?: unknown };
  const file = typeof fields.file === 'string' ? fields.file : typeof fields.path === 'string' ? fields.path : undefined;
  const line = typeof fields.line === 'number' ? fields.line : typeof fields.lineNumber === 'number' ? fields.lineNumber : undefined;
  return new ResponseError(ErrorCode.JobFailed, err.message, { name: err.name, file, line });
}
