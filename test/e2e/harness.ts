// The e2e harness: real VS Code (code-server) in headless chromium, driven by playwright-core.
// Start one with launchVSCode() or, in a node:test test, withVSCode() which also screenshots on failure
// and always shuts everything down. Install the tools first: bash scripts/e2e/setup.sh.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchBrowser } from './lib/browser';
import { startCodeServer, type CodeServer, type CodeServerOptions } from './lib/code-server';
import { KEEP_TEMP, RESULTS_DIR } from './lib/env';
import { descendants, type ProcessInfo } from './lib/processes';
import * as wb from './lib/workbench';
import * as wv from './lib/webview';

export { skipUnlessE2EReady, missingTools, REPO_ROOT, RESULTS_DIR } from './lib/env';
export { findProcesses, descendants, isAlive, killTree, type ProcessInfo } from './lib/processes';
export { QUIET_SETTINGS, type CodeServer } from './lib/code-server';
export { waitUntil } from './lib/wait';
export * from './lib/workbench';
export * from './lib/webview';

export interface LaunchOptions extends CodeServerOptions {
  /** Folder to open. Default: a fresh empty temp folder, removed on close. */
  workspace?: string;
  /** An unpacked extension folder to load without packaging (extensionDevelopmentPath). */
  developmentExtension?: string;
  viewport?: { width: number; height: number };
}

export interface VSCodeSession {
  server: CodeServer;
  browser: Browser;
  page: Page;
  workspace: string;
  /** Console messages from the page and all its frames (webviews included), e.g. CSP violations. */
  console: { type: string; text: string }[];
  runCommand(title: string): Promise<void>;
  fillQuickInput(text: string, options?: { submit?: boolean }): Promise<void>;
  pickQuickItem(label: string): Promise<void>;
  notifications(): Promise<string[]>;
  waitForNotification(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  waitForWebview(query?: wv.WebviewQuery): Promise<Frame>;
  screenshot(name: string): Promise<string>;
  /** Processes started under this code-server (extension host, pty host, the extension's workers...). */
  processes(pattern?: string | RegExp): ProcessInfo[];
  /** Shuts chromium and the whole code-server process tree down; safe to call twice. */
  close(): Promise<void>;
}

/** The workbench URL for a folder, with an optional payload (extension development / tests). */
export function workbenchUrl(server: CodeServer, folder: string, payload: [string, string][] = []): string {
  const url = new URL(server.url);
  url.searchParams.set('folder', folder);
  if (payload.length) url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

/** A local path as the workbench sees it: a file on the server, in the vscode-remote:// scheme. */
export function remoteUri(server: CodeServer, path: string): string {
  return `vscode-remote://${server.authority}${path}`;
}

export async function launchVSCode(options: LaunchOptions = {}): Promise<VSCodeSession> {
  const ownWorkspace = options.workspace === undefined;
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'grasp-e2e-ws-'));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    browser = undefined;
    await server?.stop();
    if (ownWorkspace && !KEEP_TEMP) rmSync(workspace, { recursive: true, force: true });
  };
  try {
    server = await startCodeServer(options);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    const messages: VSCodeSession['console'] = [];
    page.on('console', (m) => messages.push({ type: m.type(), text: m.text() }));
    const payload: [string, string][] = options.developmentExtension ? [['extensionDevelopmentPath', remoteUri(server, options.developmentExtension)]] : [];
    await page.goto(workbenchUrl(server, workspace, payload));
    await wb.waitForWorkbench(page);
    const srv = server;
    return {
      server: srv,
      browser,
      page,
      workspace,
      console: messages,
      runCommand: (title) => wb.runCommand(page, title),
      fillQuickInput: (text, opts) => wb.fillQuickInput(page, text, opts),
      pickQuickItem: (label) => wb.pickQuickItem(page, label),
      notifications: () => wb.notificationTexts(page),
      waitForNotification: (pattern, timeoutMs) => wb.waitForNotification(page, pattern, timeoutMs),
      waitForWebview: (query) => wv.waitForWebview(page, query),
      screenshot: (name) => wb.screenshot(page, name),
      processes: (pattern) => descendants(srv.pid, pattern),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Runs `body` against a fresh VS Code and always shuts it down. On failure it saves a screenshot named
 * after the test and the tail of code-server's log as test diagnostics, then rethrows.
 */
export async function withVSCode<T>(t: TestContext, options: LaunchOptions, body: (vscode: VSCodeSession) => Promise<T>): Promise<T> {
  const session = await launchVSCode(options);
  try {
    return await body(session);
  } catch (err) {
    const shot = await session.screenshot(`${wb.safeName(t.name)}-failure`).catch(() => undefined);
    if (shot) t.diagnostic(`screenshot: ${shot}`);
    // The temp dir goes away on close, so keep the server log beside the screenshot.
    const logCopy = join(RESULTS_DIR, `${wb.safeName(t.name)}-failure-code-server.log`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(logCopy, session.server.output());
    // One diagnostic per line: the TAP reporter escapes newlines inside one.
    t.diagnostic(`code-server log: ${logCopy}; last lines:`);
    for (const line of session.server.output().trimEnd().split('\n').slice(-25)) t.diagnostic(`  ${line}`);
    throw err;
  } finally {
    await session.close();
  }
}

export interface ExtensionTestsOptions extends CodeServerOptions {
  /** The extension under test, unpacked (its package.json folder). */
  extensionDevelopmentPath: string;
  /** A CommonJS module exporting `run(): Promise<void>`, loaded in the extension host (Node). */
  extensionTestsPath: string;
  workspace?: string;
  timeoutMs?: number;
}

export interface ExtensionTestsResult {
  /** 0 when run() resolved, 1 when it threw. */
  exitCode: number;
  /** What the extension host logged (console.* in the tests included), as "type: text" lines. */
  log: string[];
}

/**
 * Runs integration tests inside the extension host, the way `@vscode/test-web` does: the workbench URL's
 * payload carries extensionDevelopmentPath and extensionTestsPath, and when run() settles the workbench
 * calls window.codeAutomationExit(code), which we expose from the page.
 */
export async function runExtensionTests(options: ExtensionTestsOptions): Promise<ExtensionTestsResult> {
  const ownWorkspace = options.workspace === undefined;
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), 'grasp-e2e-ws-'));
  const server = await startCodeServer(options);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage();
    const log: string[] = [];
    let onExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (onExit = resolve));
    await page.exposeFunction('codeAutomationExit', (code: number) => onExit(code));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      log.push(`${type}: ${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}`);
    });
    await page.goto(
      workbenchUrl(server, workspace, [
        ['extensionDevelopmentPath', remoteUri(server, options.extensionDevelopmentPath)],
        ['extensionTestsPath', remoteUri(server, options.extensionTestsPath)],
      ]),
    );
    const timeoutMs = options.timeoutMs ?? 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`extension tests did not finish in ${timeoutMs} ms; log:\n${log.join('\n')}`)), timeoutMs);
    });
    try {
      return { exitCode: await Promise.race([exited, timedOut]), log };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await server.stop();
    if (ownWorkspace && !KEEP_TEMP) rmSync(workspace, { recursive: true, force: true });
  }
}
