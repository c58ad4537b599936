// What each job kind runs in the worker. The table is typed by the protocol's JobTypes, so a handler that
// returns the wrong shape, or a kind without a handler, fails the typecheck rather than the user.
import { createHash } from 'node:crypto';
import { ResponseError } from 'vscode-jsonrpc';
import { installAcceleratorJob } from '../core/accelerator/install';
import { CancelledError, demoJob, statsJob, type JobContext } from '../core/jobs';
import { embedJob } from '../core/jobs/embed';
import { exportJob } from '../core/export/export';
import { indexJob } from '../core/jobs/indexJob';
import { neighboursJob } from '../core/jobs/neighbours';
import { entityListJob, inspectJob } from '../core/jobs/inspect';
import { compareRunsJob } from '../core/jobs/compareRuns';
import { listRunsJob, readRunJob } from '../core/jobs/runs';
import { synthesizeJob } from '../core/jobs/synthesize';
import { annotateJob, flagJob } from '../core/hallucination/jobs';
import { appendAnnotation } from '../core/hallucination/annotations';
import type { AnnotationRecord } from '../core/hallucination/types';
import { ANTHROPIC_KEY_ENV, ErrorCode, OPENAI_KEY_ENV, VOYAGE_KEY_ENV, type AppendAnnotationParams, type JobErrorData, type JobKind, type JobParams, type JobResult, type KeyCheckResult } from './protocol';

type JobHandlers = { [K in JobKind]: (params: JobParams<K>, ctx: JobContext) => Promise<JobResult<K>> };

const handlers: JobHandlers = {
  stats: statsJob,
  demo: demoJob,
  keyCheck: async (params) => checkKey(process.env, params.key ?? ANTHROPIC_KEY_ENV),
  // The npm stand-in is for tests only: the extension never sends it.
  installAccelerator: (params, ctx) => installAcceleratorJob({ dir: params.dir }, ctx),
  // Keys are read here, from the environment the run manager gave this process only.
  synthesize: (params, ctx) => synthesizeJob(params, ctx, { anthropicApiKey: process.env[ANTHROPIC_KEY_ENV] || undefined, openaiApiKey: process.env[OPENAI_KEY_ENV] || undefined }),
  embed: (params, ctx) => embedJob(params, ctx, { voyageApiKey: process.env[VOYAGE_KEY_ENV] || undefined, openaiApiKey: process.env[OPENAI_KEY_ENV] || undefined }),
  index: indexJob,
  neighbours: neighboursJob,
  // Loaded on first use: TensorFlow.js takes a moment to load, and most jobs never need it.
  train: async (params, ctx) => (await import('../core/train/job')).trainJob(params, ctx),
  evaluate: async (params, ctx) => (await import('../core/eval/job')).evalJob(params, ctx),
  export: exportJob,
  inspect: inspectJob,
  entityList: entityListJob,
  compareRuns: compareRunsJob,
  listRuns: listRunsJob,
  readRun: readRunJob,
  experiment: async (params, ctx) => (await import('../core/experiment/job')).experimentJob(params, ctx),
  flag: flagJob,
  annotate: (params, ctx) => annotateJob(params, ctx, { anthropicApiKey: process.env[ANTHROPIC_KEY_ENV] || undefined }),
  appendAnnotation: appendAnnotationJob,
};

/** The record itself is validated by appendAnnotation; this checks what it needs to get that far. */
async function appendAnnotationJob(params: AppendAnnotationParams): Promise<AnnotationRecord> {
  if (typeof params?.file !== 'string' || params.file === '') throw new Error('appendAnnotation: "file" must name the annotations file');
  const annotation = params.annotation as Partial<AppendAnnotationParams['annotation']> | undefined;
  if (annotation === null || typeof annotation !== 'object') throw new Error(`appendAnnotation: "annotation" must be an object, not ${JSON.stringify(annotation)}`);
  if (typeof annotation.text !== 'string') throw new Error('appendAnnotation: "annotation.text" must be the text that was judged');
  return appendAnnotation(params.file, params.annotation);
}

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
