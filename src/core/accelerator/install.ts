// The native accelerator: @tensorflow/tfjs-node installed into a folder of its own, outside the
// extension (a VSIX cannot carry it for every platform, and its install downloads libtensorflow,
// which some networks block). The engine loads it from there when present; src/core/jobs/installAccelerator.ts
// installs it.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Must match the @tensorflow/tfjs version the engine is built with: kernels register by version. */
export const TFJS_NODE_VERSION = '4.22.0';
export const TFJS_NODE_PACKAGE = '@tensorflow/tfjs-node';

export function defaultAcceleratorDir(): string {
  return process.env.GRASP_ACCELERATOR_DIR || join(homedir(), '.grasp', 'accelerator');
}

/** The installed tfjs-node entry point in `dir`, or undefined when the accelerator is not installed. */
export function findAccelerator(dir = defaultAcceleratorDir()): string | undefined {
  const entry = join(dir, 'node_modules', ...TFJS_NODE_PACKAGE.split('/'));
  return existsSync(join(entry, 'package.json')) ? entry : undefined;
}
