// Debian's chromium driven by playwright-core (which cannot download a browser of its own here).
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from './env';

/**
 * --no-sandbox: we run as root in a container. The rest keep chromium from phoning home (no network
 * here) and from stalling on a small /dev/shm.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}
