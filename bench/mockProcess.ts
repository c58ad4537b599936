// The benchmarks' mock API server, in a process of its own so its CPU is not the client's: started
// with its options (test/mock/serve.ts), it prints its URL; its request count is read over HTTP.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export async function startMock(options: Record<string, unknown>): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'test', 'mock', 'serve.ts'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, stop: () => child.kill('SIGTERM') };
}

export async function mockRequests(url: string): Promise<number> {
  return ((await (await fetch(`${url}/mock/stats`)).json()) as { requests: number }).requests;
}
