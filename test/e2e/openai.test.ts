// Train Model from the palette with the text side on an OpenAI-compatible server (issue 19), in a real VS Code
// (code-server) with the packaged VSIX: the grasp.embedder.* and grasp.synthesis.* settings point at the mock
// server (test/mock/openaiServer.ts) running in this process, the server's key is set with its palette command
// (the mock refuses requests without it), and a GRASP run on a tiny demo world writes its descriptions and
// vectors through the server.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MockOpenAI } from '../mock/openaiServer';
import { REPO_ROOT, skipUnlessE2EReady, withVSCode, type VSCodeSession } from './harness';

// Made up at run time, so no key-like string sits in the repository.
const KEY = ['sk', 'e2e', Date.now().toString(36), 'FAKE'].join('-');

/** Answers the pickers of a palette command; each is known by its title, so an answer never goes to the one closing. */
async function answer(vscode: VSCodeSession, steps: Array<{ title: string; pick?: string; fill?: string }>): Promise<void> {
  for (const step of steps) {
    await vscode.page.locator('.quick-input-widget:visible .quick-input-title', { hasText: step.title }).waitFor({ timeout: 30_000 });
    if (step.pick !== undefined) await vscode.pickQuickItem(step.pick);
    if (step.fill !== undefined) await vscode.fillQuickInput(step.fill);
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}

describe('GRASP Lab with an OpenAI-compatible server', { skip: skipUnlessE2EReady() }, () => {
  let tmp: string;
  let vsix: string;
  let workspace: string;
  let mock: MockOpenAI;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'grasp-e2e-openai-'));
    vsix = join(tmp, 'grasp-lab.vsix');
    const packaged = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', vsix], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(packaged.status, 0, `npm run package failed:\n${packaged.stdout}\n${packaged.stderr}`);
    workspace = join(tmp, 'workspace');
    // The workspace's .grasp holds the caches and the runs.
    mkdirSync(join(workspace, '.grasp'), { recursive: true });
    // The smallest demo world that trains GRASP: 60 users, 20 items.
    const demo = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'grasp.js'),
        'demo',
        '--out',
        join(workspace, 'demo'),
        '--users',
        '60',
        '--items',
        '20',
        '--seed',
        '5',
        '--no-train',
        '--no-retrieval',
        '--json',
      ],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    assert.equal(demo.status, 0, demo.stderr);
    // 64-wide vectors: the run's PCA keeps grasp.dims (64 by default) columns.
    mock = await MockOpenAI.start({ apiKey: KEY, dim: 64 });
  });

  after(async () => {
    await mock?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test(
    'Train Model (GRASP on) writes descriptions and vectors through the server set in the settings, with the key from secret storage',
    { timeout: 300_000 },
    (t) =>
      withVSCode(
        t,
        {
          vsix: [vsix],
          workspace,
          settings: {
            'grasp.embedder.provider': 'openai-compatible',
            'grasp.embedder.baseUrl': mock.url,
            'grasp.embedder.model': 'mock-embed',
            'grasp.synthesis.provider': 'openai-compatible',
            'grasp.synthesis.baseUrl': mock.url,
            'grasp.synthesis.model': 'mock-chat',
          },
        },
        async (vscode) => {
          await vscode.runCommand('GRASP: Set OpenAI-compatible API Key');
          await vscode.fillQuickInput(KEY);
          await vscode.waitForNotification(/OpenAI-compatible API key is stored/, 30_000);

          await vscode.runCommand('GRASP: Train Model');
          await answer(vscode, [
            { title: 'Train Model', pick: 'Choose a dataset and a backbone…' },
            { title: 'Which dataset', fill: 'demo' },
            { title: 'Which backbone', pick: 'SASRec' },
            { title: 'GRASP on or off', pick: 'GRASP on' },
            { title: 'Training budget', pick: 'Custom number of epochs…' },
            { title: 'Epochs to train at most', fill: '1' },
          ]);
          const frame = await vscode.waitForWebview({ title: 'Run dashboard', text: /sasrec-grasp-demo/, timeoutMs: 60_000 });
          await frame.waitForFunction(() => document.querySelector('.live-status')?.getAttribute('data-status') !== 'running', undefined, { timeout: 240_000 });
          const status = frame.locator('.live-status');
          assert.equal(await status.getAttribute('data-status'), 'done', `the run ended: ${await status.textContent()}`);
          assert.equal((await frame.locator('#stop-reason').textContent())?.trim(), 'Ran its whole epoch budget (1 epoch)');
          await vscode.screenshot('openai-compatible-grasp-run');

          const runs = readdirSync(join(workspace, '.grasp', 'runs'));
          assert.equal(runs.length, 1, runs.join(', '));
          const runDir = join(workspace, '.grasp', 'runs', runs[0]);
          const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as {
            grasp: { embedder: string; embedding?: { baseUrl?: string }; texts: { provider: string; baseUrl?: string } };
          };
          assert.equal(config.grasp.embedder, 'openai-compatible');
          assert.equal(config.grasp.texts.provider, 'openai-compatible');
          assert.equal(config.grasp.embedding?.baseUrl, mock.url);
          assert.equal(config.grasp.texts.baseUrl, mock.url);
          // The server wrote the texts and embedded them, and every request carried the key.
          assert.ok(
            mock.log.some((entry) => entry.kind === 'chat' && entry.outcome === 'ok'),
            'chat requests were answered',
          );
          assert.ok(
            mock.log.some((entry) => entry.kind === 'embeddings' && entry.outcome === 'ok'),
            'embedding requests were answered',
          );
          assert.deepEqual(
            mock.log.filter((entry) => entry.outcome === 'unauthorized'),
            [],
            'the key from secret storage reached the worker',
          );
          const leaks = filesUnder(join(workspace, '.grasp')).filter((file) => statSync(file).size < 64 * 2 ** 20 && readFileSync(file).includes(KEY));
          assert.deepEqual(leaks, [], 'the key is in no run or cache file');
        },
      ),
  );
});
