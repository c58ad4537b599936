import { isIP } from 'node:net';
import { ConfigError } from './errors';

/**
 * The `/v1` root of an OpenAI-compatible server from what a user typed: `http://host:8000`,
 * `http://host:8000/v1` and `http://host:8000/v1/` all give `http://host:8000/v1`; a path that already
 * ends in `/v1` (`https://api.groq.com/openai/v1`) is kept. `what` names the setting in errors.
 */
export function openAiRoot(baseUrl: string, what: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError(`${what} ${JSON.stringify(baseUrl.slice(0, 200))} is not a URL (e.g. http://127.0.0.1:8000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${what} must be an http:// or https:// URL, not ${url.protocol}`);
  if (url.username || url.password) throw new ConfigError(`${what} must not carry credentials: keys come from the environment (OPENAI_API_KEY) only`);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path.endsWith('/v1') ? path : `${path}/v1`}`;
}

/**
 * A server on this machine or on a private network: calls to it cost no money, so its price is 0
 * (its tokens and time are still reported). Any other host's price is unknown.
 */
export function isLocalServer(baseUrl: string): boolean {
  let host: string;
  try {
    host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return true;
  if (isIP(host) === 6) return host === '::1' || /^f[cd]/.test(host) || host.startsWith('fe80:');
  if (isIP(host) !== 4) return false;
  const [a, b] = host.split('.').map(Number);
  return a === 127 || a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 169 && b === 254);
}
