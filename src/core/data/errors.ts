/**
 * A problem with input data, located precisely enough to fix it: the file, the 1-based line
 * (when there is one), what was expected there and what was found.
 */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: expected ${expected}, found ${found}`);
    this.name = 'DataError';
  }
}

/**
 * Shortens untrusted text for an error message so a huge line cannot flood a terminal or a log.
 * Only the characters that are shown get quoted: quoting a whole line first costs time and memory
 * in its length, and can exceed the longest string the engine holds. An escape is never cut in half.
 */
export function excerpt(text: string, max = 60): string {
  if (text.length <= max) {
    const whole = JSON.stringify(text);
    if (whole.length <= max) return whole;
  }
  let shown = '"';
  for (const char of text) {
    const quoted = JSON.stringify(char).slice(1, -1);
    if (shown.length + quoted.length > max - 2) break;
    shown += quoted;
  }
  return `${shown}…"`;
}
