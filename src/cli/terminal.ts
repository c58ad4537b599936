/**
 * Text for the terminal. File names, ids and dataset or LLM text are untrusted: an escape sequence in
 * them could clear the screen, retitle the window or recolour what follows, so none reaches a terminal raw.
 */

/** One line of untrusted text with every control character (C0, DEL, C1) shown as `?`. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * The one way messages reach stderr (log lines, errors, commander's usage errors): each line made
 * printable, the line breaks kept.
 */
export function writeStderr(text: string): void {
  process.stderr.write(text.split('\n').map(printable).join('\n'));
}
