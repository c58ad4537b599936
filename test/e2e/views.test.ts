// The part-2 webviews in a real VS Code (code-server), installed from the packaged VSIX: Inspect Neighbours,
// Review Flagged Descriptions, the run dashboard and Compare Runs. The caches they read are prepared with the
// `grasp` CLI, which runs the same core jobs as the palette.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import { cachePaths } from '../../src/core/data/cachePaths';
import { textHash } from '../../src/core/hallucination/detect';
import { synthesisKey } from '../../src/core/llm/inputs';
import { fillQuickInput, launchVSCode, REPO_ROOT, skipUnlessE2EReady, webviewText, type VSCodeSession } from './harness';

const TIMEOUT = { timeout: 300_000 };
const SHARED_BEAUTY = join(REPO_ROOT, '..', 'shared', 'data', 'beauty');
const BEAUTY_ITEM = '4321';
const HOSTILE_SUMMARY = 'Evil <script>window.__graspPwned=3</script> serum <img src=x onerror="window.__graspPwned=4"> by Chanel, a luxury perfume';

function grasp(...args: string[]): string {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'grasp.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  assert.equal(run.status, 0, `grasp ${args.join(' ')} failed:\n${run.stderr}`);
  return run.stdout;
}

/** Synthesis (offline), embedding and index of a dataset's items, as Synthesize / Build Neighbour Index do. */
function buildItemIndex(dataset: string): void {
  grasp('synthesize', dataset, '--entity', 'items', '--provider', 'metadata', '--json');
  grasp('embed', dataset, '--entity', 'items', '--json');
  grasp('index', dataset, '--entity', 'items', '--json');
}

/**
 * Turns the offline descriptions of a dataset into "LLM" ones (as if Claude had written them), one of them
 * hostile: the synthesis cache is the file an LLM's text arrives through.
 */
function fakeLlmDescriptions(cacheFile: string, hostileId: string): void {
  const records = readFileSync(cacheFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const record of records) {
    const template = { name: record.template as string, version: record.templateVersion as number };
    const output = structuredClone(record.output) as { summary: string };
    if ((record.ids as string[]).includes(hostileId)) {
      // Markup, and claims the metadata does not support (so the detector flags it).
      output.summary = HOSTILE_SUMMARY;
      Object.assign((output as unknown as { claims: Record<string, unknown> }).claims, { brand: 'Chanel', category: 'Perfume' });
    }
    const llm = { ...record, provider: 'anthropic', model: 'claude-e2e', worldKnowledge: true, mode: 'messages', output, key: synthesisKey('anthropic', 'claude-e2e', template, record.inputHash as string) };
    appendFileSync(cacheFile, `${JSON.stringify(llm)}\n`);
  }
}

/** Runs a palette command and answers its quick picks; retried when a webview taking focus closes the picker. */
async function runWithPicks(vscode: VSCodeSession, command: string, answers: Array<{ fill?: string; pick?: string; title?: string }>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await vscode.runCommand(command);
    try {
      await vscode.page.locator('.quick-input-widget:visible input.input').waitFor({ state: 'visible', timeout: 5_000 });
      for (const answer of answers) {
        // A picker that follows a job (the id list) is known by its title, not to be confused with the one closing.
        if (answer.title !== undefined) await vscode.page.locator('.quick-input-widget:visible .quick-input-title', { hasText: answer.title }).waitFor({ timeout: 90_000 });
        if (answer.fill !== undefined) await fillQuickInput(vscode.page, answer.fill, { timeoutMs: 30_000 });
        if (answer.pick !== undefined) await vscode.pickQuickItem(answer.pick);
      }
      return;
    } catch (error) {
      await vscode.page.keyboard.press('Escape');
      if (attempt === 3) throw error;
    }
  }
}

/** One view at a time, so each screenshot shows it at full width. */
async function closeEditors(vscode: VSCodeSession): Promise<void> {
  await vscode.runCommand('View: Close All Editor Groups');
}

async function neighbourIds(frame: Frame): Promise<string[]> {
  return frame.locator('.neighbour .nb-open').allTextContents();
}

