/**
 * Start-up recovery of a data directory a previous run left locked. The watchdog stops the server
 * when its engine dies, so this is the fallback for what it cannot cover (the watchdog itself
 * killed, a server started by hand, a crash of the machine):
 * - a lock naming a dead pid: left to PostgreSQL, which takes it over itself after checking, through
 *   the shared memory key in the lock, that no backend of the dead server still runs;
 * - a lock naming a pid another program now has: PostgreSQL would refuse to start over it, so its
 *   pid line is replaced by one no process can have, and PostgreSQL handles it as above (removing
 *   the lock instead would skip that check);
 * - an orphan server of this data directory: stopped (fast shutdown, then immediate);
 * - a server whose engine still runs: left alone, a typed error.
 */
import { readFileSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EmbeddedDataDirInUseError, EmbeddedStartError } from './embedded-errors';
import { lockOwner, type LockOwner } from './lock-owner';
import { POSTMASTER_PID, parsePostmasterPid, type PostmasterLock } from './postmaster-pid';
import { childPids, isAlive, processInfo } from './process-info';
import { waitUntil } from './wait';
import { WATCHDOG_NAME } from './watchdog';

/** how long an orphan gets for a fast shutdown (SIGINT) before an immediate one (SIGQUIT) */
const FAST_SHUTDOWN_MS = 15_000;
const IMMEDIATE_SHUTDOWN_MS = 5_000;
/** an engine that has just died: its watchdog's reader notices within milliseconds */
const ENGINE_GONE_MS = 2_000;
/** above every system's pid_max (Linux at most 2^22, macOS 99998): kill(pid, 0) is always ESRCH */
const NO_SUCH_PID = 99_999_999;

/** true when a lock was found and dealt with; throws when a live engine holds the directory */
export async function recoverStaleLock(dataDir: string, log: (line: string) => void): Promise<boolean> {
  const path = join(dataDir, POSTMASTER_PID);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const lock = parsePostmasterPid(text);
  if (!lock) {
    // empty or cut short: a server died while writing it (PostgreSQL refuses to start over it)
    log(`removing an unreadable ${POSTMASTER_PID} from ${dataDir}`);
    removeLock(path);
    return true;
  }

  let owner = ownerOf(dataDir, lock);
  if (owner === 'engine') {
    // an engine killed a moment ago: its watchdog is stopping the server; wait for the reader to go
    await waitUntil(() => (owner = ownerOf(dataDir, lock)) !== 'engine', ENGINE_GONE_MS);
    if (owner === 'engine') throw new EmbeddedDataDirInUseError(dataDir, lock.pid);
  }
  if (owner === 'orphan') {
    log(`stopping an orphan PostgreSQL (pid ${lock.pid}) left running on ${dataDir}`);
    // it removes its lock as it exits; a lock left behind names a dead pid now
    await stopOrphan(dataDir, lock.pid);
  } else if (owner === 'foreign') {
    log(`taking over a stale ${POSTMASTER_PID} in ${dataDir} (pid ${lock.pid} is another program now)`);
    writeFileSync(path, text.replace(/^[^\n]*/, String(NO_SUCH_PID)));
  } else {
    log(`a stale ${POSTMASTER_PID} in ${dataDir} (pid ${lock.pid} is not running): PostgreSQL takes it over`);
  }
  return true;
}

function ownerOf(dataDir: string, lock: PostmasterLock): LockOwner {
  const proc = processInfo(lock.pid);
  const parent = proc ? processInfo(proc.ppid) : undefined;
  const others = parent ? childPids(parent.pid).filter((pid) => pid !== lock.pid).length : 0;
  const dataDirs = new Set([resolve(dataDir)]);
  try {
    dataDirs.add(realpathSync(dataDir));
  } catch {
    // the path as given is all there is
  }
  return lockOwner({ dataDirs, lockDataDir: lock.dataDir, process: proc, parent, parentOtherChildren: others, watchdogName: WATCHDOG_NAME });
}

async function stopOrphan(dataDir: string, pid: number): Promise<void> {
  for (const [signal, ms] of [['SIGINT', FAST_SHUTDOWN_MS], ['SIGQUIT', IMMEDIATE_SHUTDOWN_MS]] as const) {
    try {
      process.kill(pid, signal);
      // a stopped (SIGSTOP) server only acts on the signal once continued
      process.kill(pid, 'SIGCONT');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      if ((err as NodeJS.ErrnoException).code === 'EPERM') throw new EmbeddedDataDirInUseError(dataDir, pid);
      throw err;
    }
    if (await waitUntil(() => !isAlive(pid), ms)) return;
  }
  throw new EmbeddedStartError(
    `An orphan PostgreSQL (pid ${pid}) on ${dataDir} did not stop on SIGINT nor SIGQUIT: kill -9 it, then start again`,
  );
}

/** an empty or cut-short lock holds nothing PostgreSQL could check */
function removeLock(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
