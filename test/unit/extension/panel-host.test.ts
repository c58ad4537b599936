// The webview panel lifecycle the GRASP panels share (src/extension/panelHost.ts), and the panels on it:
// run under node with a fake `vscode` (./fakeVscode.ts), so what a panel posts and receives is visible.
import './useFakeVscode';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type * as vscode from 'vscode';
import { createPanel, OpenPanels, PanelHost, registerPanelSerializer, type WebviewPage } from '../../../src/extension/panelHost';
import { LiveDashboard, registerRunsSerializer, type RunPanelDeps } from '../../../src/extension/runPanels';
import type { RunManager } from '../../../src/extension/runManager';
import { StatsPanel } from '../../../src/extension/statsPanel';
import type { LiveState, ToWebview } from '../../../webview/runs/protocol';
import { FakePanel, Uri, created, serializers } from './fakeVscode';

const extensionUri = Uri.file('/ext') as unknown as vscode.Uri;
const PAGE: WebviewPage = { viewType: 'graspTest', script: 'stats', title: 'Test page' };

/** The fake stands in for the real panel type wherever the code under test takes one. */
const asPanel = (panel: FakePanel) => panel as unknown as vscode.WebviewPanel;
const newestPanel = (): FakePanel => created[created.length - 1];

function fakeRuns(): RunManager & { requests: unknown[] } {
  const requests: unknown[] = [];
  return { requests, run: async (request: unknown) => (requests.push(request), { status: 'cancelled' }) } as unknown as RunManager & { requests: unknown[] };
}

describe('panel host', () => {
  test('opens beside the editor with its page under a nonce’d CSP, and passes messages both ways until closed', () => {
    const received: unknown[] = [];
    let closed = 0;
    const host = new PanelHost<{ type: 'hello' }, { type: 'ready' }>(
      createPanel(extensionUri, PAGE, 'Tab title', { preserveFocus: true }),
      extensionUri,
      PAGE,
      {
        onMessage: (message) => received.push(message),
        onDidClose: () => closed++,
      },
    );
    const panel = newestPanel();
    assert.deepEqual([panel.viewType, panel.title, panel.showOptions], ['graspTest', 'Tab title', { viewColumn: -2, preserveFocus: true }]);
    const options = panel.options as { enableScripts: boolean; localResourceRoots: Array<{ path: string }> };
    assert.equal(options.enableScripts, true);
    assert.deepEqual(
      options.localResourceRoots.map((root) => root.path),
      ['/ext/dist/webview', '/ext/media'],
    );
    const html = panel.webview.html;
    const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
    assert.ok(nonce, html);
    assert.ok(html.includes(`<script nonce="${nonce}" src="webview:/ext/dist/webview/stats.js"></script>`), html);
    assert.ok(html.includes('<link rel="stylesheet" href="webview:/ext/media/stats.css">'), html);
    assert.ok(html.includes('<title>Test page</title>') && !html.includes('Tab title'), 'the page title is the fixed one, not the tab’s');

    panel.send({ type: 'ready' });
    assert.deepEqual(received, [{ type: 'ready' }]);
    host.post({ type: 'hello' });
    assert.deepEqual(panel.posted, [{ type: 'hello' }]);
    host.reveal();
    assert.deepEqual(panel.revealedIn, [-2]);
    assert.equal(host.visible, true);

    panel.dispose();
    host.post({ type: 'hello' });
    assert.deepEqual([closed, host.isOpen, host.visible, panel.postedAfterClose.length], [1, false, false, 0]);
  });

  test('open panels are found by key until they close; an older panel closing leaves a newer one listed', () => {
    const open = new OpenPanels<string>();
    const older = new FakePanel('graspTest', 'older');
    const newer = new FakePanel('graspTest', 'newer');
    open.add('dataset', 'older', asPanel(older));
    assert.equal(open.get('dataset'), 'older');
    open.add('dataset', 'newer', asPanel(newer));
    older.dispose();
    assert.equal(open.get('dataset'), 'newer');
    newer.dispose();
    assert.equal(open.get('dataset'), undefined);
  });

  test('the serializer gives a restored panel its options back, and closes one whose state shows nothing', async () => {
    const states: unknown[] = [];
    registerPanelSerializer(extensionUri, 'graspTest', (_panel, state) => (states.push(state), state !== undefined));
    const serializer = serializers.get('graspTest');
    assert.ok(serializer);
    const kept = new FakePanel('graspTest', 'kept');
    await serializer.deserializeWebviewPanel(kept, { mode: 'x' });
    const dropped = new FakePanel('graspTest', 'dropped');
    await serializer.deserializeWebviewPanel(dropped, undefined);
    assert.deepEqual(states, [{ mode: 'x' }, undefined]);
    assert.deepEqual([kept.disposed, dropped.disposed], [false, true]);
    assert.equal((kept.webview.options as { enableScripts: boolean }).enableScripts, true);
  });
});

