// Typed access to the `grasp.*` settings declared in package.json (contributes.configuration).
import * as vscode from 'vscode';
import type { InteractionFormat } from '../worker/protocol';
import type { MissingSetting, TextSideSettings } from './textSettings';

/** Defaults mirror the CLI's `grasp demo` flags, so the palette and the terminal build the same world. */
export const DEMO_DEFAULTS = { users: 3000, items: 1000, seed: 7 } as const;

export function nodePath(): string | undefined {
  const configured = vscode.workspace.getConfiguration('grasp').get<string>('nodePath', '').trim();
  return configured || undefined;
}

export function demoSettings(): { users: number; items: number; seed: number } {
  const config = vscode.workspace.getConfiguration('grasp.demo');
  return {
    users: config.get<number>('users', DEMO_DEFAULTS.users),
    items: config.get<number>('items', DEMO_DEFAULTS.items),
    seed: config.get<number>('seed', DEMO_DEFAULTS.seed),
  };
}

export function datasetFormat(): InteractionFormat | 'auto' {
  return vscode.workspace.getConfiguration('grasp.dataset').get<InteractionFormat | 'auto'>('format', 'auto');
}

/** Where the native accelerator lives; empty: the same default as the CLI (~/.grasp/accelerator). */
export function acceleratorDir(): string | undefined {
  const configured = vscode.workspace.getConfiguration('grasp.accelerator').get<string>('dir', '').trim();
  return configured || undefined;
}

/** The text side's settings (grasp.embedder.*, grasp.synthesis.*), trimmed; see textSettings.ts for what they become. */
export function textSideSettings(): TextSideSettings {
  const embedder = vscode.workspace.getConfiguration('grasp.embedder');
  const synthesis = vscode.workspace.getConfiguration('grasp.synthesis');
  const text = (config: vscode.WorkspaceConfiguration, key: string) => config.get<string>(key, '')?.trim() ?? '';
  const dimensions = embedder.get<number | null>('dimensions', null);
  return {
    embedder: {
      provider: embedder.get<TextSideSettings['embedder']['provider']>('provider', 'lsa'),
      baseUrl: text(embedder, 'baseUrl'),
      model: text(embedder, 'model'),
      dimensions: typeof dimensions === 'number' ? dimensions : undefined,
    },
    synthesis: {
      provider: synthesis.get<TextSideSettings['synthesis']['provider']>('provider', 'auto'),
      baseUrl: text(synthesis, 'baseUrl'),
      model: text(synthesis, 'model'),
    },
  };
}

/** An error naming the setting a provider needs, with a button that opens it. */
export function showMissingSetting(missing: MissingSetting): void {
  void vscode.window.showErrorMessage(`GRASP: ${missing.message}`, 'Open Setting').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', missing.setting);
  });
}
