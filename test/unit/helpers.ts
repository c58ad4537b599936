import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', 'fixtures');

/** A fresh temp folder holding the given files (text or raw bytes). */
export function tempFolder(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'grasp-test-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Names, sizes and mtimes of everything in a folder: to assert a failed load changed nothing. */
export function snapshot(dir: string): string {
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const info = statSync(join(dir, name));
      return `${name}:${info.size}:${info.mtimeMs}`;
    })
    .join('\n');
}
