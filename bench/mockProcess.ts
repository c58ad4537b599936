// The benchmarks' mock API server, in a process of its own so its CPU is not the client's: started
// with its options (test/mock/serve.ts), it prints its URL; its request count is read over HTTP.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export async function startMock(options: Record<string, unknown>): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'test', 'mock', 'serve.ts'), JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, stop: () => child.kill('SIGTERM') };
}

export async function mockRequests(url: string): Promise<number> {
  return ((await (await fetch(`${url}/mock/stats`)).json()) as { requests: number }).requests;
}

/**
 * Runs a benchmark against a mock server (started with `options`) in a temporary folder named from
 * `prefix`; both are gone afterwards. An error is printed and the process exits with 1.
 */
export function benchWithMock(prefix: string, options: Record<string, unknown>, bench: (mock: { url: string }, work: string) => Promise<void>): void {
  const run = async () => {
    const work = mkdtempSync(join(tmpdir(), prefix));
    const mock = await startMock(options);
    try {
      await bench(mock, work);
    } finally {
      mock.stop();
      rmSync(work, { recursive: true, force: true });
    }
  };
  void run().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

/** Awaits `run`, timing it and counting the requests the mock received meanwhile (a fully cached run must send none). */
export async function timedRequests<T>(url: string, run: () => Promise<T>): Promise<{ result: T; seconds: number; requests: number }> {
  const before = await mockRequests(url);
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  return { result, seconds, requests: (await mockRequests(url)) - before };
}
