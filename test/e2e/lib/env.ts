// Where the e2e tools live, and whether this machine has them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
/** Where scripts/e2e/setup.sh installs code-server; GRASP_E2E_CACHE shares one install between clones. */
export const E2E_CACHE = process.env.GRASP_E2E_CACHE ?? join(REPO_ROOT, '.e2e-cache');
export const RESULTS_DIR = join(REPO_ROOT, 'test-results', 'e2e');

/** code-server's Node entry point, as installed by scripts/e2e/setup.sh (overridable for other installs). */
export const CODE_SERVER_ENTRY = process.env.GRASP_E2E_CODE_SERVER ?? join(E2E_CACHE, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Debian's chromium: playwright-core cannot download its own browser on these machines. */
export const CHROMIUM = process.env.GRASP_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Keep temp dirs (user data, logs) after a session for post-mortems: GRASP_E2E_KEEP=1. */
export const KEEP_TEMP = process.env.GRASP_E2E_KEEP === '1';

/** What is missing for the e2e suite, or undefined when everything is in place. */
export function missingTools(): string | undefined {
  const missing = [existsSync(CODE_SERVER_ENTRY) ? '' : `code-server (${CODE_SERVER_ENTRY})`, existsSync(CHROMIUM) ? '' : `chromium (${CHROMIUM})`].filter(
    Boolean,
  );
  return missing.length ? `missing ${missing.join(' and ')}; run: bash scripts/e2e/setup.sh` : undefined;
}

/**
 * For `describe(name, { skip: skipUnlessE2EReady() }, ...)`. Locally a missing install skips with a
 * message; on CI (CI=true) it throws, so a broken setup fails the run instead of passing with no tests.
 */
export function skipUnlessE2EReady(): string | false {
  const missing = missingTools();
  if (!missing) return false;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`e2e tools not installed on CI: ${missing}`);
  return `e2e skipped: ${missing}`;
}
