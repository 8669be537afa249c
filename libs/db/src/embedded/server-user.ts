/**
 * The OS user the server runs as. PostgreSQL refuses to run as root, so when the engine is root
 * (containers, CI) initdb and the server run as the OS user `postgres`, created if missing; as an
 * ordinary user they run as that user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { lchown, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EmbeddedDataDirUnwritableError, EmbeddedStartError } from './embedded-errors';

export interface ServerUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const NAME = 'postgres';

/** undefined when the engine is not root: the server then runs as the engine's user */
export function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return lookUp() ?? create();
}

/** Whether `user` can enter `dir`: every directory on the way must let it search (x), through its owner, group or other bits, or ACLs. */
export function canEnter(user: ServerUser, dir: string): boolean {
  return asUser(user, 'cd -- "$1"', dir);
}

/** Whether `user` can run the executable at `file`. */
export function canExecute(user: ServerUser, file: string): boolean {
  return asUser(user, 'test -x "$1"', file);
}

/**
 * As root, before a later start: the server's user must own the data directory (PostgreSQL runs
 * only as its owner; an earlier run as another user created it) and be able to reach it.
 */
export async function handOverDataDir(dataDir: string, user: ServerUser, note: (line: string) => void): Promise<void> {
  if ((await stat(dataDir)).uid !== user.uid) {
    note(`handing ${dataDir} to the OS user ${user.name}, which runs PostgreSQL when the engine is root`);
    await chownTree(dataDir, user.uid, user.gid);
  }
  if (!canEnter(user, dataDir)) {
    throw new EmbeddedDataDirUnwritableError(
      dataDir,
      `the OS user "${user.name}" (PostgreSQL refuses to run as root, so it runs as that user) cannot enter it: let it search the directories above (chmod o+x), or point WORKFLOW_DATA_DIR elsewhere`,
    );
  }
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await lchown(path, uid, gid);
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid, gid);
    else await lchown(child, uid, gid);
  }
}

function asUser(user: ServerUser, script: string, arg: string): boolean {
  // asking the kernel as that user is exact where reading mode bits is not (ACLs, groups)
  const r = spawnSync('sh', ['-c', script, 'sh', arg], { uid: user.uid, gid: user.gid, cwd: '/', stdio: 'ignore' });
  return r.status === 0;
}

function lookUp(): ServerUser | undefined {
  try {
    const id = (flag: string): number => Number.parseInt(execFileSync('id', [flag, NAME], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 10);
    const uid = id('-u');
    const gid = id('-g');
    return Number.isFinite(uid) && Number.isFinite(gid) ? { name: NAME, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function create(): ServerUser {
  const attempts: [string, string[]][] = [
    ['useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', NAME]],
    // busybox (Alpine)
    ['adduser', ['-S', '-D', '-H', '-s', '/sbin/nologin', NAME]],
  ];
  const failures: string[] = [];
  for (const [cmd, args] of attempts) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status === 0) {
      const user = lookUp();
      if (user) return user;
    }
    failures.push(`${cmd}: ${r.error?.message ?? (r.stderr.trim() || `exit ${r.status}`)}`);
  }
  throw new EmbeddedStartError(
    `PostgreSQL refuses to run as root, and the OS user "${NAME}" to run it as does not exist and could not be created (${failures.join('; ')}): create it (useradd --system ${NAME}), or run the engine as an ordinary user`,
  );
}
