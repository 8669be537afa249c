/**
 * Which of our processes owns a local TCP port (Linux /proc): maps a Postgres backend's
 * `client_port` back to the engine process on the other end of the connection.
 */

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

function inodesOfLocalPort(port: number): Set<string> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(hex) && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** The pid among `candidates` that has a socket bound to local `port`, or null. */
export function socketOwner(port: number, candidates: readonly number[]): number | null {
  const inodes = inodesOfLocalPort(port);
  if (inodes.size === 0) return null;
  for (const pid of candidates) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1] as string)) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}
