// Starts and stops a private code-server: its own temp config, user data, extensions and XDG dirs,
// so tests never touch ~/.config, ~/.local or each other, and a free port picked by the OS.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODE_SERVER_ENTRY, KEEP_TEMP } from './env';
import { killTree, killTreeNow } from './processes';

export interface CodeServerOptions {
  /** VSIX files to install (with `--install-extension`) before the server starts. */
  vsix?: string[];
  /** User settings merged over QUIET_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and so for the extension host (and the extension's workers). */
  env?: Record<string, string>;
  /** How long to wait for the "listening" line. */
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** host:port, the remote authority of vscode-remote:// URIs in this server. */
  authority: string;
  pid: number;
  /** The temp root holding config.yaml, user-data/, extensions/, xdg/ and code-server.log. */
  dir: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Settings that keep the workbench still for a robot: the Welcome walkthrough steals focus and so closes
 * quick inputs at random; update checks and recommendations pop notifications; trust prompts block.
 */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.commandCenter.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

const running = new Set<number>();
let exitHookInstalled = false;

/** Kill leftover servers even when a test throws past its cleanup or the runner interrupts us. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => running.forEach(killTreeNow));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(sig === 'SIGINT' ? 130 : 143));
}

/**
 * The environment code-server runs with. VSCODE_IPC_HOOK_CLI (set inside a VS Code terminal) would turn
 * it into a client of that other VS Code, and PORT/PASSWORD would override our flags: drop them all.
 */
function serverEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VSCODE_') || ['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'ELECTRON_RUN_AS_NODE'].includes(key)) continue;
    env[key] = value;
  }
  // code-server writes a default config.yaml and its logs under the XDG dirs.
  return { ...env, XDG_CONFIG_HOME: join(dir, 'xdg', 'config'), XDG_DATA_HOME: join(dir, 'xdg', 'data'), ...extra };
}

function commonArgs(dir: string): string[] {
  return ['--config', join(dir, 'config.yaml'), '--user-data-dir', join(dir, 'user-data'), '--extensions-dir', join(dir, 'extensions')];
}

export function installVsix(dir: string, vsix: string, env?: Record<string, string>): void {
  const result = spawnSync(process.execPath, [CODE_SERVER_ENTRY, ...commonArgs(dir), '--force', '--install-extension', vsix], {
    env: serverEnv(dir, env),
    encoding: 'utf8',
    timeout: 120_000,
  });
  // code-server exits 0 even when an install fails, so read what it said.
  const out = `${result.stdout}${result.stderr}`;
  if (result.status !== 0 || !/successfully installed/i.test(out)) throw new Error(`installing ${vsix} failed:\n${out}`);
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const dir = mkdtempSync(join(tmpdir(), 'grasp-e2e-'));
  const userDataDir = join(dir, 'user-data');
  const extensionsDir = join(dir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(dir, 'config.yaml'), 'auth: none\ncert: false\n');
  const settings = JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2);
  writeFileSync(join(userDataDir, 'User', 'settings.json'), settings);
  // Machine-scoped settings (grasp.embedder.baseUrl is machine-overridable) belong to the remote machine's
  // settings in code-server; a run once read the user-level value as unset, so they are written there too.
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), settings);
  for (const vsix of options.vsix ?? []) installVsix(dir, vsix, options.env);

  const logFile = join(dir, 'code-server.log');
  const log = createWriteStream(logFile);
  // detached: its own process group, so stop() can take the extension host and pty host down with it.
  const child = spawn(
    process.execPath,
    [
      CODE_SERVER_ENTRY,
      ...commonArgs(dir),
      '--auth',
      'none',
      '--bind-addr',
      '127.0.0.1:0',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    { env: serverEnv(dir, options.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const pid = child.pid!;
  running.add(pid);
  installExitHook();

  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    log.write(chunk);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  const stop = async () => {
    if (!running.delete(pid)) return;
    await killTree(pid);
    log.end();
    if (!KEEP_TEMP) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    const url = await waitForListening(child, () => output, options.startTimeoutMs ?? 60_000);
    return { url, authority: new URL(url).host, pid, dir, userDataDir, extensionsDir, logFile, output: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** code-server prints "HTTP server listening on http://127.0.0.1:PORT/" once bound; --bind-addr :0 lets the OS pick PORT. */
function waitForListening(child: ChildProcess, output: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(check, 50);
    const timeout = setTimeout(() => done(new Error(`code-server did not start in ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const onExit = (code: number | null) => done(new Error(`code-server exited (${code}) before listening:\n${output()}`));
    child.once('exit', onExit);
    function check() {
      const match = /HTTP server listening on (http:\/\/[^\s/]+)/.exec(output());
      if (match) done(undefined, match[1]);
    }
    function done(err?: Error, url?: string) {
      clearInterval(timer);
      clearTimeout(timeout);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(url!);
    }
  });
}
