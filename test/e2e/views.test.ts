// The part-2 webviews in a real VS Code (code-server), installed from the packaged VSIX: Inspect Neighbours,
// Review Flagged Descriptions, the run dashboard and Compare Runs, and a researcher's whole loop from the
// palette (train two models, watch them, compare them against a chosen baseline, open the neighbours with
// attention weights). The caches they read are prepared with the `grasp` CLI, which runs the same core jobs
// as the palette. The views are checked where they open, beside the editor (about 520 px wide), with
// screenshots kept under test-results/e2e/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test as nodeTest, type TestOptions } from 'node:test';
import type { Frame } from 'playwright-core';
import { cachePaths } from '../../src/core/data/cachePaths';
import type { CorruptionTruth } from '../../src/core/hallucination/corrupt';
import { demoTruthPath } from '../../src/core/hallucination/demo';
import { textHash } from '../../src/core/hallucination/detect';
import { synthesisKey } from '../../src/core/llm/inputs';
import { fillQuickInput, launchVSCode, REPO_ROOT, safeName, skipUnlessE2EReady, webviewText, type VSCodeSession } from './harness';

const TIMEOUT = { timeout: 300_000 };
/** The window: the side bar open and a panel opened beside an editor is then about 520 px wide. */
const VIEWPORT = { width: 1390, height: 820 };
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
  const records = readFileSync(cacheFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const record of records) {
    const template = { name: record.template as string, version: record.templateVersion as number };
    const output = structuredClone(record.output) as { summary: string };
    if ((record.ids as string[]).includes(hostileId)) {
      // Markup, and claims the metadata does not support (so the detector flags it).
      output.summary = HOSTILE_SUMMARY;
      Object.assign((output as unknown as { claims: Record<string, unknown> }).claims, { brand: 'Chanel', category: 'Perfume' });
    }
    const llm = {
      ...record,
      provider: 'anthropic',
      model: 'claude-e2e',
      worldKnowledge: true,
      mode: 'messages',
      output,
      key: synthesisKey('anthropic', 'claude-e2e', template, record.inputHash as string),
    };
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
        if (answer.title !== undefined)
          await vscode.page.locator('.quick-input-widget:visible .quick-input-title', { hasText: answer.title }).waitFor({ timeout: 90_000 });
        if (answer.fill !== undefined) {
          await fillQuickInput(vscode.page, answer.fill, { timeoutMs: 30_000, submit: false });
          // Enter accepts the active row: wait until the filtered list shows it (a list of 12k ids fills a moment
          // after its picker appears; Enter before that accepts nothing). An id is waited for by its exact label.
          const rows = vscode.page.locator('.quick-input-widget:visible .monaco-list-row');
          const row =
            answer.title !== undefined ? rows.filter({ has: vscode.page.locator('.label-name', { hasText: new RegExp(`^\\s*${answer.fill}\\s*$`) }) }) : rows;
          await row.first().waitFor({ timeout: 30_000 });
          await vscode.page.keyboard.press('Enter');
        }
        if (answer.pick !== undefined) await vscode.pickQuickItem(answer.pick);
      }
      return;
    } catch (error) {
      await vscode.page.keyboard.press('Escape');
      if (attempt === 3) throw error;
    }
  }
}

/** One view at a time, so each screenshot shows it alone. */
async function closeEditors(vscode: VSCodeSession): Promise<void> {
  await vscode.runCommand('View: Close All Editor Groups');
}

/**
 * Opens a file in the editor, as a researcher has one open while working: a view opened next then goes
 * beside it, at half the editor's width. code-server's simple file dialog is a quick input that takes a
 * path; on a busy machine it can still be listing the folder when the path is typed, so it is tried again.
 */
async function openEditor(vscode: VSCodeSession, file: string): Promise<void> {
  const tab = vscode.page.locator('.tab', { hasText: basename(file) }).first();
  for (let attempt = 1; ; attempt++) {
    await vscode.runCommand('File: Open File...');
    await vscode.fillQuickInput(file);
    try {
      await tab.waitFor({ state: 'visible', timeout: 15_000 });
      return;
    } catch (error) {
      await vscode.page.keyboard.press('Escape');
      if (attempt === 3) throw error;
    }
  }
}

async function neighbourIds(frame: Frame): Promise<string[]> {
  return frame.locator('.neighbour .nb-open').allTextContents();
}

/** What a person sees of a webview's layout: its size and whether anything sticks out sideways. */
async function layoutOf(frame: Frame): Promise<{ width: number; height: number; overflowX: number }> {
  return frame.evaluate(() => ({ width: innerWidth, height: innerHeight, overflowX: document.documentElement.scrollWidth - innerWidth }));
}

/** The top of the first element matching `selector`, in the webview's viewport. */
async function topOf(frame: Frame, selector: string): Promise<number> {
  return frame
    .locator(selector)
    .first()
    .evaluate((node) => node.getBoundingClientRect().top);
}

