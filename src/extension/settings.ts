// Typed access to the `grasp.*` settings declared in package.json (contributes.configuration).
import * as vscode from 'vscode';
import type { InteractionFormat } from '../worker/protocol';

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
