// The one contract between the extension host and the worker process (DESIGN §4): JSON-RPC over the
// worker's stdio, carried by vscode-jsonrpc. Both ends import these message objects, so a method name or a
// payload shape cannot drift between them. Bump PROTOCOL_VERSION on any incompatible change; `initialize`
// refuses a peer that speaks another version (a stale dist/worker.js after an update, typically).
//
// Lifecycle: spawn → `initialize` → any number of `job/start` (each streams `job/progress`, `job/log` and
// `job/event` notifications, and is cancelled with the request's own $/cancelRequest) → `shutdown` → the
// worker exits.
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { DatasetStats, InteractionFormat } from '../core/data/types';
import type { DemoJobParams, DemoJobResult, StatsJobParams } from '../core/jobs';
import type { JobEvent } from '../core/util/jobContext';
import type { InstallAcceleratorParams, InstallAcceleratorResult } from '../core/jobs/installAccelerator';
import type { EmbedJobParams } from '../core/jobs/embed';
import type { IndexJobParams, IndexJobResult } from '../core/jobs/indexJob';
import type { NeighboursJobParams, NeighboursJobResult } from '../core/jobs/neighbours';
import type { SynthesizeJobParams } from '../core/jobs/synthesize';
import type { EvalJobParams, EvalJobResult } from '../core/jobs/evaluate';
import type { ExperimentJobParams, ExperimentJobResult } from '../core/jobs/experiment';
import type { TrainJobParams, TrainJobResult } from '../core/jobs/train';
import type { InspectJobParams, InspectJobResult } from '../core/jobs/inspect';
import type { EntityListJobParams, EntityListJobResult } from '../core/jobs/entityList';
import type { CompareRunsJobParams, CompareRunsJobResult } from '../core/jobs/compareRuns';
import type { ListRunsJobParams, ListRunsJobResult } from '../core/jobs/listRuns';
import type { ReadRunJobParams, RunDetails } from '../core/jobs/readRun';
import type { FlagJobParams, FlagJobResult } from '../core/jobs/flag';
import type { AnnotateJobParams, AnnotateJobResult } from '../core/jobs/annotate';
import type { AppendAnnotationParams } from '../core/jobs/appendAnnotation';
import type { AnnotationRecord } from '../core/hallucination/types';
import type { EmbedResult } from '../core/embed/embed';
import type { ExportJobParams, ExportJobResult } from '../core/jobs/export';
import type { SynthesisResult } from '../core/llm/synthesize';

export type { DatasetStats, DemoJobParams, DemoJobResult, InteractionFormat, JobEvent, StatsJobParams };

/** 2: training's events left `job/log` (JSON lines) for their own typed `job/event` notification. */
export const PROTOCOL_VERSION = 2;

// ---- initialize ---------------------------------------------------------------------------------------

export interface InitializeParams {
  protocolVersion: number;
  /** Who is asking, for the worker's log ("vscode-extension", "test", "cli"). */
  client: string;
}

export interface InitializeResult {
  protocolVersion: number;
  pid: number;
  nodeVersion: string;
  platform: string;
  /** The TensorFlow.js backend once a job has loaded one; null until then (stats and demo need none). */
  tensorBackend: string | null;
}

export const InitializeRequest = new RequestType<InitializeParams, InitializeResult, void>('initialize');

// ---- jobs ---------------------------------------------------------------------------------------------

/**
 * Reports whether the worker's environment holds a key, identified by a hash prefix only: ANTHROPIC_API_KEY
 * unless `key` names VOYAGE_API_KEY or OPENAI_API_KEY (the embedding and chat servers' keys).
 */
export interface KeyCheckParams {
  key?: 'ANTHROPIC_API_KEY' | 'VOYAGE_API_KEY' | 'OPENAI_API_KEY';
}

export interface KeyCheckResult {
  present: boolean;
  /** First 12 hex characters of sha256(key); enough to tell two keys apart, useless to an attacker. */
  sha256Prefix?: string;
}

