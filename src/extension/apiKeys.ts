// API keys live in VS Code's SecretStorage (the OS keychain) and nowhere else: not in settings, run
// configs, job params, logs or files. Each reaches the worker only as an environment variable of the child
// (ANTHROPIC_API_KEY, VOYAGE_API_KEY, OPENAI_API_KEY), where the core reads it.
import * as vscode from 'vscode';
import { ANTHROPIC_KEY_ENV, OPENAI_KEY_ENV, VOYAGE_KEY_ENV, type KeyCheckParams } from '../worker/protocol';
import type { RunManager } from './runManager';

export type KeyName = 'anthropic' | 'voyage' | 'openai';

interface KeySpec {
  /** SecretStorage id. */
  secret: string;
  env: NonNullable<KeyCheckParams['key']>;
  /** "Anthropic API key", as messages name it. */
  label: string;
  setCommand: string;
  setTitle: string;
  placeHolder: string;
  prompt: string;
}

const STORED_ONLY = 'Stored in VS Code secret storage; given only to GRASP worker processes. Leave empty to remove it.';

export const KEYS: Record<KeyName, KeySpec> = {
  anthropic: {
    secret: 'grasp.anthropicApiKey',
    env: ANTHROPIC_KEY_ENV,
    label: 'Anthropic API key',
    setCommand: 'grasp.setAnthropicKey',
    setTitle: 'Set Anthropic API Key',
    placeHolder: 'sk-ant-…',
    prompt: STORED_ONLY,
  },
  voyage: {
    secret: 'grasp.voyageApiKey',
    env: VOYAGE_KEY_ENV,
    label: 'Voyage API key',
    setCommand: 'grasp.setVoyageKey',
    setTitle: 'Set Voyage API Key',
    placeHolder: 'pa-…',
    prompt: STORED_ONLY,
  },
  openai: {
    secret: 'grasp.openaiApiKey',
    env: OPENAI_KEY_ENV,
    label: 'OpenAI-compatible API key',
    setCommand: 'grasp.setOpenAIKey',
    setTitle: 'Set OpenAI-compatible API Key',
    placeHolder: 'sk-… (only if your embedding or chat server wants one)',
    // A local server (Ollama, vLLM, TEI…) usually wants none: then no Authorization header is sent at all.
    prompt: `For OpenAI or a server that checks a bearer token; a local server usually needs none. ${STORED_ONLY}`,
  },
};

export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The environment for a worker: the extension host's, plus every stored key (a stored key wins over an inherited variable). */
  async workerEnv(): Promise<NodeJS.ProcessEnv> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const spec of Object.values(KEYS)) {
      const key = await this.secrets.get(spec.secret);
      if (key) env[spec.env] = key;
    }
    return env;
  }

  async promptAndStore(name: KeyName): Promise<void> {
    const spec = KEYS[name];
    const key = await vscode.window.showInputBox({
      title: `GRASP: ${spec.label}`,
      prompt: spec.prompt,
      password: true,
      ignoreFocusOut: true,
      placeHolder: spec.placeHolder,
    });
    if (key === undefined) return; // dismissed
    if (key.trim() === '') {
      await this.secrets.delete(spec.secret);
      void vscode.window.showInformationMessage(`GRASP: the ${spec.label} was removed.`);
      return;
    }
    await this.secrets.store(spec.secret, key.trim());
    void vscode.window.showInformationMessage(`GRASP: the ${spec.label} is stored in secret storage.`);
  }

  /** Runs the keyCheck job, so what is reported is what a worker really sees. */
  async checkInWorker(runs: RunManager, name: KeyName): Promise<void> {
    const spec = KEYS[name];
    const stored = (await this.secrets.get(spec.secret)) !== undefined;
    const outcome = await runs.run({ kind: 'keyCheck', params: { key: spec.env }, title: `Check ${spec.label}`, quiet: true });
    if (outcome.status !== 'done') return; // failures are already reported by the run manager
    const { present, sha256Prefix } = outcome.result;
    if (!present) {
      const pick = await vscode.window.showWarningMessage(`The worker sees no ${spec.label}.`, spec.setTitle);
      if (pick) await vscode.commands.executeCommand(spec.setCommand);
      return;
    }
    const source = stored ? 'from GRASP secret storage' : `inherited from the ${spec.env} environment variable`;
    const article = /^[AEIOU]/.test(spec.label) ? 'an' : 'a';
    void vscode.window.showInformationMessage(`The worker sees ${article} ${spec.label} (sha256 ${sha256Prefix}), ${source}.`);
  }
}
