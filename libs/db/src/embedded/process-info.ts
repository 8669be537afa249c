/**
 * What a pid is now: alive or not, its parent, its command line and working directory. From
 * /proc on Linux; from ps elsewhere (macOS), where the working directory is not known.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** the command line; from ps split on spaces, so approximate there */
  readonly argv: readonly string[];
  /** the executable's path, where it can be read (Linux, own or root) */
  readonly exe: string | undefined;
  /** the working directory, where it can be read (Linux, own or root); a postmaster's is its data directory */
  readonly cwd: string | undefined;
}

const HAS_PROC = process.platform === 'linux';

/** Alive and not a zombie (a zombie answers kill(pid, 0) but is gone). EPERM: alive, another user's. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processState(pid) !== 'Z';
}

/** The process, or undefined when there is no such live process. */
export function processInfo(pid: number): ProcessInfo | undefined {
  if (!isAlive(pid)) return undefined;
  if (HAS_PROC) {
    const stat = readProcStat(pid);
    if (!stat) return undefined;
    let argv: string[] = [];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
    } catch {
      // gone meanwhile: argv stays empty
    }
    return { pid, ppid: stat.ppid, argv, exe: readLink(`/proc/${pid}/exe`), cwd: readLink(`/proc/${pid}/cwd`) };
  }
  const line = ps(['-o', 'ppid=,command=', '-p', String(pid)]).trim();
  const m = /^(\d+)\s+(.*)$/.exec(line);
  if (!m?.[1] || m[2] === undefined) return undefined;
  return { pid, ppid: Number.parseInt(m[1], 10), argv: m[2].split(' '), exe: undefined, cwd: undefined };
}

/** The live children of `pid`. */
export function childPids(pid: number): number[] {
  if (HAS_PROC) {
    const children: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = readProcStat(Number.parseInt(entry, 10));
      if (stat && stat.ppid === pid && stat.state !== 'Z') children.push(Number.parseInt(entry, 10));
    }
    return children;
  }
  return ps(['-A', '-o', 'pid=,ppid='])
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter(([, ppid]) => ppid === pid)
    .map(([child]) => child ?? 0)
    .filter((child) => child > 0);
}

function processState(pid: number): string | undefined {
  if (HAS_PROC) return readProcStat(pid)?.state;
  return ps(['-o', 'stat=', '-p', String(pid)]).trim().charAt(0) || undefined;
}

/** /proc/<pid>/stat is `pid (comm) state ppid ...`; comm may hold spaces and parentheses */
function readProcStat(pid: number): { state: string; ppid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const ppid = Number.parseInt(fields[1] ?? '', 10);
  return state && Number.isFinite(ppid) ? { state, ppid } : undefined;
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function ps(args: string[]): string {
  try {
    return execFileSync('ps', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}
