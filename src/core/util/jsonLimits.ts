// Limits on parsed JSON read from users' files, checked before anything recursive touches it
// (structuredClone, schema validation and merging all recurse, and overflow the stack on deep nesting).

/** Deepest nesting a config file may have: real ones are under ten levels. */
export const MAX_CONFIG_DEPTH = 32;

/**
 * The dotted path of the first value nested deeper than `max` levels, or undefined. Iterative, so it
 * cannot itself overflow on a file nested a million levels deep.
 */
export function tooDeep(value: unknown, max = MAX_CONFIG_DEPTH): string | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= max) return path || '(top level)';
    for (const [key, child] of Object.entries(current as Record<string, unknown>)) {
      stack.push({ value: child, depth: depth + 1, path: Array.isArray(current) ? `${path}[${key}]` : path ? `${path}.${key}` : key });
    }
  }
  return undefined;
}
