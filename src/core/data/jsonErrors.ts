import { printParseErrorCode, visit } from 'jsonc-parser';

/**
 * Where a JSON text first goes wrong, as a 1-based line and a reason. V8's JSON.parse messages
 * on Node 20 carry no position, so the text is scanned again with jsonc-parser, which reports
 * offsets (comments and trailing commas count as errors here: the data must be strict JSON).
 */
export function locateJsonError(text: string): { line: number; reason: string } | undefined {
  let found: { offset: number; reason: string } | undefined;
  visit(
    text,
    {
      onError(code, offset) {
        found ??= { offset, reason: printParseErrorCode(code) };
      },
      onComment(offset) {
        found ??= { offset, reason: 'a comment (not allowed in JSON data)' };
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  if (!found) return undefined;
  const line = text.slice(0, found.offset).split('\n').length;
  return { line, reason: found.reason };
}
