// The Anthropic API key lives in VS Code's SecretStorage (the OS keychain) and nowhere else: not in settings,
// logs or files. It reaches the worker only as ANTHROPIC_API_KEY in the child's environment.
import * as vscode from 'vscode';
import { ANTHROPIC_KEY_ENV } from '../worker/protocol';
import type { RunManager } from './runManager';

const SECRET_ID = 'grasp.anthropicApiKey';

export class AnthropicKey {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The environment for a worker: the extension host's, plus the stored key when there is one. */
  async workerEnv(): Promise<NodeJS.ProcessEnv> {
    const key = await this.secrets.get(SECRET_ID);
    return key ? { ...process.env, [ANTHROPIC_KEY_ENV]: key } : { ...process.env };
  }

  async promptAndStore(): Promise<void> {
    const key = await vscode.window.showInputBox({
      title: 'GRASP: Anthropic API Key',
      prompt: 'Stored in VS Code secret storage; given only to GRASP worker processes. Leave empty to remove it.',
      password: true,
      ignoreFocusOut: true,
      placeHolder: 'sk-ant-…',
    });
    if (key === undefined) return; // dismissed
    if (key.trim() === '') {
      await this.secrets.delete(SECRET_ID);
      void vscode.window.showInformationMessage('GRASP: the Anthropic API key was removed.');
      return;
    }
    await this.secrets.store(SECRET_ID, key.trim());
    void vscode.window.showInformationMessage('GRASP: the Anthropic API key is stored in secret storage.');
  }

  /** Runs the keyCheck job, so what is reported is what a worker really sees. */
  async checkInWorker(runs: RunManager): Promise<void> {
    const stored = (await this.secrets.get(SECRET_ID)) !== undefined;
    const outcome = await runs.run({ kind: 'keyCheck', params: {}, title: 'Check Anthropic key', quiet: true });
    if (outcome.status !== 'done') return; // failures are already reported by the run manager
    const { present, sha256Prefix } = outcome.result;
    if (!present) {
      const pick = await vscode.window.showWarningMessage('The worker sees no Anthropic API key.', 'Set Anthropic API Key');
      if (pick) await vscode.commands.executeCommand('grasp.setAnthropicKey');
      return;
    }
    const source = stored ? 'from GRASP secret storage' : `inherited from the ${ANTHROPIC_KEY_ENV} environment variable`;
    void vscode.window.showInformationMessage(`The worker sees an Anthropic API key (sha256 ${sha256Prefix}), ${source}.`);
  }
}