/** The side bar row whose label is exactly `label` (the description, e.g. time and NDCG@10, follows it). */
function treeRow(vscode: VSCodeSession, label: string) {
  return vscode.page
    .locator('.pane-body .monaco-list-row')
    .filter({ has: vscode.page.locator('.label-name', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) });
}

/**
 * Waits until the dashboard shows a finished run; returns what was seen of it on the way. While it runs, no
 * progress toast may cover it (the dashboard has its own progress; the toast that reports the end may).
 */
async function watchUntilDone(vscode: VSCodeSession, frame: Frame, shot?: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const deadline = Date.now() + 240_000;
  let shotTaken = false;
  for (;;) {
    const toasts = await vscode.page.locator('.notifications-toasts .notification-list-item-message').allTextContents();
    assert.deepEqual(
      toasts.filter((toast) => /^Train /.test(toast) && !/test NDCG@10/.test(toast)),
      [],
      'no progress toast over the dashboard',
    );
    const rows = await frame.locator('.valid-table .eval-row').count();
    const series = (await frame.locator('#loss-chart').getAttribute('data-series')) ?? '';
    const status = await frame.locator('.live-status').getAttribute('data-status');
    seen.add(`${rows}:${series}`);
    if (shot && !shotTaken && rows > 0 && status === 'running') {
      await vscode.screenshot(shot);
      shotTaken = true;
    }
    if (status === 'done') return seen;
    assert.ok(status === 'running', `the run ended as ${status}: ${await frame.locator('.live-status').textContent()}`);
    assert.ok(Date.now() < deadline, 'the run did not finish in time');
    await vscode.page.waitForTimeout(250);
  }
}

/** Points per series of a chart, from the data it was given ("label:count|…"). */
async function seriesOf(frame: Frame, selector: string): Promise<Record<string, number>> {
  const text = (await frame.locator(selector).getAttribute('data-series')) ?? '';
  return Object.fromEntries(
    text
      .split('|')
      .filter(Boolean)
      .map((entry) => {
        const at = entry.lastIndexOf(':');
        return [entry.slice(0, at), Number(entry.slice(at + 1))];
      }),
  );
}

