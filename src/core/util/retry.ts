/** Exponential backoff with full jitter, capped: spreads retries so they do not arrive in waves. */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 500, capMs = 30_000): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * The wait a server asked for, from `retry-after-ms` or `retry-after` (seconds or an HTTP date).
 * Undefined when absent or unreasonable (over 10 minutes), so the caller falls back to backoff.
 */
export function retryAfterMs(get: (name: string) => string | null | undefined, now = Date.now()): number | undefined {
  const ms = Number(get('retry-after-ms'));
  if (get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const header = get('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(wait) && wait >= 0 && wait <= 600_000 ? wait : undefined;
}
