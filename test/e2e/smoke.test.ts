// Proves the e2e harness itself on real VS Code, using a throwaway extension built at test time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageVsix, SAMPLE, writeSampleExtension, writeSampleExtensionTests } from './fixtures/sample-extension';
import { isAlive, launchVSCode, runExtensionTests, skipUnlessE2EReady, waitUntil, webviewText, withVSCode } from './harness';

const TIMEOUT = { timeout: 180_000 };

describe('e2e harness', { skip: skipUnlessE2EReady() }, () => {
  let tmp: string;
  let extensionDir: string;
  let vsix: string;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'grasp-e2e-sample-'));
    extensionDir = writeSampleExtension(join(tmp, 'extension'));
    vsix = packageVsix(extensionDir, join(tmp, 'e2e-sample.vsix'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('runs a built-in command from the palette (terminal, so node-pty works)', TIMEOUT, (t) =>
    withVSCode(t, {}, async (vscode) => {
      await vscode.runCommand('View: Toggle Terminal');
      await vscode.page.locator('.terminal-wrapper .xterm-screen').first().waitFor({ state: 'visible', timeout: 30_000 });
      const shot = await vscode.screenshot('smoke-terminal');
      t.diagnostic(`screenshot: ${shot}`);
      // The shell is a child of the pty host, which runs under this code-server.
      await waitUntil(() => vscode.processes(/ptyHost/).length && vscode.processes(/bash|\/sh\b/).length, {
        message: 'no pty host with a shell under code-server',
      });
    }),
  );

  test('installs a VSIX and reads and clicks inside its webview', TIMEOUT, (t) =>
    withVSCode(t, { vsix: [vsix] }, async (vscode) => {
      await vscode.runCommand(SAMPLE.showWebview);
      const frame = await vscode.waitForWebview({ title: SAMPLE.panelTitle });
      assert.match(await webviewText(frame), /Hello from inside the webview/);

      // The webview shows the extension host's pid: it must be one of this server's processes.
      const hostPid = Number(await frame.locator('#host-pid').textContent());
      assert.ok(
        vscode.processes().some((p) => p.pid === hostPid),
        `extension host ${hostPid} is under code-server`,
      );

      await frame.locator('#ping').click();
      await frame.locator('#reply', { hasText: 'pong from the extension host' }).waitFor({ timeout: 10_000 });
      await vscode.screenshot('smoke-webview');

      const cspErrors = vscode.console.filter((m) => /Content Security Policy/i.test(m.text));
      assert.deepEqual(cspErrors, [], 'the webview broke no CSP rule');
    }),
  );

  test('types into an input box and reads the notification it leads to', TIMEOUT, (t) =>
    withVSCode(t, { vsix: [vsix] }, async (vscode) => {
      await vscode.runCommand(SAMPLE.greet);
      await vscode.fillQuickInput('Ada');
      assert.equal(await vscode.waitForNotification(/^Hello, /), 'Hello, Ada!');
    }),
  );

  test('finds a worker process by pid, and close() takes it down with code-server', TIMEOUT, async () => {
    const vscode = await launchVSCode({ vsix: [vsix] });
    let workerPid: number;
    try {
      await vscode.runCommand(SAMPLE.startWorker);
      workerPid = Number(/worker started: (\d+)/.exec(await vscode.waitForNotification('worker started'))![1]);
      assert.deepEqual(
        vscode.processes(SAMPLE.workerMarker).map((p) => p.pid),
        [workerPid],
      );
    } finally {
      await vscode.close();
    }
    assert.equal(isAlive(workerPid), false, 'worker is gone');
    assert.equal(isAlive(vscode.server.pid), false, 'code-server is gone');
  });

  test('loads an unpacked extension folder (extensionDevelopmentPath)', TIMEOUT, (t) =>
    withVSCode(t, { developmentExtension: extensionDir }, async (vscode) => {
      await vscode.runCommand(SAMPLE.showWebview);
      await vscode.waitForWebview({ text: /Hello from inside the webview/ });
    }),
  );

  test('runs integration tests inside the extension host (extensionTestsPath)', TIMEOUT, async () => {
    const testsPath = writeSampleExtensionTests(join(tmp, 'ext-tests'));
    const passing = await runExtensionTests({ extensionDevelopmentPath: extensionDir, extensionTestsPath: testsPath });
    assert.equal(passing.exitCode, 0, passing.log.join('\n'));
    assert.ok(
      passing.log.some((line) => line.includes('sample extension tests passed')),
      passing.log.join('\n'),
    );

    // A failing run must be reported as such, not hang or pass.
    const failing = await runExtensionTests({
      extensionDevelopmentPath: extensionDir,
      extensionTestsPath: testsPath,
      env: { E2E_SAMPLE_FAIL: '1' },
    });
    assert.equal(failing.exitCode, 1);
    assert.ok(
      failing.log.some((line) => line.includes('failing on purpose')),
      failing.log.join('\n'),
    );
  });
});
