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

/** Shortens untrusted text for an error message so a huge line cannot flood a terminal or a log. */
export function excerpt(text: string, max = 60): string {
  const oneLine = JSON.stringify(text);
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 4)}…"`;
}
