// What the kill-and-restart tests share: a demo dataset for the built CLI, a `grasp` CLI child with its
// output collected, a wait for a condition on disk (polling the file the child appends to; the deadline
// only stops a hung test), the non-empty lines of an append-only file, a SIGKILL once that file has
// grown, and the records it kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoJob } from '../../src/core/jobs/demo';
import { tempFolder } from '../unit/helpers';
import { recordingContext } from '../unit/llm/fixtures';
import { ensureBuilt } from '../unit/worker/harness';

const GRASP = join(__dirname, '..', '..', 'bin', 'grasp.js');

/** Builds the CLI when stale and writes a demo dataset (seed 13, no retrieval stage) for it; returns the folder. */
export async function demoForCli(users: number, items: number): Promise<string> {
  ensureBuilt();
  const dataset = tempFolder();
  await demoJob({ outDir: dataset, users, items, seed: 13, retrieval: false }, recordingContext());
  return dataset;
}

export function runCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [GRASP, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

export async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function lines(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
    : [];
}

/** SIGKILLs a CLI run once `file` holds `count` lines, and waits until it is gone (killed, not exited). */
export async function killOnceWritten(run: ReturnType<typeof runCli>, file: string, count: number, ms: number): Promise<void> {
  await waitFor(() => lines(file).length >= count, ms, `${count} lines in ${file}`);
  run.child.kill('SIGKILL');
  assert.equal(await run.exited, null);
}

/** The records of a JSONL file a killed run appended to: every line but (at most) a torn last one must be whole. */
export function wholeRecords<T>(file: string): T[] {
  const parsed = lines(file).map((line) => {
    try {
      return JSON.parse(line) as T;
    } catch {
      return undefined;
    }
  });
  assert.ok(parsed.slice(0, -1).every(Boolean), 'no damaged record before the last line');
  return parsed.filter((record): record is T => record !== undefined);
}