describe('GRASP Lab views (part 2)', { skip: skipUnlessE2EReady() }, () => {
  let tmp: string;
  let workspace: string;
  let vscode: VSCodeSession;

  /** A test of this session that leaves a screenshot of the window when it fails (test-results/e2e/<name>-failure.png). */
  const test = (name: string, options: TestOptions, body: () => Promise<void>) =>
    nodeTest(name, options, async () => {
      try {
        await body();
      } catch (error) {
        await vscode?.screenshot(`${safeName(name).slice(0, 80)}-failure`).catch(() => undefined);
        throw error;
      }
    });

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'grasp-e2e-views-'));
    const vsix = join(tmp, 'grasp-lab.vsix');
    const packaged = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', vsix], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(packaged.status, 0, `npm run package failed:\n${packaged.stdout}\n${packaged.stderr}`);

    workspace = join(tmp, 'workspace');
    // The workspace's .grasp holds the runs and Beauty's caches (the Beauty folder itself is shared, read-only data).
    mkdirSync(join(workspace, '.grasp'), { recursive: true });
    if (existsSync(SHARED_BEAUTY)) {
      symlinkSync(SHARED_BEAUTY, join(workspace, 'beauty'));
      buildItemIndex(join(workspace, 'beauty'));
    }
    // Six items whose descriptions came from an "LLM", one of which writes markup. Like the demo world, the
    // dataset keeps its caches (and its annotations file) in its own .grasp folder, while runs go to the
    // workspace's .grasp/runs: the views must still find the GRASP run trained on it.
    mkdirSync(join(workspace, 'llm', '.grasp'), { recursive: true });
    const titles = ['Rose serum', 'Rose cream', 'Night cream', 'Lip balm', 'Lip gloss', 'Eye liner'];
    writeFileSync(join(workspace, 'llm', 'llm.item'), `item_id:token\ttitle:token_seq\n${titles.map((title, i) => `a${i + 1}\t${title}`).join('\n')}\n`);
    const rows = Array.from({ length: 12 }, (_, user) => Array.from({ length: 4 }, (_, step) => `u${user}\ta${((user + step) % 6) + 1}\t${step}`).join('\n'));
    writeFileSync(join(workspace, 'llm', 'llm.inter'), `user_id:token\titem_id:token\ttimestamp:float\n${rows.join('\n')}\n`);
    grasp('synthesize', join(workspace, 'llm'), '--entity', 'items', '--provider', 'metadata', '--json');
    assert.ok(cachePaths(join(workspace, 'llm')).dataset.startsWith(join(workspace, 'llm', '.grasp')), 'the llm caches live in llm/.grasp');
    fakeLlmDescriptions(join(cachePaths(join(workspace, 'llm')).dataset, 'synthesis', 'items.jsonl'), 'a1');
    grasp('embed', join(workspace, 'llm'), '--entity', 'items', '--json');
    grasp('index', join(workspace, 'llm'), '--entity', 'items', '--json');
    // A GRASP run on it, in the workspace's runs folder, whose checkpoint holds the attention weights the neighbours view shows.
    const graspConfig = join(tmp, 'grasp-llm.json');
    writeFileSync(
      graspConfig,
      JSON.stringify({
        name: 'grasp-llm',
        data: { path: join(workspace, 'llm') },
        model: { kind: 'sasrec', d: 16, layers: 1, maxLen: 10 },
        train: { epochs: 2, batchSize: 8 },
        eval: { sampled: 0 },
        variant: 'grasp',
        grasp: { kItems: 3, kUsers: 3, dims: 8, width: 8 },
      }),
    );
    grasp('train', '--config', graspConfig, '--out', join(workspace, '.grasp', 'runs', 'grasp-llm'), '--quiet');

    // The project's demo world (generated here: a clean clone has none) and a run config for the dashboard,
    // long enough (about 8 s of training on idle cores) for the test to watch it update.
    grasp('demo', '--out', join(workspace, 'demo'), '--no-train', '--no-retrieval', '--json');
    // A small demo world with its text side, whose stand-in LLM got 1 % of the descriptions wrong on purpose.
    grasp('demo', '--out', join(workspace, 'world'), '--users', '400', '--items', '300', '--seed', '3', '--no-train', '--json');
    writeFileSync(
      join(workspace, 'demo-short.grasp.json'),
      JSON.stringify(
        {
          name: 'demo-short',
          data: { path: 'demo/demo.inter' },
          model: { kind: 'sasrec', d: 64, layers: 2, maxLen: 50 },
          train: { epochs: 3, batchSize: 8, evalEvery: 1, patience: 0 },
          eval: { sampled: 0 },
        },
        null,
        2,
      ),
    );
    // Two finished runs on a small dataset for Compare Runs: one with two seeds, one with another learning rate.
    // The small dataset has no neighbour index: Inspect Neighbours offers to build it.
    mkdirSync(join(workspace, 'small'), { recursive: true });
    const small = Array.from({ length: 40 }, (_, user) => Array.from({ length: 6 }, (_, step) => `${user}\t${(user + step * 3) % 20}\t${step}`).join('\n'));
    writeFileSync(join(workspace, 'small', 'small.inter'), `user_id:token\titem_id:token\ttimestamp:float\n${small.join('\n')}\n`);
    for (const [name, train] of [
      ['cmp-a', { seeds: [1, 2], lr: 0.001 }],
      ['cmp-b', { seed: 1, lr: 0.005 }],
    ] as const) {
      const config = join(tmp, `${name}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          name,
          data: { path: join(workspace, 'small', 'small.inter') },
          model: { kind: 'sasrec', d: 16, layers: 1, maxLen: 10 },
          train: { epochs: 2, batchSize: 16, ...train },
          eval: { sampled: 0 },
        }),
      );
      grasp('train', '--config', config, '--out', join(workspace, '.grasp', 'runs', name), '--quiet');
    }
    vscode = await launchVSCode({ vsix: [vsix], workspace, viewport: VIEWPORT });
  });

  after(async () => {
    await vscode?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test(
    'Inspect Neighbours opens a Beauty item beside the editor, neighbours first, each click after the first served warm',
    { ...TIMEOUT, skip: existsSync(SHARED_BEAUTY) ? false : `${SHARED_BEAUTY} is absent` },
    async () => {
      const expected = JSON.parse(grasp('neighbours', join(workspace, 'beauty'), '--item', BEAUTY_ITEM, '--k', '10', '--json')) as {
        neighbours: Array<{ id: string; similarity: number }>;
      };
      await openEditor(vscode, join(workspace, 'demo-short.grasp.json'));
      await runWithPicks(vscode, 'GRASP: Inspect Neighbours', [{ fill: 'beauty' }, { pick: 'Items' }, { title: 'Which item', fill: BEAUTY_ITEM }]);
      const frame = await vscode.waitForWebview({ title: 'Inspect neighbours', selector: '.neighbour', timeoutMs: 120_000 });
      const text = await webviewText(frame);
      assert.match(text, new RegExp(`Item ${BEAUTY_ITEM}`));
      assert.match(text, /10 nearest items/);
      assert.deepEqual(
        await neighbourIds(frame),
        expected.neighbours.map((n) => n.id),
        'the view lists the index’s neighbours in order',
      );
      const similarities = (await frame.locator('.nb-similarity').allTextContents()).map(Number);
      similarities.forEach((value, i) => assert.ok(Math.abs(value - expected.neighbours[i].similarity) < 1e-3, `similarity ${i}: ${value}`));
      assert.match(text, /shared users? \(Jaccard/);
      assert.doesNotMatch(text, /\b1 shared users\b/, 'one shared user is singular');
      // Beauty has no GRASP run: the llm dataset's run in the same runs folder is not Beauty's.
      assert.match(text, /Attention: no GRASP run on this dataset yet/);
      // Beside the editor, the neighbours come first and the id list after them.
      const layout = await layoutOf(frame);
      console.log(`neighbours view: ${layout.width} × ${layout.height} px`);
      assert.ok(layout.width >= 400 && layout.width <= 700, `the panel opened beside the editor (${layout.width} px)`);
      assert.ok((await topOf(frame, '.neighbour')) < layout.height, 'the first neighbour is on the first screen');
      assert.ok((await topOf(frame, '.neighbour')) < (await topOf(frame, '.search-pane')), 'the neighbours come before the id list');
      assert.ok(layout.overflowX <= 1, `nothing sticks out sideways (${layout.overflowX} px)`);
      await vscode.screenshot('neighbours-beauty');

      // Move to the first neighbour, then back and forward. Each new id is one job on the shared worker, which
      // kept Beauty, its texts and its index from the first: the time is printed, not asserted.
      const first = expected.neighbours[0].id;
      let clicked = Date.now();
      await frame.locator('.neighbour .nb-open', { hasText: first }).first().click();
      await frame.locator('h1', { hasText: `Item ${first}` }).waitFor({ timeout: 60_000 });
      await frame.locator('.neighbour').first().waitFor({ timeout: 60_000 });
      console.log(`Beauty: a neighbour's neighbours shown ${Date.now() - clicked} ms after the click`);
      await vscode.screenshot('neighbours-beauty-moved');
      await frame.locator('#back').click();
      await frame.locator('h1', { hasText: `Item ${BEAUTY_ITEM}` }).waitFor({ timeout: 30_000 });
      // The page shows "loading" until the host answers (from its cache, for a visited id).
      await frame.locator('.neighbour .nb-open').first().waitFor({ timeout: 30_000 });
      assert.deepEqual(
        await neighbourIds(frame),
        expected.neighbours.map((n) => n.id),
      );
      const second = expected.neighbours[1].id;
      clicked = Date.now();
      await frame.locator('.neighbour .nb-open', { hasText: second }).first().click();
      await frame.locator('h1', { hasText: `Item ${second}` }).waitFor({ timeout: 60_000 });
      await frame.locator('.neighbour').first().waitFor({ timeout: 60_000 });
      console.log(`Beauty: another neighbour's neighbours shown ${Date.now() - clicked} ms after the click`);
      await frame.locator('#back').click();
      await frame.locator('h1', { hasText: `Item ${BEAUTY_ITEM}` }).waitFor({ timeout: 30_000 });

      // The search box filters Beauty's 12k items but renders only the rows in view.
      await frame.locator('input.search').fill('nail');
      await frame.locator('.search-pane .note', { hasText: /of 12,101 items/ }).waitFor({ timeout: 30_000 });
      const rendered = await frame.locator('.virtual-rows .row').count();
      assert.ok(rendered > 0 && rendered < 80, `only visible rows are rendered (${rendered})`);
    },
  );

  test('a dataset whose caches live in its own .grasp finds its GRASP run in the workspace; LLM markup stays inert text', TIMEOUT, async () => {
    await closeEditors(vscode);
    await runWithPicks(vscode, 'GRASP: Inspect Neighbours', [{ fill: 'llm' }, { pick: 'Items' }, { title: 'Which item', fill: 'a1' }]);
    const frame = await vscode.waitForWebview({ title: 'Inspect neighbours', text: /Item a1/, selector: '.query-card .desc', timeoutMs: 120_000 });
    const shown = (await frame.locator('.query-card .desc').textContent()) ?? '';
    assert.ok(shown.includes('<script>window.__graspPwned=3</script>'), `the <script> is shown as text: ${shown}`);
    assert.ok(shown.includes('<img src=x onerror='), `the <img> is shown as text: ${shown}`);
    assert.match(await webviewText(frame), /anthropic\/claude-e2e/);
    // The GRASP checkpoint's attention: the weight kept on a1 itself and on each candidate, summing to 1.
    await frame.locator('.attention-list').waitFor({ timeout: 30_000 });
    assert.match(await webviewText(frame), /Attention: GRASP checkpoint .*grasp-llm/);
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

  test('Inspect Neighbours on a dataset without an index offers to build it there, then shows the neighbours', TIMEOUT, async () => {
    await closeEditors(vscode);
    await runWithPicks(vscode, 'GRASP: Inspect Neighbours', [{ fill: 'small' }, { pick: 'Items' }, { title: 'Which item', fill: '7' }]);
    const frame = await vscode.waitForWebview({ title: 'Inspect neighbours', selector: '#fix', timeoutMs: 120_000 });
    const offer = await webviewText(frame);
    assert.match(offer, /no item neighbour index yet/);
    assert.doesNotMatch(offer.split('Details')[0], /grasp index/, 'the offer is a button, not a command to type');
    await vscode.screenshot('neighbours-offer-index');
    await frame.locator('#fix').click();
    await frame.locator('.neighbour').first().waitFor({ timeout: 120_000 });
    assert.match(await webviewText(frame), /Item 7/);
    assert.ok((await neighbourIds(frame)).length > 0);
    await vscode.screenshot('neighbours-index-built');
  });

  test('Review Flagged Descriptions: titled rows, a verdict by keyboard lands in the annotations file; LLM markup stays text', TIMEOUT, async () => {
    await closeEditors(vscode);
    await openEditor(vscode, join(workspace, 'demo-short.grasp.json'));
    await vscode.runCommand('GRASP: Review Flagged Descriptions');
    await vscode.fillQuickInput('llm');
    // Its own picker title, not Inspect's.
    await vscode.page.locator('.quick-input-widget:visible .quick-input-title', { hasText: 'Review the texts of' }).waitFor({ timeout: 30_000 });
    await vscode.pickQuickItem('Items');
    const frame = await vscode.waitForWebview({ title: 'Review flagged descriptions', selector: '.flagged-text', timeoutMs: 120_000 });
    await frame.locator('.review-progress', { hasText: '0 of 1 flagged reviewed' }).waitFor({ timeout: 30_000 });
    const text = (await frame.locator('.flagged-text').textContent()) ?? '';
    assert.ok(text.includes('<script>window.__graspPwned=3</script>'), `the markup is shown as text: ${text}`);
    const marks = await frame.locator('.flagged-text mark.flag-span').allTextContents();
    assert.ok(marks.includes('Chanel') && marks.includes('Perfume'), `flagged spans are highlighted: ${JSON.stringify(marks)}`);
    assert.equal(await frame.evaluate(() => [...document.scripts].filter((script) => script.text.includes('__graspPwned')).length), 0);
    assert.equal(await frame.locator('img[src="x"]').count(), 0);
    assert.equal(await frame.evaluate(() => (window as unknown as { __graspPwned?: number }).__graspPwned), undefined);
    // Rows name their item by its title; no verdict is styled as the one to choose.
    assert.ok((await frame.locator('.virtual-rows .row .row-label').allTextContents()).includes('Rose serum'), 'the row of a1 shows its title');
    assert.equal(await frame.locator('#verdict-hallucinated').getAttribute('appearance'), 'secondary');
    // Beside the editor, the text under review comes first.
    const layout = await layoutOf(frame);
    console.log(`review view: ${layout.width} × ${layout.height} px`);
    assert.ok(layout.width >= 400 && layout.width <= 700, `the panel opened beside the editor (${layout.width} px)`);
    assert.ok((await topOf(frame, '.flagged-text')) < layout.height, 'the flagged text is on the first screen');
    assert.ok((await topOf(frame, '.flagged-text')) < (await topOf(frame, '.list-pane')), 'the text under review comes before the list');
    await vscode.screenshot('review-flagged');

    // "h": hallucinated, from the keyboard.
    await frame.locator('.flagged-text').click();
    await frame.locator('body').press('h');
    await frame.locator('.review-progress', { hasText: '1 of 1 flagged reviewed' }).waitFor({ timeout: 30_000 });
    // The dataset keeps its caches in llm/.grasp, so llm/ is its workspace: the annotations file is there.
    const file = join(workspace, 'llm', 'grasp.annotations.jsonl');
    const records = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { entity: string; id: string; verdict: string; textHash: string });
    assert.equal(records.length, 1, readFileSync(file, 'utf8'));
    assert.equal(records[0].entity, 'item');
    assert.equal(records[0].id, 'a1');
    assert.equal(records[0].verdict, 'hallucinated');
    assert.equal(records[0].textHash, textHash(text), 'the record names the text that was judged');
    await vscode.screenshot('review-verdict');
  });

  test('Review Flagged Descriptions on a demo world lists the descriptions its stand-in LLM got wrong first', TIMEOUT, async () => {
    await closeEditors(vscode);
    await openEditor(vscode, join(workspace, 'demo-short.grasp.json'));
    await vscode.runCommand('GRASP: Review Flagged Descriptions');
    await vscode.fillQuickInput('world');
    await vscode.pickQuickItem('Items');
    const frame = await vscode.waitForWebview({ title: 'Review flagged descriptions', selector: '.flagged-text', timeoutMs: 120_000 });
    const truth = JSON.parse(readFileSync(demoTruthPath(cachePaths(join(workspace, 'world')).dataset), 'utf8')) as CorruptionTruth;
    const titles = new Map(
      readFileSync(join(workspace, 'world', 'demo.item'), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t').slice(0, 2) as [string, string]),
    );
    const planted = truth.items.map((item) => titles.get(item.id)).sort();
    assert.ok(planted.length >= 3 && planted.every(Boolean), JSON.stringify(planted));
    await frame.locator('.review-progress', { hasText: 'flagged reviewed' }).waitFor({ timeout: 30_000 });
    const labels = await frame.locator('.virtual-rows .row .row-label').allTextContents();
    assert.deepEqual(labels.slice(0, planted.length).sort(), planted, `the planted ones first: ${JSON.stringify(labels.slice(0, 8))}`);
    const risks = (await frame.locator('.virtual-rows .row .row-risk').allTextContents()).map(Number);
    assert.ok(risks[planted.length - 1] > risks[planted.length], `they stand out: ${JSON.stringify(risks.slice(0, 8))}`);
    await vscode.screenshot('review-demo-planted');
  });

  test('the annotations file is not taken for a dataset (side bar and picker)', TIMEOUT, async () => {
    assert.ok(existsSync(join(workspace, 'llm', 'grasp.annotations.jsonl')), 'the review test wrote it');
    await closeEditors(vscode);
    await vscode.runCommand('GRASP Lab: Focus on Datasets View');
    await vscode.page.locator('.pane-body .monaco-list-row', { hasText: 'llm.inter' }).first().waitFor({ timeout: 30_000 });
    const rows = await vscode.page.locator('.pane-body .monaco-list-row').allTextContents();
    assert.ok(
      rows.every((row) => !row.includes('annotations')),
      `no annotations row: ${JSON.stringify(rows)}`,
    );
    await vscode.screenshot('side-bar-datasets-no-annotations');
    await vscode.runCommand('GRASP: Show Dataset Statistics');
    await fillQuickInput(vscode.page, 'llm', { submit: false });
    await vscode.page.locator('.quick-input-widget:visible .monaco-list-row', { hasText: 'llm.inter' }).first().waitFor({ timeout: 30_000 });
    const picks = await vscode.page.locator('.quick-input-widget:visible .monaco-list-row').allTextContents();
    assert.ok(
      picks.every((pick) => !pick.includes('annotations')),
      `no annotations pick: ${JSON.stringify(picks)}`,
    );
    await vscode.page.keyboard.press('Escape');
  });

  test('Train Model opens a live dashboard beside the editor that updates in place and fits 520 px', TIMEOUT, async () => {
    await closeEditors(vscode);
    await openEditor(vscode, join(workspace, 'demo-short.grasp.json'));
    await runWithPicks(vscode, 'GRASP: Train Model', [{ fill: 'demo-short.grasp.json' }]);
    const frame = await vscode.waitForWebview({ title: 'Run dashboard', selector: '#loss-chart', timeoutMs: 60_000 });
    const chart = await frame.$('#loss-chart');
    assert.ok(chart);
    // The engine is known from the run's first line, before any epoch.
    await frame.locator('#tile-backend .tile-value', { hasText: /wasm|cpu|tensorflow/ }).waitFor({ timeout: 120_000 });
    // Points arrive while it trains: watch the page until the run ends and keep what was seen.
    const seen = await watchUntilDone(vscode, frame, 'dashboard-training');
    assert.ok(seen.size >= 3, `the dashboard changed while the run trained: ${[...seen].join(' ')}`);
    assert.equal(await frame.locator('.valid-table .eval-row').count(), 3, 'one validation row per epoch');
    assert.ok((await seriesOf(frame, '#loss-chart'))['epoch loss'] === 3, 'the epoch loss has a point per epoch');
    assert.ok(await chart.evaluate((node) => node.isConnected), 'the chart was updated in place, not re-rendered');
    assert.match((await frame.locator('#tile-test-ndcg .tile-value').textContent()) ?? '', /^\d\.\d{4}$/, 'test NDCG@10 is a tile at the top');
    assert.match((await frame.locator('#tile-speed .tile-value').textContent()) ?? '', /s\/epoch/);
    assert.ok(await frame.locator('#cancel-run').isHidden(), 'a finished run has no Cancel button');
    assert.match(await webviewText(frame), /Test at the best validation epoch/);
    // Why it stopped, from the log's events: demo-short has no early stopping, so it ran its 3 epochs.
    assert.equal((await frame.locator('#stop-reason').textContent())?.trim(), 'Ran its whole epoch budget (3 epochs)');
    // The layout at the width it opens at: tiles on the first screen, one line per epoch row, nothing wider than the panel.
    const layout = await layoutOf(frame);
    console.log(`dashboard: ${layout.width} × ${layout.height} px`);
    assert.ok(layout.width >= 400 && layout.width <= 700, `the dashboard opened beside the editor (${layout.width} px)`);
    assert.ok(layout.overflowX <= 1, `nothing sticks out sideways (${layout.overflowX} px)`);
    const tileBottom = await frame.locator('#tile-test-ndcg').evaluate((node) => node.getBoundingClientRect().bottom);
    assert.ok(tileBottom <= layout.height, `the test tile is on the first screen (bottom ${tileBottom} of ${layout.height})`);
    const rowHeights = await frame.locator('.valid-table .eval-row').evaluateAll((rows) => rows.map((row) => row.getBoundingClientRect().height));
    assert.ok(
      rowHeights.every((h) => h < 40),
      `each epoch row is one line: ${rowHeights.join(', ')}`,
    );
    const canvasWidths = await frame
      .locator('#loss-chart canvas, #valid-chart canvas')
      .evaluateAll((canvases) => canvases.map((c) => c.getBoundingClientRect().width));
    assert.ok(canvasWidths.length === 2 && canvasWidths.every((w) => w > 200 && w <= layout.width), `the charts fit the panel: ${canvasWidths.join(', ')}`);
    // Tick labels are distinct (no "1.4 1.4 1.4").
    for (const id of ['#loss-chart', '#valid-chart']) {
      const ticks = ((await frame.locator(id).getAttribute('data-yticks')) ?? '').split('|').filter(Boolean);
      assert.ok(ticks.length >= 2 && new Set(ticks).size === ticks.length, `${id} y ticks are distinct: ${ticks.join(' ')}`);
    }
    const runs = readdirSync(join(workspace, '.grasp', 'runs')).filter((name) => name.includes('demo-short'));
    assert.equal(runs.length, 1);
    await vscode.screenshot('dashboard-finished-520');
    // The wall-time axis and the smoothing, as TensorBoard has them.
    await frame.locator('#x-axis').selectOption('time');
    await frame.locator('#smoothing').evaluate((input: HTMLInputElement) => {
      input.value = '0.6';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await frame.locator('#loss-chart[data-series*="smoothed"]').waitFor({ timeout: 10_000 });
    assert.equal((await seriesOf(frame, '#valid-chart'))['NDCG@10'], 3, 'validation points placed on the wall-time axis');
    await vscode.screenshot('dashboard-wall-time-smoothed');
  });

  test(
    'a researcher trains GRASP and the plain backbone from the palette, watches both, compares them against the plain one and opens the attention weights',
    TIMEOUT,
    async () => {
      const trainFromPalette = async (variant: string, name: string) => {
        await closeEditors(vscode);
        await runWithPicks(vscode, 'GRASP: Train Model', [
          { pick: 'Choose a dataset and a backbone…' },
          { fill: 'llm' },
          { pick: 'SASRec' },
          { pick: variant },
          { title: 'Training budget', pick: 'Quick look: 10 epochs' },
        ]);
        const frame = await vscode.waitForWebview({ title: 'Run dashboard', text: new RegExp(name), selector: '#loss-chart', timeoutMs: 60_000 });
        await watchUntilDone(vscode, frame);
        return frame;
      };
      const graspFrame = await trainFromPalette('GRASP on', 'sasrec-grasp-llm');
      // GRASP prepared its text side first, each stage named.
      const stages = await graspFrame.locator('.stage .stage-name').allTextContents();
      assert.ok(
        stages.some((s) => /Embedding .*item texts/.test(s)) && stages.some((s) => /Indexing the user neighbours/.test(s)),
        `the preparation stages are listed: ${JSON.stringify(stages)}`,
      );
      assert.match((await graspFrame.locator('#tile-phase .tile-value').textContent()) ?? '', /Finished/);
      await vscode.screenshot('palette-grasp-run');
      await trainFromPalette('GRASP off', 'sasrec-llm');

      // The Runs view follows without a Refresh: both runs, by their names, with test NDCG@10.
      await vscode.runCommand('GRASP Lab: Focus on Runs View');
      for (const name of ['sasrec-grasp-llm', 'sasrec-llm'])
        await treeRow(vscode, name)
          .filter({ hasText: /NDCG@10 \d\.\d{4}/ })
          .first()
          .waitFor({ timeout: 30_000 });
      const labels = (await vscode.page.locator('.pane-body .monaco-list-row .label-name').allTextContents()).map((label) => label.trim());
      assert.ok(labels.includes('cmp-a') && labels.includes('grasp-llm'), `runs are named by their config names: ${JSON.stringify(labels)}`);
      await vscode.screenshot('side-bar-runs');

      // Compare: the two palette runs, with the plain one picked as the baseline.
      await closeEditors(vscode);
      await vscode.runCommand('GRASP: Compare Runs');
      for (const name of ['sasrec-grasp-llm', 'sasrec-llm']) await vscode.pickQuickItem(name);
      await vscode.page.keyboard.press('Enter');
      await vscode.page.locator('.quick-input-widget:visible .quick-input-title', { hasText: 'Which run is the baseline' }).waitFor({ timeout: 30_000 });
      await vscode.pickQuickItem('sasrec-llm');
      const compare = await vscode.waitForWebview({ title: 'Compare runs', selector: 'table.metrics', timeoutMs: 120_000 });
      const headers = await compare.locator('table.metrics th').allTextContents();
      assert.deepEqual(headers, ['test metric', 'sasrec-llm (baseline)', 'sasrec-grasp-llm'], 'the chosen baseline first, short labels');
      assert.match(await webviewText(compare), /Significance against sasrec-llm/);
      const curves = await seriesOf(compare, '#compare-chart');
      assert.deepEqual(Object.keys(curves), ['sasrec-llm', 'sasrec-grasp-llm'], 'both runs’ validation curves, overlaid');
      assert.ok(
        Object.values(curves).every((n) => n === 10),
        `a validation point per epoch: ${JSON.stringify(curves)}`,
      );
      await vscode.screenshot('compare-baseline-chosen');

      // The neighbours of an item of that dataset, with the attention weights of the newest GRASP run on it.
      await closeEditors(vscode);
      await runWithPicks(vscode, 'GRASP: Inspect Neighbours', [{ fill: 'llm' }, { pick: 'Items' }, { title: 'Which item', fill: 'a2' }]);
      const neighbours = await vscode.waitForWebview({ title: 'Inspect neighbours', text: /Item a2/, selector: '.attention-list', timeoutMs: 120_000 });
      assert.match(await webviewText(neighbours), /Attention: GRASP checkpoint .*sasrec-grasp-llm/);
      assert.ok((await neighbours.locator('.attention-list td.num').count()) > 0);
      await vscode.screenshot('neighbours-attention-from-palette-run');
    },
  );

  test('Compare Runs shows finished runs side by side against the chosen baseline and exports them as CSV', TIMEOUT, async () => {
    await closeEditors(vscode);
    await vscode.runCommand('GRASP: Compare Runs');
    for (const name of ['cmp-b', 'cmp-a']) await vscode.pickQuickItem(name);
    await vscode.page.keyboard.press('Enter');
    await vscode.page.locator('.quick-input-widget:visible .quick-input-title', { hasText: 'Which run is the baseline' }).waitFor({ timeout: 30_000 });
    await vscode.pickQuickItem('cmp-a');
    const frame = await vscode.waitForWebview({ title: 'Compare runs', selector: 'table.metrics', timeoutMs: 120_000 });
    const text = await webviewText(frame);
    assert.match(text, /train\.lr/, 'the config diff names the setting that differs');
    assert.match(text, /0\.001/);
    assert.match(text, /0\.005/);
    assert.match(text, /NDCG@10\s+\d\.\d{4} ± \d\.\d{4}\s+\d\.\d{4}/, 'the two-seed baseline shows mean ± std, the one-seed run its value');
    assert.equal(await frame.locator('table.significance tbody tr').count(), 1);
    await vscode.screenshot('compare-runs');

    // The baseline can be changed on the page: the other run is then first.
    await frame.locator('#baseline').selectOption({ label: 'cmp-b' });
    await frame.locator('table.metrics th', { hasText: 'cmp-b (baseline)' }).waitFor({ timeout: 60_000 });

    // Export: the save dialog (code-server's simple dialog) proposes <workspace>/run-comparison.csv.
    await frame.locator('#export-csv').click();
    const input = vscode.page.locator('.quick-input-widget:visible input.input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    // The simple dialog writes its proposal into the box a moment after it shows: typing before that would
    // have the proposal appended to what was typed.
    await vscode.page.waitForFunction(
      () => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value.endsWith('run-comparison.csv'),
      undefined,
      { timeout: 30_000 },
    );
    await input.fill(join(workspace, 'run-comparison.csv'));
    await input.press('Enter');
    const file = join(workspace, 'run-comparison.csv');
    await frame.locator('.note', { hasText: 'Exported to' }).waitFor({ timeout: 30_000 });
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    assert.match(lines[0], /^section,key,cmp-b,cmp-a$/);
    assert.ok(
      lines.some((line) => /^config,train\.lr,/.test(line)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((line) => /^metric mean,NDCG@10,0\.\d+,0\.\d+$/.test(line)),
      lines.join('\n'),
    );
    assert.equal(readdirSync(workspace).filter((name) => name.includes('.tmp-')).length, 0, 'no temporary file is left behind');
  });

  test('a finished run reopened from the Runs view: its curves, no empty legend entry, no Cancel button', TIMEOUT, async () => {
    await closeEditors(vscode);
    await vscode.runCommand('GRASP Lab: Focus on Runs View');
    const row = treeRow(vscode, 'cmp-b').first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const frame = await vscode.waitForWebview({ title: 'Run dashboard', text: /cmp-b/, selector: '#valid-chart', timeoutMs: 60_000 });
    await frame.locator('.live-status[data-status="done"]').waitFor({ timeout: 30_000 });
    const loss = await seriesOf(frame, '#loss-chart');
    assert.deepEqual(Object.keys(loss), ['epoch loss'], `only series with points get a legend entry: ${JSON.stringify(loss)}`);
    // cmp-b validated once (2 epochs, every 2): that one point is drawn.
    const valid = await seriesOf(frame, '#valid-chart');
    assert.ok(Object.values(valid).length > 0 && Object.values(valid).every((n) => n >= 1), `validation points: ${JSON.stringify(valid)}`);
    assert.ok(await frame.locator('#cancel-run').isHidden());
    assert.match((await frame.locator('#tile-test-ndcg .tile-value').textContent()) ?? '', /^\d\.\d{4}$/);
    // Read back from the run folder: its config's budget and the recorded events say why it stopped.
    assert.equal((await frame.locator('#stop-reason').textContent())?.trim(), 'Ran its whole epoch budget (2 epochs)');
    await vscode.screenshot('dashboard-reopened');
    // The canvas charts take their colours from the theme, and are drawn again when it changes.
    const before = await frame.locator('#valid-chart').getAttribute('data-text-color');
    await vscode.runCommand('Preferences: Toggle between Light/Dark Themes');
    await frame.waitForFunction((old) => document.querySelector('#valid-chart')?.getAttribute('data-text-color') !== old, before, { timeout: 30_000 });
    await vscode.screenshot('dashboard-reopened-other-theme');
    await vscode.runCommand('Preferences: Toggle between Light/Dark Themes');
  });
});
