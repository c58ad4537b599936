// The PyTorch reference (../shared/bench/sasrec_torch.py) as the benchmarks run it: Debian's
// python3-torch with the tuned BLAS/allocator environment of ../shared/bench/README.md, installed
// when missing, and the machine-load probes that tell whether a timing is comparable.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
export const SHARED = join(ROOT, '..', 'shared');
export const BEAUTY = join(SHARED, 'data', 'beauty', 'Beauty.txt');
const TORCH_SCRIPT = join(SHARED, 'bench', 'sasrec_torch.py');
const PYTHON = '/usr/bin/python3';
const LIB = '/usr/lib/x86_64-linux-gnu';

export function emit(record: object): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

export function load(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

/** Share of both cores busy over `ms`, from /proc/stat (other people's jobs included). */
function busyShare(ms: number): number {
  const read = () => readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const a = read();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = read();
  const total = b.reduce((x, y) => x + y, 0) - a.reduce((x, y) => x + y, 0);
  const idle = b[3] + b[4] - (a[3] + a[4]);
  return total === 0 ? 0 : Math.round((100 * (total - idle)) / total) / 100;
}

/**
 * Timings are only comparable on a quiet machine (CPU is shared with other work): wait, up to
 * BENCH_QUIET_WAIT_S (default 300 s), for the cores to be idle before each case; report what was seen.
 */
export function waitForQuiet(label: string): number {
  const deadline = Date.now() + 1000 * Number(process.env.BENCH_QUIET_WAIT_S ?? 300);
  let busy = busyShare(2000);
  while (busy > 0.15 && Date.now() < deadline) busy = busyShare(5000);
  if (busy > 0.15) emit({ case: 'warning', before: label, busy_share: busy, note: 'machine busy: timings are not comparable' });
  return busy;
}

function torchAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
}

/** The benchmark's setup: Debian's PyTorch and the tuned BLAS/allocator; returns why it is unusable, if it is. */
export function ensureTorch(): string | undefined {
  const packages = ['python3-torch', 'python3-numpy', 'libopenblas0-openmp', 'libtcmalloc-minimal4'];
  const missingLibs = !existsSync(join(LIB, 'openblas-openmp')) || !existsSync(join(LIB, 'libtcmalloc_minimal.so.4'));
  if (torchAvailable() && !missingLibs) return undefined;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return `PyTorch reference unavailable: install ${packages.join(' ')} (apt-get, as root)`;
  emit({ case: 'setup', installing: packages });
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (install.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
    install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  }
  return torchAvailable() ? undefined : `PyTorch reference unavailable (apt-get install failed: ${install.stderr.trim().split('\n').pop()})`;
}

/** The README's tuned environment, optionally with the OpenBLAS core type our engine picks. */
export function tunedEnv(coreType?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (existsSync(join(LIB, 'openblas-openmp'))) env.LD_LIBRARY_PATH = join(LIB, 'openblas-openmp');
  if (existsSync(join(LIB, 'libtcmalloc_minimal.so.4'))) env.LD_PRELOAD = join(LIB, 'libtcmalloc_minimal.so.4');
  if (coreType) env.OPENBLAS_CORETYPE = coreType;
  else delete env.OPENBLAS_CORETYPE;
  return env;
}

/** Runs sasrec_torch.py on Beauty; its stdout, or undefined after printing why it failed. */
export function runTorch(args: string[], env: NodeJS.ProcessEnv): string | undefined {
  const run = spawnSync(PYTHON, [TORCH_SCRIPT, ...args, '--data', BEAUTY], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) {
    emit({ case: 'torch-error', args, stderr: run.stderr.trim().split('\n').slice(-3).join(' | ') });
    return undefined;
  }
  return run.stdout;
}
