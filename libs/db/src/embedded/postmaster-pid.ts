/**
 * postmaster.pid, the lock file a running PostgreSQL server keeps in its data directory. Its
 * lines (src/include/miscadmin.h, LOCK_FILE_LINE_*): pid, data directory, start time, port,
 * socket directory, listen address, shared memory key, status. Only the first two matter here.
 */

export const POSTMASTER_PID = 'postmaster.pid';

export interface PostmasterLock {
  readonly pid: number;
  /** the data directory the server was started on, as it was given to it */
  readonly dataDir: string;
  readonly port: number | undefined;
}

/** The lock's fields, or undefined when the text is not a lock a server finished writing. */
export function parsePostmasterPid(text: string): PostmasterLock | undefined {
  const lines = text.split('\n');
  const pidLine = lines[0]?.trim() ?? '';
  if (!/^-?\d+$/.test(pidLine)) return undefined;
  // a negative pid marks a single-user backend (postgres --single): it is still a live lock
  const pid = Math.abs(Number.parseInt(pidLine, 10));
  if (pid <= 0) return undefined;
  const dataDir = lines[1]?.trim() ?? '';
  const portLine = lines[3]?.trim() ?? '';
  const port = /^\d+$/.test(portLine) ? Number.parseInt(portLine, 10) : undefined;
  return { pid, dataDir, port };
}
