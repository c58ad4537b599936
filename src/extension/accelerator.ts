// "GRASP: Install Native Accelerator": @tensorflow/tfjs-node installed by npm in a worker (a long,
// cancellable job like any other) into a folder outside the extension, which workers load it from.
import * as vscode from 'vscode';
import type { RunManager } from './runManager';
import { acceleratorDir } from './settings';

export const ACCELERATOR_DIR_ENV = 'GRASP_ACCELERATOR_DIR';

/** Adds the configured accelerator folder to a worker's environment. */
export function withAcceleratorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const dir = acceleratorDir();
  return dir ? { ...env, [ACCELERATOR_DIR_ENV]: dir } : env;
}

export async function installAccelerator(runs: RunManager): Promise<void> {
  const confirm = await vscode.window.showInformationMessage(
    'Install the native accelerator (@tensorflow/tfjs-node)? npm downloads it and libtensorflow (about 300 MB); training then runs on native TensorFlow instead of WebAssembly.',
    { modal: true },
    'Install',
  );
  if (confirm !== 'Install') return;
  await runs.run({
    kind: 'installAccelerator',
    params: { dir: acceleratorDir() },
    title: 'Install native accelerator',
    summarize: (result) => ({ text: `Native accelerator installed in ${result.dir}. New training runs use it.` }),
  });
}
