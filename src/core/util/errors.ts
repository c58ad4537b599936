/**
 * A problem the user can fix (a missing key or artefact, a bad template, a stale index): callers
 * show its message alone, without a stack trace, which is for bugs.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
    // Whoever prints `stack` (the CLI does for unknown errors) prints the message only.
    this.stack = message;
  }
}
