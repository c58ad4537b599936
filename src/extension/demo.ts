// "GRASP: Generate Demo Dataset": a long job that asks nothing. It writes <workspace>/grasp-demo/ with the
// size and seed from the grasp.demo.* settings, then offers to show the statistics it computed on the way.
import * as vscode from 'vscode';
import type { RunManager } from './runManager';
import { demoSettings } from './settings';
import { StatsPanel, headline, type StatsPanelDeps } from './statsPanel';

export const DEMO_FOLDER = 'grasp-demo';

export async function generateDemo(deps: StatsPanelDeps & { runs: RunManager }): Promise<void> {
  const workspace = vscode.workspace.workspaceFolders?.[0];
  if (!workspace || workspace.uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('GRASP: open a folder first; the demo dataset is written into it (grasp-demo/).');
    return;
  }
  const outDir = vscode.Uri.joinPath(workspace.uri, DEMO_FOLDER);
  const settings = demoSettings();
  await deps.runs.run({
    kind: 'demo',
    params: { outDir: outDir.fsPath, ...settings },
    title: `Generate demo dataset (${settings.users} users, ${settings.items} items)`,
    subjectFile: outDir.fsPath,
    summarize: (result) => ({
      text: `${headline(result.stats)} written to ${vscode.workspace.asRelativePath(result.dir)}`,
      actions: [
        { title: 'Open results', run: () => StatsPanel.showComputed(deps, result.dir, result.stats) },
        { title: 'Reveal in Explorer', run: () => vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.dir)) },
      ],
    }),
  });
}
