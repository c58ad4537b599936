/**
 * A problem the user can fix (a missing key or artefact, a bad template, a stale index, a bad setting
 * in a config file): callers show its message alone, without a stack trace, which is for bugs.
 *
 * Two forms, one class, so one `instanceof` catches every such problem:
 * - `new ConfigError(message)`: the message as given;
 * - `new ConfigError(file, field, detail)`: a setting of a config file, `<file>: <field> <detail>`
 *   (`(top level)` when the field is ''). `file` and `field` stay readable: an experiment re-words a
 *   run config's error for its variant, and the worker passes `file` on to the editor.
 */
export class ConfigError extends Error {
  /** The config file at fault (located form only). */
  readonly file?: string;
  /** Its dotted setting, '' for the file as a whole (located form only). */
  readonly field?: string;

  constructor(message: string);
  constructor(file: string, field: string, detail: string);
  constructor(messageOrFile: string, field?: string, detail?: string) {
    const located = field !== undefined;
    super(located ? `${messageOrFile}: ${field || '(top level)'} ${detail}` : messageOrFile);
    this.name = 'ConfigError';
    if (located) {
      this.file = messageOrFile;
      this.field = field;
    } else {
      // Whoever prints `stack` (the CLI does with GRASP_DEBUG) prints the message only. The located
      // form keeps its stack, as the run-config error it replaces always did.
      this.stack = messageOrFile;
    }
  }
}
