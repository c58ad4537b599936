import type { DatasetStats } from '../data/types';
import type { JobContext } from './context';

export interface DemoJobParams {
  /** Folder to write the demo dataset into (created; existing files replaced atomically). */
  outDir: string;
  seed?: number;
  users?: number;
  items?: number;
}

export interface DemoJobResult {
  dir: string;
  files: string[];
  stats: DatasetStats;
}

/** Generates the deterministic demo world, writes it as a dataset folder and returns its statistics. */
export async function demoJob(_params: DemoJobParams, _ctx: JobContext): Promise<DemoJobResult> {
  throw new Error('demoJob: being implemented (core/demo)');
}
