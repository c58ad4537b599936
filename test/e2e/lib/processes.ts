// Process-tree helpers read straight from /proc (Linux only), so the tests need no pgrep/ps and can
// find exactly the processes a code-server instance started, e.g. the extension's worker.
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The full command line, arguments joined by spaces. */
  cmdline: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    // stat is "pid (comm) state ppid ..."; comm may hold spaces or parens, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid, cmdline };
  } catch {
    return undefined; // exited while we looked
  }
}

/** Every live process (zombies included: they still have a /proc entry). */
export function listProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

/** Like `pgrep -f`: processes whose command line matches, this process excluded. */
export function findProcesses(pattern: string | RegExp): ProcessInfo[] {
  return listProcesses().filter((p) => p.pid !== process.pid && matches(p.cmdline, pattern));
}

/** All descendants of rootPid (not rootPid itself), optionally filtered by command line. */
export function descendants(rootPid: number, pattern?: string | RegExp): ProcessInfo[] {
  const all = listProcesses();
  const found: ProcessInfo[] = [];
  const parents = new Set([rootPid]);
  // Breadth-first: a child may appear in /proc before or after its parent.
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return pattern === undefined ? found : found.filter((p) => matches(p.cmdline, pattern));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Ends a process, its process group and every descendant: SIGTERM, then SIGKILL after graceMs.
 * Descendants are collected first because they are reparented (and so lost) once their parent dies.
 */
export async function killTree(rootPid: number, graceMs = 5000): Promise<void> {
  const pids = [rootPid, ...descendants(rootPid).map((p) => p.pid)];
  const signal = (sig: NodeJS.Signals) => {
    trySignal(-rootPid, sig); // the group, when the root was spawned detached
    for (const pid of pids) trySignal(pid, sig);
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
  if (pids.some(isAlive)) signal('SIGKILL');
}

/** The synchronous last resort for process 'exit' handlers, which cannot wait. */
export function killTreeNow(rootPid: number): void {
  const pids = [rootPid, ...descendants(rootPid).map((p) => p.pid)];
  trySignal(-rootPid, 'SIGKILL');
  for (const pid of pids) trySignal(pid, 'SIGKILL');
}

function trySignal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function matches(text: string, pattern: string | RegExp): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
