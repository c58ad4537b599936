import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './errors';

/** Locks this process holds now: its own pid in a lock file is then a live owner, not a stale one. */
const heldHere = new Set<string>();

/**
 * An exclusive lock file holding the owner's pid, so two jobs never append to the same cache at
 * once (they would both pay for the same calls). A lock whose owner is gone (SIGKILL) is taken over.
 */
export function acquireLock(path: string, what: string): () => void {
  const key = resolve(path);
  if (heldHere.has(key)) throw new ConfigError(`${what} is in use by another job of this process (lock ${path}); wait for it or stop it`);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot create ${dirname(path)} (${code}): pass --cache-dir to keep caches elsewhere, e.g. when the dataset folder is read-only`);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldHere.add(key);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(key);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new ConfigError(`${what} is in use by process ${owner} (lock ${path}); wait for it or stop it`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}`);
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
