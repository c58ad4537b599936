// Job entry points shared by the worker (JSON-RPC) and the CLI (in-process), so a job behaves
// the same from the palette and the terminal. Implemented in stats.ts / demo.ts.
export * from './context';
export { statsJob, type StatsJobParams } from './stats';
export { demoJob, type DemoJobParams, type DemoJobResult } from './demo';
