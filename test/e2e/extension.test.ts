// The GRASP Lab extension in a real VS Code (code-server), installed from its packaged VSIX.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isAlive, launchVSCode, REPO_ROOT, skipUnlessE2EReady, waitUntil, webviewText, type VSCodeSession } from './harness';

const TIMEOUT = { timeout: 240_000 };
const SHARED_BEAUTY = join(REPO_ROOT, '..', 'shared', 'data', 'beauty');
const HOSTILE_TITLE = '<img src=x onerror="window.__graspPwned=1">Evil <script>window.__graspPwned=2</script> lipstick';

/** Every regular file under a folder (symlinks are not followed: they point at the shared data). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/**
 * Runs Show Dataset Statistics and picks `name` in its quick pick. A webview that is still taking focus
 * can close a quick pick as it opens, so the command is tried again when the picker does not stay up.
 */
async function showStatisticsOf(vscode: VSCodeSession, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await vscode.runCommand('GRASP: Show Dataset Statistics');
    try {
      await vscode.page.locator('.quick-input-widget:visible input.input').waitFor({ state: 'visible', timeout: 5_000 });
      await vscode.fillQuickInput(name);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

describe('GRASP Lab extension', { skip: skipUnlessE2EReady() }, () => {
  let tmp: string;
  let workspace: string;
  let vscode: VSCodeSession;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'grasp-e2e-ext-'));
    const vsix = join(tmp, 'grasp-lab.vsix');
    const packaged = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', vsix], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(packaged.status, 0, `npm run package failed:\n${packaged.stdout}\n${packaged.stderr}`);

    workspace = join(tmp, 'workspace');
    mkdirSync(join(workspace, 'hostile'), { recursive: true });
    // Research data is linked in place, never copied (DESIGN §5).
    if (existsSync(SHARED_BEAUTY)) symlinkSync(SHARED_BEAUTY, join(workspace, 'beauty'));
    writeFileSync(join(workspace, 'hostile', 'hostile.inter'), 'user_id:token\titem_id:token\n1\t7\n1\t8\n2\t7\n2\t9\n3\t7\n');
    writeFileSync(join(workspace, 'hostile', 'hostile.item'), `item_id:token\ttitle:token_seq\n7\t${HOSTILE_TITLE}\n8\tPlain title\n9\tAnother\n`);
    // A small dataset and a run config for the CodeLens: 40 users drifting over 20 items.
    mkdirSync(join(workspace, 'small'), { recursive: true });
    const rows = Array.from({ length: 40 }, (_, user) => Array.from({ length: 6 }, (_, step) => `${user}\t${(user + step * 3) % 20}\t${step}`).join('\n'));
    writeFileSync(join(workspace, 'small', 'small.inter'), `user_id:token\titem_id:token\ttimestamp:float\n${rows.join('\n')}\n`);
    writeFileSync(
      join(workspace, 'small.grasp.json'),
      JSON.stringify(
        {
          name: 'small-sasrec',
          data: { path: 'small/small.inter' },
          model: { kind: 'sasrec', d: 16, layers: 1, maxLen: 10 },
          train: { epochs: 2, batchSize: 16, evalEvery: 1 },
        },
        null,
        2,
      ),
    );
    // A demo big enough to still be running when it is cancelled.
    vscode = await launchVSCode({ vsix: [vsix], workspace, settings: { 'grasp.demo.users': 5_000_000, 'grasp.demo.items': 2000 } });
  });

  after(async () => {
    await vscode?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test(
    'Show Dataset Statistics opens a webview with Beauty’s numbers',
    { ...TIMEOUT, skip: existsSync(SHARED_BEAUTY) ? false : `${SHARED_BEAUTY} is absent` },
    async () => {
      await showStatisticsOf(vscode, 'Beauty.txt');
      const frame = await vscode.waitForWebview({ text: /22,363/, timeoutMs: 60_000 });
      const text = await webviewText(frame);
      assert.match(text, /22,363/);
      assert.match(text, /12,101/);
      assert.match(text, /198,502/);
      // Beauty's lengths: one tall bar of short sequences; the histogram offers a log scale and starts on it.
      const log = frame.locator('#histogram-log');
      await log.waitFor({ timeout: 30_000 });
      assert.ok(await log.isChecked(), 'a skewed histogram opens on a log scale');
      const ticks = ((await frame.locator('#length-histogram').getAttribute('data-yticks')) ?? '').split('|').filter(Boolean);
      assert.ok(ticks.length >= 2 && new Set(ticks).size === ticks.length, `distinct y ticks: ${ticks.join(' ')}`);
      await vscode.screenshot('statistics-beauty');
      const cspErrors = vscode.console.filter((m) => /Content Security Policy/i.test(m.text));
      assert.deepEqual(cspErrors, [], 'the statistics webview broke no CSP rule');
    },
  );

  test('an item title holding <img onerror> and <script> renders as inert text', TIMEOUT, async () => {
    await showStatisticsOf(vscode, 'hostile.inter');
    const frame = await vscode.waitForWebview({ text: /hostile/, selector: 'vscode-data-grid-cell', timeoutMs: 60_000 });
    // The title sits in the most-popular-items grid: its cell holds the literal markup as text.
    const cell = frame.locator('vscode-data-grid-cell', { hasText: 'Evil' }).first();
    await cell.waitFor({ state: 'attached', timeout: 30_000 });
    const shown = (await cell.textContent()) ?? '';
    assert.ok(shown.includes('<img src=x onerror='), `the <img> markup is shown as text: ${shown}`);
    assert.ok(shown.includes('<script>window.__graspPwned=2</script>'), `the <script> markup is shown as text: ${shown}`);
    assert.equal(await frame.locator('img[src="x"]').count(), 0, 'no <img> was created from dataset text');
    const injectedScripts = await frame.evaluate(() => [...document.scripts].filter((script) => script.text.includes('__graspPwned')).length);
    assert.equal(injectedScripts, 0, 'no <script> was created from dataset text');
    assert.equal(await frame.evaluate(() => (window as unknown as { __graspPwned?: number }).__graspPwned), undefined);
    await frame.locator('#tab-popularity').click();
    await cell.waitFor({ state: 'visible', timeout: 10_000 });
    await vscode.screenshot('statistics-hostile-title');
  });

  test('the GRASP side bar lists the workspace datasets and opens their statistics', TIMEOUT, async () => {
    await vscode.runCommand('GRASP Lab: Focus on Datasets View');
    const row = vscode.page.locator('.pane-body .monaco-list-row', { hasText: 'hostile' }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await vscode.screenshot('side-bar-datasets');
    await row.click();
    await vscode.waitForWebview({ text: /hostile/, timeoutMs: 60_000 });
  });

  test('the CodeLens on a run config trains a model in a worker and the run appears under .grasp/runs', TIMEOUT, async () => {
    // code-server's simple file dialog is a quick input that takes a path; on a busy machine it can
    // still be listing the folder when the path is typed, so the open is tried again.
    const tab = vscode.page.locator('.tab', { hasText: 'small.grasp.json' }).first();
    for (let attempt = 1; ; attempt++) {
      await vscode.runCommand('File: Open File...');
      await vscode.fillQuickInput(join(workspace, 'small.grasp.json'));
      try {
        await tab.waitFor({ state: 'visible', timeout: 15_000 });
        break;
      } catch (error) {
        await vscode.page.keyboard.press('Escape');
        if (attempt === 3) throw error;
      }
    }
    await vscode.screenshot('codelens-editor');
    const lens = vscode.page.locator('.codelens-decoration a', { hasText: 'Train with this config' });
    await lens.waitFor({ state: 'visible', timeout: 30_000 });
    await vscode.screenshot('codelens-train');
    await lens.click();
    // The run's dashboard opens beside the config and shows the result (no notification over it).
    const dashboard = await vscode.waitForWebview({ title: 'Run dashboard', text: /small-sasrec/, timeoutMs: 60_000 });
    await dashboard.locator('.live-status[data-status="done"]').waitFor({ timeout: 180_000 });
    assert.match((await dashboard.locator('#tile-test-ndcg .tile-value').textContent()) ?? '', /^\d\.\d{4}$/);
    assert.match((await dashboard.locator('.live-status').textContent()) ?? '', /best epoch \d+/);
    const runsFolder = join(workspace, '.grasp', 'runs');
    const runFolders = readdirSync(runsFolder).filter((name) => name.includes('small'));
    assert.equal(runFolders.length, 1, `one run folder: ${readdirSync(runsFolder).join(', ')}`);
    // The engine the run reports: wasm with the native kernels the VSIX carries (built-in sgemm or a
    // statically linked OpenBLAS), loaded from the installed extension, never from this checkout.
    const { engine } = JSON.parse(readFileSync(join(runsFolder, runFolders[0], 'metrics.json'), 'utf8')) as {
      engine: { backend: string; native: { path: string; blas: string } | null; nativeDetail: string };
    };
    assert.equal(engine.backend, 'wasm');
    assert.ok(engine.native, `native kernels did not load: ${engine.nativeDetail}`);
    assert.match(engine.native.path, /extensions\/.*dist\/native\/grasp_blas\.node$/);
    assert.match(engine.native.blas, /^(built-in sgemm|OpenBLAS)/);
  });

  test('Synthesize Descriptions and Build Neighbour Index run the retrieval stages from the palette', TIMEOUT, async () => {
    // No key is set yet, so synthesis uses the offline metadata provider (no cost prompt).
    await vscode.runCommand('GRASP: Synthesize Descriptions');
    await vscode.fillQuickInput('hostile.inter');
    await vscode.pickQuickItem('Items');
    assert.match(await vscode.waitForNotification(/3 done, 0 failed/, 60_000), /no world knowledge/);
    await vscode.runCommand('GRASP: Build Neighbour Index');
    await vscode.fillQuickInput('hostile.inter');
    await vscode.pickQuickItem('Items');
    await vscode.waitForNotification(/index written to/, 60_000);
    assert.ok(existsSync(join(workspace, 'hostile', '.grasp')) || existsSync(join(workspace, '.grasp', 'datasets')), 'the cache is in the workspace');
  });

  test('the key set by command reaches the worker and is written to no file', TIMEOUT, async () => {
    const key = `test-key-${randomBytes(16).toString('hex')}`;
    await vscode.runCommand('GRASP: Set Anthropic API Key');
    await vscode.fillQuickInput(key);
    await vscode.runCommand('GRASP: Check Anthropic Key in Worker');
    const prefix = createHash('sha256').update(key).digest('hex').slice(0, 12);
    const message = await vscode.waitForNotification(/worker sees an Anthropic API key/, 30_000);
    assert.ok(message.includes(prefix), `expected sha256 prefix ${prefix} in: ${message}`);
    const leaks = [...filesUnder(workspace), ...filesUnder(vscode.server.dir)].filter((file) => {
      if (statSync(file).size > 64 * 2 ** 20) return false;
      return readFileSync(file).includes(key);
    });
    assert.deepEqual(leaks, [], 'the key appears in no file under the workspace or the user-data folders');
  });

  test('a long job shows progress, is cancelled from the palette, and its worker is gone', TIMEOUT, async () => {
    // Workers already there (the shared one that lists runs and serves the views) are not this job's.
    const earlier = new Set(vscode.processes(/dist\/worker\.js/).map((worker) => worker.pid));
    await vscode.runCommand('GRASP: Generate Demo Dataset');
    await vscode.waitForNotification(/Generat/, 30_000);
    const workers = await waitUntil(
      () => {
        const found = vscode.processes(/dist\/worker\.js/).filter((worker) => !earlier.has(worker.pid));
        return found.length > 0 ? found : undefined;
      },
      { message: 'no worker process started', timeoutMs: 30_000 },
    );
    // Progress moves: the message counts users as they are generated.
    await vscode.waitForNotification(/Generating users \([1-9]/, 30_000);
    await vscode.screenshot('demo-progress');
    await vscode.runCommand('GRASP: Cancel Run');
    const cancelledAt = Date.now();
    // The time is reported, not asserted (a loaded CI machine would fail any threshold); the wait only
    // catches a worker that never goes.
    await waitUntil(() => workers.every((worker) => !isAlive(worker.pid)), { message: 'worker still alive', timeoutMs: 30_000, intervalMs: 20 });
    console.log(`worker gone ${((Date.now() - cancelledAt) / 1000).toFixed(2)} s after Cancel Run`);
    // Nothing half-written: the demo's interactions file is never left as a temporary.
    const demoFiles = existsSync(join(workspace, 'grasp-demo')) ? readdirSync(join(workspace, 'grasp-demo')) : [];
    assert.deepEqual(
      demoFiles.filter((name) => name.includes('.tmp-')),
      [],
    );
  });
});
