// The native accelerator: @tensorflow/tfjs-node installed into a folder of its own, outside the
// extension (a VSIX cannot carry it for every platform, and its install downloads libtensorflow,
// which some networks block). The engine loads it from there when present.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, type JobContext } from '../jobs/context';

/** Must match the @tensorflow/tfjs version the engine is built with: kernels register by version. */
export const TFJS_NODE_VERSION = '4.22.0';
const PACKAGE = '@tensorflow/tfjs-node';

export function defaultAcceleratorDir(): string {
  return process.env.GRASP_ACCELERATOR_DIR || join(homedir(), '.grasp', 'accelerator');
}

/** The installed tfjs-node entry point in `dir`, or undefined when the accelerator is not installed. */
export function findAccelerator(dir = defaultAcceleratorDir()): string | undefined {
  const entry = join(dir, 'node_modules', ...PACKAGE.split('/'));
  return existsSync(join(entry, 'package.json')) ? entry : undefined;
}

export interface InstallAcceleratorParams {
  dir?: string;
  /** The npm executable and leading arguments; tests pass a stand-in. */
  npm?: string[];
}

export interface InstallAcceleratorResult {
  dir: string;
  entry: string;
}

/**
 * Installs tfjs-node with npm into a staging folder and moves it into place only when npm
 * succeeded, so a failed or cancelled install leaves any previous accelerator untouched.
 * Arguments are fixed strings (never user or dataset text), passed without a shell.
 */
export async function installAcceleratorJob(params: InstallAcceleratorParams, ctx: JobContext): Promise<InstallAcceleratorResult> {
  const dir = params.dir ?? defaultAcceleratorDir();
  const staging = `${dir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const [command, ...leading] = params.npm ?? [process.platform === 'win32' ? 'npm.cmd' : 'npm'];
  const args = [...leading, 'install', '--prefix', staging, '--no-save', '--no-audit', '--no-fund', `${PACKAGE}@${TFJS_NODE_VERSION}`];
  ctx.progress({ message: `npm install ${PACKAGE}@${TFJS_NODE_VERSION}` });
  try {
    await runCancellable(command, args, ctx);
    if (!findAccelerator(staging)) throw new Error(`npm finished but ${PACKAGE} is not in ${staging}`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  ctx.log(`native accelerator installed in ${dir}`);
  return { dir, entry: findAccelerator(dir)! };
}

function runCancellable(command: string, args: string[], ctx: JobContext): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onOutput = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter((l) => l.trim() !== '')) {
        ctx.log(line);
        tail.push(line);
        if (tail.length > 60) tail.shift();
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    const poll = setInterval(() => {
      if (ctx.isCancelled()) child.kill('SIGTERM');
    }, 100);
    child.on('error', (error) => {
      clearInterval(poll);
      reject(new Error(`could not run ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      if (ctx.isCancelled()) reject(new CancelledError());
      else if (code === 0) resolve();
      else reject(new Error(`installing ${PACKAGE} failed (npm exit ${code ?? signal}): ${reason(tail)}`));
    });
  });
}

/** npm prints stack traces; the lines worth showing are the ones that say what failed. */
function reason(output: string[]): string {
  const telling = output.filter((line) => /error|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|failed/i.test(line) && !/^\s*(npm error\s+)?at /.test(line));
  return telling.slice(-6).join('\n') || output.slice(-6).join('\n') || 'no output';
}
