// Driving the VS Code workbench UI: readiness, command palette, quick inputs, notifications, screenshots.
// Selectors are VS Code's own DOM classes (checked against code-server 4.100.3 / VS Code 1.100.3).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { RESULTS_DIR } from './env';

const QUICK_INPUT = '.quick-input-widget';
const TOAST_MESSAGES = '.notifications-toasts .notification-list-item-message';
const CENTER_MESSAGES = '.notifications-center .notification-list-item-message';

/** Waits until the workbench is laid out and connected to the server's extension host. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: timeoutMs });
  // The status bar's remote indicator reads "Opening Remote..." until the server connection is made.
  await page.waitForFunction(
    () => {
      const remote = document.getElementById('status.host');
      const state = `${remote?.textContent ?? ''} ${remote?.getAttribute('aria-label') ?? ''}`;
      return !/opening remote|reconnecting|disconnected/i.test(state);
    },
    undefined,
    { timeout: timeoutMs },
  );
}

/** The visible quick input (command palette, quick pick or input box). */
export function quickInput(page: Page): Locator {
  return page.locator(`${QUICK_INPUT}:visible`);
}

/**
 * Runs a command by its palette title, e.g. "View: Toggle Terminal" or "GRASP: Show Dataset Statistics"
 * (category and title, exactly as the palette shows them). Clicks the row whose label is exactly the
 * title, since fuzzy matching and recently-used ordering may put another command first.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const row = quickInput(page)
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }) })
    .first();
  // The palette lists the commands known when it opens, and an extension's commands appear only once
  // the extension host has scanned it (a few seconds after the workbench shows): reopen until it is there.
  // A webview that takes focus as it loads can close the palette just opened (or swallow the key): each
  // step waits briefly, and the palette is opened again until the deadline.
  for (;;) {
    try {
      await page.keyboard.press('Escape'); // close any open quick input first
      await page.keyboard.press('F1');
      const input = quickInput(page).locator('input.input');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      await row.waitFor({ state: 'visible', timeout: 2000 });
      // The same can happen between finding the row and clicking it, so the click is retried with the rest.
      await row.click({ timeout: 3000 });
      return;
    } catch {
      if (Date.now() > deadline) {
        const shown = await quickInput(page).locator('.monaco-list-row .label-name').allTextContents();
        throw new Error(`command "${title}" could not be run from the palette; it shows: ${JSON.stringify(shown)}`);
      }
    }
  }
}

/**
 * Types into the open quick input (an input box or a quick pick's filter) and, by default, presses Enter.
 * Waits for the quick input to appear, so call it right after the command that opens it.
 */
export async function fillQuickInput(page: Page, text: string, { submit = true, timeoutMs = 15_000 } = {}): Promise<void> {
  const input = quickInput(page).locator('input.input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(text);
  if (submit) await input.press('Enter');
}

/** Picks the quick-pick item whose label is exactly `label`. */
export async function pickQuickItem(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  const row = quickInput(page)
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
    .first();
  await row.click({ timeout: timeoutMs });
}

/** The prompt / validation message under the quick input, e.g. an input box's prompt or error. */
export async function quickInputMessage(page: Page): Promise<string> {
  return (await quickInput(page).locator('.quick-input-message').textContent())?.trim() ?? '';
}

/** Texts of the notifications on screen: the toasts, plus the notification center when it is open. */
export async function notificationTexts(page: Page): Promise<string[]> {
  const texts = await page.locator(`${TOAST_MESSAGES}, ${CENTER_MESSAGES}`).allTextContents();
  return [...new Set(texts.map((t) => t.trim()).filter(Boolean))];
}

/**
 * Waits for a notification matching `pattern` and returns its text. Toasts hide themselves after a while,
 * so on timeout it also opens the notification center (which keeps them all) before giving up.
 */
export async function waitForNotification(page: Page, pattern: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const test = (t: string) => (typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t));
  const deadline = Date.now() + timeoutMs;
  let openedCenter = false;
  for (;;) {
    const hit = (await notificationTexts(page)).find(test);
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) {
      if (openedCenter) break;
      await runCommand(page, 'Notifications: Show Notifications');
      openedCenter = true;
      await page.waitForTimeout(300);
      continue;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no notification matching ${pattern}; shown: ${JSON.stringify(await notificationTexts(page))}`);
}

/** Closes every notification (toasts and center). */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/** Titles of the open editor tabs, in order; the active one is marked by activeEditorTitle(). */
export async function editorTabTitles(page: Page): Promise<string[]> {
  return (await page.locator('.tabs-container .tab .label-name').allTextContents()).map((t) => t.trim());
}

export async function activeEditorTitle(page: Page): Promise<string | undefined> {
  const text = await page
    .locator('.tabs-container .tab.active .label-name')
    .first()
    .textContent({ timeout: 2000 })
    .catch(() => null);
  return text?.trim() || undefined;
}

/** Saves a full-page screenshot to test-results/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${safeName(name)}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** A test name made safe as a file name. */
export function safeName(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
