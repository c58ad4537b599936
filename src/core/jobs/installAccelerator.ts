// `grasp accelerator install` and GRASP: Install Native Accelerator: npm installs @tensorflow/tfjs-node
// into the accelerator's folder (src/core/accelerator/install.ts finds it there).
import { spawn } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { defaultAcceleratorDir, findAccelerator, TFJS_NODE_PACKAGE, TFJS_NODE_VERSION } from '../accelerator/install';
import { CancelledError, type JobContext } from '../util/jobContext';

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
  const args = [...leading, 'install', '--prefix', staging, '--no-save', '--no-audit', '--no-fund', `${TFJS_NODE_PACKAGE}@${TFJS_NODE_VERSION}`];
  ctx.progress({ message: `npm install ${TFJS_NODE_PACKAGE}@${TFJS_NODE_VERSION}` });
  try {
    await runCancellable(command, args, ctx);
    if (!findAccelerator(staging)) throw new Error(`npm finished but ${TFJS_NODE_PACKAGE} is not in ${staging}`);
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
      for (const line of chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')) {
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
      else reject(new Error(`installing ${TFJS_NODE_PACKAGE} failed (npm exit ${code ?? signal}): ${reason(tail)}`));
    });
  });
}

/** npm prints stack traces; the lines worth showing are the ones that say what failed. */
function reason(output: string[]): string {
  const telling = output.filter((line) => /error|ENOTFOUND|ECONNREFUSED|EAI_AGAIN|failed/i.test(line) && !/^\s*(npm error\s+)?at /.test(line));
  return telling.slice(-6).join('\n') || output.slice(-6).join('\n') || 'no output';
}