/** Every job kind with its parameters and result. Adding a job = one entry here + one handler in the worker. */
export interface JobTypes {
  stats: { params: StatsJobParams; result: DatasetStats };
  demo: { params: DemoJobParams; result: DemoJobResult };
  keyCheck: { params: KeyCheckParams; result: KeyCheckResult };
  installAccelerator: { params: InstallAcceleratorParams; result: InstallAcceleratorResult };
  /** Stages 1-3 of GRASP. Keys (ANTHROPIC_API_KEY, VOYAGE_API_KEY, OPENAI_API_KEY) come from the worker's environment, never from params. */
  synthesize: { params: SynthesizeJobParams; result: SynthesisResult };
  embed: { params: EmbedJobParams; result: EmbedResult };
  index: { params: IndexJobParams; result: IndexJobResult };
  neighbours: { params: NeighboursJobParams; result: NeighboursJobResult };
  /**
   * Trains from a run config file (or object); progress and events (engine, epochs, validations, stops) stream as job/progress and job/event.
   * A config whose text side calls a server (grasp.embedder voyage / openai-compatible, grasp.texts.provider
   * openai-compatible) reads VOYAGE_API_KEY / OPENAI_API_KEY from the worker's environment, never from params.
   */
  train: { params: TrainJobParams; result: TrainJobResult };
  /** A dataset's or a finished run's text side and results as files for Python (.npy, TSV, RecBole atomic files, CSV). */
  export: { params: ExportJobParams; result: ExportJobResult };
  /** Re-evaluates a run folder's best checkpoint. */
  evaluate: { params: EvalJobParams; result: EvalJobResult };
  /** One item or user with its neighbours, their texts, overlap, flags and attention (Inspect Neighbours view). */
  inspect: { params: InspectJobParams; result: InspectJobResult };
  /** Every item or user id with a short label, for the pickers. */
  entityList: { params: EntityListJobParams; result: EntityListJobResult };
  /** Finished runs side by side: config diff, metrics mean ± std over seeds, paired tests (Compare Runs view). */
  compareRuns: { params: CompareRunsJobParams; result: CompareRunsJobResult };
  /** Every run folder under the given runs folders: name, status, dataset identity, test metrics (the runs side bar, the pickers). */
  listRuns: { params: ListRunsJobParams; result: ListRunsJobResult };
  /** One run with its training history (the dashboard of a finished or interrupted run). */
  readRun: { params: ReadRunJobParams; result: RunDetails };
  /** Runs an experiment file's variants × seeds (reusing finished runs) and writes its results table. */
  experiment: { params: ExperimentJobParams; result: ExperimentJobResult };
  /** Hallucination risk of every description or profile, the riskiest with reasons and spans; reads only. */
  flag: { params: FlagJobParams; result: FlagJobResult };
  /** Appends one verdict to the annotations file (optionally regenerating the text first; ANTHROPIC_API_KEY from the worker's environment). */
  annotate: { params: AnnotateJobParams; result: AnnotateJobResult };
  /** Appends one verdict on a text the caller already holds (the review panel's): no dataset load, one validated O_APPEND write. */
  appendAnnotation: { params: AppendAnnotationParams; result: AnnotationRecord };
}

export type { AppendAnnotationParams };

export type JobKind = keyof JobTypes;
export type JobParams<K extends JobKind> = JobTypes[K]['params'];
export type JobResult<K extends JobKind> = JobTypes[K]['result'];

/** `job/start` params: a discriminated union over the kinds, so `kind` narrows `params`. */
export type JobStartParams = { [K in JobKind]: { jobId: string; kind: K; params: JobParams<K> } }[JobKind];
export type AnyJobResult = JobResult<JobKind>;

/** Present on a failed job's ResponseError.data, so the extension can name the file (and line). */
export interface JobErrorData {
  name: string;
  file?: string;
  line?: number;
}

export const JobStartRequest = new RequestType<JobStartParams, AnyJobResult, JobErrorData>('job/start');

export interface JobProgressParams {
  jobId: string;
  message?: string;
  /** In [0, 1] when known. */
  fraction?: number;
  /** Numbers a live view plots (training: epoch, step, steps, loss); see JobContext.progress. */
  series?: Record<string, number>;
}

export interface JobLogParams {
  jobId: string;
  line: string;
}

/** A job's structured event (training: engine, epochs, validations, stops), typed end to end; the log is for people. */
export interface JobEventParams {
  jobId: string;
  event: JobEvent;
}

export const JobProgressNotification = new NotificationType<JobProgressParams>('job/progress');
export const JobLogNotification = new NotificationType<JobLogParams>('job/log');
export const JobEventNotification = new NotificationType<JobEventParams>('job/event');

// ---- shutdown -----------------------------------------------------------------------------------------

/** Cancels whatever runs, answers, then the worker exits with code 0. */
export const ShutdownRequest = new RequestType0<{ ok: true }, void>('shutdown');

// ---- error codes --------------------------------------------------------------------------------------

export const ErrorCode = {
  /** The job stopped because its request was cancelled (same number as LSP's RequestCancelled). */
  JobCancelled: -32800,
  /** The job threw; data is JobErrorData. */
  JobFailed: 1,
  /** initialize saw another protocol version. */
  VersionMismatch: 2,
  /** job/start named a kind this worker does not know. */
  UnknownJob: 3,
  /** The worker is shutting down and takes no more jobs. */
  ShuttingDown: 4,
} as const;

/** Environment variable the run manager sets on the worker only; the key never crosses the protocol. */
export const ANTHROPIC_KEY_ENV = 'ANTHROPIC_API_KEY';
/** The same for the embedding and chat servers: Voyage's key, and the one an OpenAI-compatible server may want. */
export const VOYAGE_KEY_ENV = 'VOYAGE_API_KEY';
export const OPENAI_KEY_ENV = 'OPENAI_API_KEY';
