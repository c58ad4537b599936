// Polling for conditions outside the page (processes, files), where Playwright's auto-waiting cannot help.

/** Polls `condition` until it returns a truthy value, which it returns; throws `message` on timeout. */
export async function waitUntil<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 100, message = 'condition not met' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${message} (after ${timeoutMs} ms)`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