describe('GRASP Lab views (part 2)', { skip: skipUnlessE2EReady() }, () => {
  let tmp: string;
  let workspace: string;
  let vscode: VSCodeSession;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'grasp-e2e-views-'));
    const vsix = join(tmp, 'grasp-lab.vsix');
    const packaged = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', vsix], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(packaged.status, 0, `npm run package failed:\n${packaged.stdout}\n${packaged.stderr}`);

    workspace = join(tmp, 'workspace');
    // The workspace's .grasp holds every cache (the Beauty folder itself is shared, read-only data).
    mkdirSync(join(workspace, '.grasp'), { recursive: true });
    if (existsSync(SHARED_BEAUTY)) {
      symlinkSync(SHARED_BEAUTY, join(workspace, 'beauty'));
      buildItemIndex(join(workspace, 'beauty'));
    }
    // Six items whose descriptions came from an "LLM", one of which writes markup.
    mkdirSync(join(workspace, 'llm'), { recursive: true });
    const titles = ['Rose serum', 'Rose cream', 'Night cream', 'Lip balm', 'Lip gloss', 'Eye liner'];
    writeFileSync(join(workspace, 'llm', 'llm.item'), `item_id:token\ttitle:token_seq\n${titles.map((title, i) => `a${i + 1}\t${title}`).join('\n')}\n`);
    const rows = Array.from({ length: 12 }, (_, user) => Array.from({ length: 4 }, (_, step) => `u${user}\ta${((user + step) % 6) + 1}\t${step}`).join('\n'));
    writeFileSync(join(workspace, 'llm', 'llm.inter'), `user_id:token\titem_id:token\ttimestamp:float\n${rows.join('\n')}\n`);
    grasp('synthesize', join(workspace, 'llm'), '--entity', 'items', '--provider', 'metadata', '--json');
    fakeLlmDescriptions(join(cachePaths(join(workspace, 'llm')).dataset, 'synthesis', 'items.jsonl'), 'a1');
    grasp('embed', join(workspace, 'llm'), '--entity', 'items', '--json');
    grasp('index', join(workspace, 'llm'), '--entity', 'items', '--json');
    // A GRASP run on it, whose checkpoint holds the attention weights the neighbours view shows.
    const graspConfig = join(tmp, 'grasp-llm.json');
    writeFileSync(graspConfig, JSON.stringify({ name: 'grasp-llm', data: { path: join(workspace, 'llm') }, model: { kind: 'sasrec', d: 16, layers: 1, maxLen: 10 }, train: { epochs: 2, batchSize: 8 }, eval: { sampled: 0 }, variant: 'grasp', grasp: { kItems: 3, kUsers: 3, dims: 8, width: 8 } }));
    grasp('train', '--config', graspConfig, '--out', join(workspace, '.grasp', 'runs', 'grasp-llm'), '--quiet');

    // The project's demo world (generated here: a clean clone has none) and a run config for the dashboard,
    // long enough (about 8 s of training on idle cores) for the test to watch it update.
    grasp('demo', '--out', join(workspace, 'demo'), '--no-train', '--no-retrieval', '--json');
    writeFileSync(
      join(workspace, 'demo-short.grasp.json'),
      JSON.stringify({ name: 'demo-short', data: { path: 'demo/demo.inter' }, model: { kind: 'sasrec', d: 64, layers: 2, maxLen: 50 }, train: { epochs: 3, batchSize: 8, evalEvery: 1, patience: 0 }, eval: { sampled: 0 } }, null, 2),
    );
    // Two finished runs on a small dataset for Compare Runs: one with two seeds, one with another learning rate.
    mkdirSync(join(workspace, 'small'), { recursive: true });
    const small = Array.from({ length: 40 }, (_, user) => Array.from({ length: 6 }, (_, step) => `${user}\t${(user + step * 3) % 20}\t${step}`).join('\n'));
    writeFileSync(join(workspace, 'small', 'small.inter'), `user_id:token\titem_id:token\ttimestamp:float\n${small.join('\n')}\n`);
    for (const [name, train] of [['cmp-a', { seeds: [1, 2], lr: 0.001 }], ['cmp-b', { seed: 1, lr: 0.005 }]] as const) {
      const config = join(tmp, `${name}.json`);
      writeFileSync(config, JSON.stringify({ name, data: { path: join(workspace, 'small', 'small.inter') }, model: { kind: 'sasrec', d: 16, layers: 1, maxLen: 10 }, train: { epochs: 2, batchSize: 16, ...train }, eval: { sampled: 0 } }));
      grasp('train', '--config', config, '--out', join(workspace, '.grasp', 'runs', name), '--quiet');
    }
    vscode = await launchVSCode({ vsix: [vsix], workspace });
  });

  after(async () => {
    await vscode?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('Inspect Neighbours opens a Beauty item from the palette and shows its neighbours', { ...TIMEOUT, skip: existsSync(SHARED_BEAUTY) ? false : `${SHARED_BEAUTY} is absent` }, async () => {
    const expected = JSON.parse(grasp('neighbours', join(workspace, 'beauty'), '--item', BEAUTY_ITEM, '--k', '10', '--json')) as { neighbours: Array<{ id: string; similarity: number }> };
    await runWithPicks(vscode, 'GRASP: Inspect Neighbours', [{ fill: 'beauty' }, { pick: 'Items' }, { title: 'Which item', fill: BEAUTY_ITEM }]);
    const frame = await vscode.waitForWebview({ title: 'Inspect neighbours', selector: '.neighbour', timeoutMs: 120_000 });
    const text = await webviewText(frame);
    assert.match(text, new RegExp(`Item ${BEAUTY_ITEM}`));
    assert.match(text, /10 nearest items/);
    assert.deepEqual(await neighbourIds(frame), expected.neighbours.map((n) => n.id), 'the view lists the index’s neighbours in order');
    const similarities = (await frame.locator('.nb-similarity').allTextContents()).map(Number);
    similarities.forEach((value, i) => assert.ok(Math.abs(value - expected.neighbours[i].similarity) < 1e-3, `similarity ${i}: ${value}`));
    assert.match(text, /shared users \(Jaccard/);
    // Attention weights need a GRASP checkpoint; the view says so instead of showing numbers.
    assert.match(text, /Attention: /);
    await vscode.screenshot('neighbours-beauty');

    // Move to the first neighbour, then back and forward.
    const first = expected.neighbours[0].id;
    await frame.locator('.neighbour .nb-open', { hasText: first }).first().click();
    await frame.locator('h1', { hasText: `Item ${first}` }).waitFor({ timeout: 60_000 });
    await frame.locator('.neighbour').first().waitFor({ timeout: 60_000 });
    await vscode.screenshot('neighbours-beauty-moved');
    await frame.locator('#back').click();
    await frame.locator('h1', { hasText: `Item ${BEAUTY_ITEM}` }).waitFor({ timeout: 30_000 });
    // The page shows "loading" until the host answers (from its cache, for a visited id).
    await frame.locator('.neighbour .nb-open').first().waitFor({ timeout: 30_000 });
    assert.deepEqual(await neighbourIds(frame), expected.neighbours.map((n) => n.id));
    await frame.locator('#forward').click();
    await frame.locator('h1', { hasText: `Item ${first}` }).waitFor({ timeout: 30_000 });

    // The search box filters Beauty's 12k items but renders only the rows in view.
    await frame.locator('input.search').fill('nail');
    await frame.locator('.search-pane .note', { hasText: /of 12,101 items/ }).waitFor({ timeout: 30_000 });
    const rendered = await frame.locator('.virtual-rows .row').count();
    assert.ok(rendered > 0 && rendered < 80, `only visible rows are rendered (${rendered})`);
  });

  test('an injected <script> in an LLM description stays inert text in the neighbours view', TIMEOUT, async () => {
    await closeEditors(vscode);
    await runWithPicks(vscode, 'GRASP: Inspect Neighbours', [{ fill: 'llm' }, { pick: 'Items' }, { title: 'Which item', fill: 'a1' }]);
    const frame = await vscode.waitForWebview({ title: 'Inspect neighbours', text: /Item a1/, selector: '.query-card .desc', timeoutMs: 120_000 });
    const shown = (await frame.locator('.query-card .desc').textContent()) ?? '';
    assert.ok(shown.includes('<script>window.__graspPwned=3</script>'), `the <script> is shown as text: ${shown}`);
    assert.ok(shown.includes('<img src=x onerror='), `the <img> is shown as text: ${shown}`);
    assert.match(await webviewText(frame), /anthropic\/claude-e2e/);
    // The GRASP checkpoint's attention: the weight kept on a1 itself and on each candidate, summing to 1.
    await frame.locator('.attention-list').waitFor({ timeout: 30_000 });
    const selfText = (await frame.locator('.attention-list .facts').textContent()) ?? '';
    const weights = (await frame.locator('.attention-list td.num').allTextContents()).map((t) => Number.parseFloat(t));
    const total = Number.parseFloat(selfText.replace(/^itself: /, '')) + weights.reduce((a, b) => a + b, 0);
    assert.ok(weights.length === 3 && Math.abs(total - 100) < 0.5, `attention over itself and 3 candidates sums to 100 %: ${selfText} ${weights.join(', ')}`);
    assert.ok((await frame.locator('.neighbour .attention').count()) > 0, 'neighbours the model attended to show their weight');
    assert.equal(await frame.locator('img[src="x"]').count(), 0, 'no <img> was created from LLM text');
    const injected = await frame.evaluate(() => [...document.scripts].filter((script) => script.text.includes('__graspPwned')).length);
    assert.equal(injected, 0, 'no <script> was created from LLM text');
    assert.equal(await frame.evaluate(() => (window as unknown as { __graspPwned?: number }).__graspPwned), undefined);
    await vscode.screenshot('neighbours-hostile-llm-text');
    const cspErrors = vscode.console.filter((m) => /Content Security Policy/i.test(m.text));
    assert.deepEqual(cspErrors, [], 'the webviews broke no CSP rule');
  });

  test('Review Flagged Descriptions: a verdict by keyboard lands in the annotations file; LLM markup stays text', TIMEOUT, async () => {
    await closeEditors(vscode);
    await runWithPicks(vscode, 'GRASP: Review Flagged Descriptions', [{ fill: 'llm' }, { pick: 'Items' }]);
    const frame = await vscode.waitForWebview({ title: 'Review flagged descriptions', selector: '.flagged-text', timeoutMs: 120_000 });
    await frame.locator('.review-progress', { hasText: '0 of 1 flagged reviewed' }).waitFor({ timeout: 30_000 });
    const text = (await frame.locator('.flagged-text').textContent()) ?? '';
    assert.ok(text.includes('<script>window.__graspPwned=3</script>'), `the markup is shown as text: ${text}`);
    const marks = await frame.locator('.flagged-text mark.flag-span').allTextContents();
    assert.ok(marks.includes('Chanel') && marks.includes('Perfume'), `flagged spans are highlighted: ${JSON.stringify(marks)}`);
    assert.equal(await frame.evaluate(() => [...document.scripts].filter((script) => script.text.includes('__graspPwned')).length), 0);
    assert.equal(await frame.locator('img[src="x"]').count(), 0);
    assert.equal(await frame.evaluate(() => (window as unknown as { __graspPwned?: number }).__graspPwned), undefined);
    await vscode.screenshot('review-flagged');

    // "h": hallucinated, from the keyboard.
    await frame.locator('.flagged-text').click();
    await frame.locator('body').press('h');
    await frame.locator('.review-progress', { hasText: '1 of 1 flagged reviewed' }).waitFor({ timeout: 30_000 });
    const file = join(workspace, 'grasp.annotations.jsonl');
    const records = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { entity: string; id: string; verdict: string; textHash: string });
    assert.equal(records.length, 1, readFileSync(file, 'utf8'));
    assert.equal(records[0].entity, 'item');
    assert.equal(records[0].id, 'a1');
    assert.equal(records[0].verdict, 'hallucinated');
    assert.equal(records[0].textHash, textHash(text), 'the record names the text that was judged');
    await vscode.screenshot('review-verdict');
  });

  test('Train Model opens a live dashboard that updates in place as the run trains', TIMEOUT, async () => {
    await closeEditors(vscode);
    await runWithPicks(vscode, 'GRASP: Train Model', [{ fill: 'demo-short.grasp.json' }]);
    const frame = await vscode.waitForWebview({ title: 'Run dashboard', selector: '#loss-chart', timeoutMs: 60_000 });
    const chart = await frame.$('#loss-chart');
    assert.ok(chart);
    // Points arrive while it trains: watch the page until the run ends and keep what was seen.
    const seen = new Set<string>();
    const deadline = Date.now() + 240_000;
    let shot = false;
    for (;;) {
      const rows = await frame.locator('.valid-table .eval-row').count();
      const points = await frame.locator('#loss-chart polyline.series').first().getAttribute('data-count');
      const status = await frame.locator('.live-status').getAttribute('data-status');
      seen.add(`${rows}:${points}`);
      if (!shot && rows > 0 && status === 'running') {
        await vscode.screenshot('dashboard-training');
        shot = true;
      }
      if (status === 'done') break;
      assert.ok(status === 'running', `the run ended as ${status}`);
      assert.ok(Date.now() < deadline, 'the run did not finish in time');
      await vscode.page.waitForTimeout(250);
    }
    assert.ok(seen.size >= 3, `the dashboard changed while the run trained: ${[...seen].join(' ')}`);
    assert.equal(await frame.locator('.valid-table .eval-row').count(), 3, 'one validation row per epoch');
    assert.ok(Number(await frame.locator('#loss-chart polyline.series').first().getAttribute('data-count')) >= 2, 'the loss line has points');
    assert.ok(await chart.evaluate((node) => node.isConnected), 'the chart was updated in place, not re-rendered');
    assert.match(await webviewText(frame), /Test at the best validation epoch/);
    const runs = readdirSync(join(workspace, '.grasp', 'runs')).filter((name) => name.includes('demo-short'));
    assert.equal(runs.length, 1);
    await vscode.screenshot('dashboard-finished');
  });

  test('Compare Runs shows finished runs side by side and exports them as CSV', TIMEOUT, async () => {
    await closeEditors(vscode);
    await vscode.runCommand('GRASP: Compare Runs');
    for (const name of ['cmp-b', 'cmp-a']) await vscode.pickQuickItem(name);
    await vscode.page.keyboard.press('Enter');
    const frame = await vscode.waitForWebview({ title: 'Compare runs', selector: 'table.metrics', timeoutMs: 120_000 });
    const text = await webviewText(frame);
    assert.match(text, /train\.lr/, 'the config diff names the setting that differs');
    assert.match(text, /0\.001/);
    assert.match(text, /0\.005/);
    assert.match(text, /NDCG@10\s+\d\.\d{4}\s+\d\.\d{4} ± \d\.\d{4}/, 'the one-seed run shows its value, the two-seed run mean ± std');
    assert.equal(await frame.locator('table.significance tbody tr').count(), 1);
    await vscode.screenshot('compare-runs');

    // Export: the save dialog (code-server's simple dialog) proposes <workspace>/run-comparison.csv.
    await frame.locator('#export-csv').click();
    const input = vscode.page.locator('.quick-input-widget:visible input.input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(join(workspace, 'run-comparison.csv'));
    await input.press('Enter');
    const file = join(workspace, 'run-comparison.csv');
    await frame.locator('.note', { hasText: 'Exported to' }).waitFor({ timeout: 30_000 });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    assert.match(lines[0], /^section,key,cmp-/);
    assert.ok(lines.some((line) => /^config,train\.lr,/.test(line)), lines.join('\n'));
    assert.ok(lines.some((line) => /^metric mean,NDCG@10,0\.\d+,0\.\d+$/.test(line)), lines.join('\n'));
    assert.equal(readdirSync(workspace).filter((name) => name.includes('.tmp-')).length, 0, 'no temporary file is left behind');
  });
});
