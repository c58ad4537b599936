// Job entry points shared by the worker (JSON-RPC) and the CLI (in-process), so a job behaves
// the same from the palette and the terminal: one file per job kind in this folder. This index carries
// the job context (src/core/util/jobContext.ts) and the stats and demo jobs.
export * from '../util/jobContext';
export { statsJob, type StatsJobParams } from './stats';
export { demoJob, type DemoJobParams, type DemoJobResult } from './demo';
