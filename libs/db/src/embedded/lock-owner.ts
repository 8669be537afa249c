/**
 * Who holds a data directory's postmaster.pid: nobody (a dead pid), another program that now
 * has that pid, a server whose engine still runs, or an orphan server nobody will stop. Pure:
 * the process facts are read by the caller.
 */
import { basename, resolve } from 'node:path';
import type { ProcessInfo } from './process-info';

export type LockOwner =
  /** the pid is not running: the lock is stale */
  | 'dead'
  /** the pid is running but is not a PostgreSQL server of this data directory (a reused pid) */
  | 'foreign'
  /** a server of this data directory, under a watchdog whose engine still holds its pipe */
  | 'engine'
  /** a server of this data directory with no live engine: nothing will stop it */
  | 'orphan';

export interface LockFacts {
  /** the data directory as given and resolved through symlinks */
  readonly dataDirs: ReadonlySet<string>;
  /** the data directory line of the lock, as the server was given it */
  readonly lockDataDir: string;
  readonly process: ProcessInfo | undefined;
  /** the process's parent, when the process is alive */
  readonly parent: ProcessInfo | undefined;
  /** the parent's other live children (a watchdog's pipe reader) */
  readonly parentOtherChildren: number;
  /** the watchdog's $0, which marks a parent as one */
  readonly watchdogName: string;
}

export function lockOwner(f: LockFacts): LockOwner {
  const p = f.process;
  if (!p) return 'dead';
  if (!isPostgres(p) || !servesDataDir(p, f)) return 'foreign';
  const underWatchdog = f.parent?.argv.includes(f.watchdogName) ?? false;
  // the watchdog's reader lives as long as its engine holds the pipe open
  return underWatchdog && f.parentOtherChildren > 0 ? 'engine' : 'orphan';
}

function isPostgres(p: ProcessInfo): boolean {
  // a replaced binary (npm ci while the server runs) reads "/path/postgres (deleted)"
  const exe = p.exe?.replace(/ \(deleted\)$/, '');
  return (exe !== undefined && basename(exe) === 'postgres') || basename(p.argv[0] ?? '') === 'postgres';
}

function servesDataDir(p: ProcessInfo, f: LockFacts): boolean {
  // a postmaster's working directory is its data directory (it chdirs there at start)
  if (p.cwd !== undefined) return f.dataDirs.has(p.cwd.replace(/ \(deleted\)$/, ''));
  const d = p.argv.indexOf('-D');
  const given = d >= 0 ? p.argv[d + 1] : undefined;
  if (given !== undefined) return f.dataDirs.has(resolve(given));
  // nothing better to go by (ps, no -D): the lock's own data directory line
  return f.dataDirs.has(resolve(f.lockDataDir));
}
