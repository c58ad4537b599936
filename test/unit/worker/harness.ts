// Test helpers for the worker: make sure dist/worker.js is built, spawn it raw (to see every byte it writes),
// and write fixtures into a temporary folder.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';

export const ROOT = join(__dirname, '..', '..', '..');
export const WORKER = join(ROOT, 'dist', 'worker.js');

/** Builds dist/ when a source is newer than it (fast when nothing changed). */
export function ensureBuilt(): void {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stderr}`);
}

export interface RawWorker {
  child: ChildProcessWithoutNullStreams;
  connection: MessageConnection;
  /** Everything the worker wrote, as text, for leak checks. */
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the worker without the client class, so a test sees the protocol and the raw streams directly. */
export function spawnRaw(env: NodeJS.ProcessEnv = process.env): RawWorker {
  const child = spawn(process.execPath, [WORKER], { stdio: 'pipe', env });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.listen();
  return { child, connection, stdout: () => out, stderr: () => err, exited };
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'grasp-worker-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A pairs-format file (`user item` per line) big enough that loading it takes a few seconds. */
export function writeLargePairs(file: string, lines: number): void {
  const chunk: string[] = [];
  const parts: string[] = [];
  for (let i = 0; i < lines; i++) {
    chunk.push(`u${i % 60_000} i${(i * 7919) % 25_000}`);
    if (chunk.length === 100_000) parts.push(chunk.splice(0).join('\n'));
  }
  if (chunk.length) parts.push(chunk.join('\n'));
  writeFileSync(file, `${parts.join('\n')}\n`);
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
