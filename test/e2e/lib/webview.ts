// Reaching into webviews. VS Code puts each webview in two nested iframes:
//   page > iframe.webview (…/webview/browser/pre/index.html, the host shim)
//        > iframe#active-frame (…/pre/fake.html, where the extension's HTML is written)
// The inner frame is first created as #pending-frame and renamed when its content loads, so match it
// by element id at query time, never by Playwright's frame.name() (captured at creation).
import type { Frame, FrameLocator, Page } from 'playwright-core';

const OUTER_URL = '/webview/browser/pre/index.html';

export interface WebviewQuery {
  /** Matches the webview document's <title>. */
  title?: string | RegExp;
  /** Matches the webview body's rendered text (innerText). */
  text?: string | RegExp;
  /** A CSS selector that must match inside the webview. */
  selector?: string;
  /** Also consider webviews in background tabs (hidden). Default: visible ones only. */
  includeHidden?: boolean;
  timeoutMs?: number;
}

/** The content frames of all webviews currently loaded (visible ones only unless includeHidden). */
export async function webviewFrames(page: Page, includeHidden = false): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (const outer of page.frames()) {
    if (!outer.url().includes(OUTER_URL)) continue;
    try {
      if (!includeHidden && !(await (await outer.frameElement()).isVisible())) continue;
      const inner = await (await outer.$('iframe#active-frame'))?.contentFrame();
      if (inner) frames.push(inner);
    } catch {
      // the webview was disposed while we looked
    }
  }
  return frames;
}

/** Waits for a webview matching the query and returns its content frame (use frame.locator(...) on it). */
export async function waitForWebview(page: Page, query: WebviewQuery = {}): Promise<Frame> {
  const deadline = Date.now() + (query.timeoutMs ?? 30_000);
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = [];
    for (const frame of await webviewFrames(page, query.includeHidden)) {
      try {
        const { title, text } = await frame.evaluate(() => ({ title: document.title, text: document.body?.innerText ?? '' }));
        seen.push(title || text.slice(0, 60));
        if (query.title !== undefined && !matches(title, query.title)) continue;
        if (query.text !== undefined && !matches(text, query.text)) continue;
        if (query.selector !== undefined && (await frame.locator(query.selector).count()) === 0) continue;
        return frame;
      } catch {
        // navigated or disposed mid-check: look again
      }
    }
    await page.waitForTimeout(200);
  }
  throw new Error(`no webview matching ${describe(query)}; webviews seen: ${JSON.stringify(seen)}`);
}

/** The rendered text of a webview (innerText: what a user sees, not text hidden by CSS or in shadow roots). */
export async function webviewText(frame: Frame): Promise<string> {
  return frame.locator('body').innerText();
}

/**
 * An auto-waiting locator root for the one visible webview, for Playwright-style assertions:
 * `visibleWebview(page).locator('#total').textContent()`. Throws (strict mode) if two are visible.
 */
export function visibleWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
}

function matches(value: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? value.includes(pattern) : pattern.test(value);
}

function describe(query: WebviewQuery): string {
  const { title, text, selector } = query;
  return JSON.stringify({ title: title?.toString(), text: text?.toString(), selector });
}