describe('panels on the host', () => {
  test('the live dashboard applies the train job’s typed events, here and on the page', () => {
    const deps: RunPanelDeps = { extensionUri, runs: fakeRuns() };
    let cancels = 0;
    const dashboard = LiveDashboard.start(deps, 'demo', '/runs/demo', { epochs: 3 }, () => cancels++);
    const panel = newestPanel();
    assert.equal(panel.title, 'Dashboard: demo');
    assert.ok(panel.webview.html.includes('<title>Run dashboard</title>'));
    dashboard.event({ event: 'engine', description: 'wasm + native kernels, OpenBLAS, 2 thread(s)' });
    dashboard.event({ event: 'epoch', epoch: 1, loss: 5.5, steps: 10, epoch_s: 2, ms_per_step: 200, sequences_per_s: 80 });
    dashboard.event({ event: 'eval', epoch: 1, valid: { 'NDCG@10': 0.12 }, best: true, best_epoch: 1, eval_s: 1 });
    assert.deepEqual(
      panel.posted.map((message) => (message as Extract<ToWebview, { type: 'liveEvent' }>).event.kind),
      ['engine', 'epoch', 'eval'],
    );
    // A page that (re)loads gets the whole state, with the same events applied.
    panel.send({ type: 'ready' });
    const { state } = panel.lastPosted() as { type: 'live'; state: LiveState };
    assert.equal(state.backend, 'wasm + native kernels, OpenBLAS, 2 thread(s)');
    assert.deepEqual(
      state.epochLoss.map((point) => point.epoch),
      [1],
    );
    assert.deepEqual(
      state.evals.map((point) => point.valid['NDCG@10']),
      [0.12],
    );
    panel.send({ type: 'cancelRun' });
    assert.equal(cancels, 1);

    assert.equal(LiveDashboard.forRun('/runs/demo'), dashboard);
    panel.dispose();
    assert.equal(LiveDashboard.forRun('/runs/demo'), undefined);
    assert.equal(LiveDashboard.revealLatest(), false, 'no dashboard open');
    dashboard.event({ event: 'epoch', epoch: 2, loss: 5, steps: 10, epoch_s: 2, ms_per_step: 200, sequences_per_s: 80 });
    assert.equal(panel.postedAfterClose.length, 0);
  });

  test('after a reload, a running dashboard comes back interrupted; a state that shows nothing closes its panel', async () => {
    registerRunsSerializer({ extensionUri, runs: fakeRuns() });
    const serializer = serializers.get('graspRuns');
    assert.ok(serializer);
    const live: LiveState = { title: 'demo', runDir: '/runs/reloaded', status: 'running', stages: [], clock: 0, loss: [], epochLoss: [], evals: [] };
    const restored = new FakePanel('graspRuns', 'Dashboard: demo');
    await serializer.deserializeWebviewPanel(restored, { mode: 'live', live });
    restored.send({ type: 'ready' });
    assert.equal((restored.lastPosted() as { state: LiveState }).state.status, 'interrupted');
    assert.ok(restored.webview.html.includes('<title>Run dashboard</title>'));
    const oneRun = new FakePanel('graspRuns', 'Compare runs');
    await serializer.deserializeWebviewPanel(oneRun, { mode: 'compare', runs: ['/runs/a'] });
    assert.equal(oneRun.disposed, true, 'a comparison needs two runs');
  });

  test('showing a dataset’s statistics again reveals its panel; once closed, a new one opens', async () => {
    const runs = fakeRuns();
    const deps = { extensionUri, runs };
    const dataset = Uri.file('/data/ml-100k.inter') as unknown as vscode.Uri;
    const before = created.length;
    StatsPanel.show(deps, dataset);
    StatsPanel.show(deps, dataset);
    assert.equal(created.length, before + 1, 'one panel per dataset');
    const panel = newestPanel();
    assert.deepEqual([panel.title, panel.revealedIn], ['Stats: ml-100k.inter', [-2]]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(runs.requests.length, 2, 'each show computes the statistics again');
    panel.send({ type: 'ready' });
    assert.deepEqual(panel.lastPosted(), { type: 'cancelled', dataset: { name: 'ml-100k.inter', path: '/data/ml-100k.inter' } });
    panel.dispose();
    StatsPanel.show(deps, dataset);
    assert.equal(created.length, before + 2);
  });
});
