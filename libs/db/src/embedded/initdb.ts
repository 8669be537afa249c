/**
 * The first start's initdb. A new data directory is initialised in a temporary sibling and renamed
 * into place only once initdb succeeded, so an interrupted or failed initdb (disk full, kill -9)
 * never leaves a half-initialised data directory that the next start would take for a real one.
 * An existing empty directory (a mount point cannot be renamed onto) is initialised in place and
 * emptied again on failure: it was empty before.
 */
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { classifyFailure } from './classify-failure';
import { unwritable } from './data-dir';
import { EmbeddedDataDirUnwritableError, EmbeddedDiskFullError, EmbeddedStartError } from './embedded-errors';
import { isAlive } from './process-info';
import { runBinary } from './run-binary';
import { canEnter, type ServerUser } from './server-user';

export interface InitdbOptions {
  readonly dataDir: string;
  readonly existsEmpty: boolean;
  readonly initdb: string;
  readonly majorVersion: number;
  readonly user: ServerUser | undefined;
  readonly durable: boolean;
  readonly log: (line: string) => void;
}

function initdbArgs(dir: string, durable: boolean): string[] {
  return [
    '-D', dir,
    '-U', 'postgres',
    // loopback only (the server listens on 127.0.0.1 and has no unix socket): trust, no password
    '--auth=trust',
    '--encoding=UTF8',
    // PostgreSQL's own C.UTF-8 (17+): Unicode-aware ctype and code-point order on every OS,
    // whether or not the OS has a C.UTF-8 locale; messages stay in English (lc_messages=C)
    '--locale=C',
    '--locale-provider=builtin',
    '--builtin-locale=C.UTF-8',
    '--no-instructions',
    // durable: false (tests) runs with fsync=off, so syncing initdb's files buys nothing
    ...(durable ? [] : ['--no-sync']),
  ];
}

export async function runInitdb(o: InitdbOptions): Promise<void> {
  const parent = dirname(o.dataDir);
  const target = o.existsEmpty ? o.dataDir : join(parent, `.${basename(o.dataDir)}.initdb-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    await mkdir(parent, { recursive: true });
    await removeLeftovers(parent, basename(o.dataDir), o.log);
    if (!o.existsEmpty) await mkdir(target, { mode: 0o700 });
    if (o.user) await chown(target, o.user.uid, o.user.gid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') throw new EmbeddedDiskFullError(o.dataDir, 'initdb');
    throw unwritable(o.dataDir, err, (err as NodeJS.ErrnoException).path ?? parent);
  }
  if (o.user && !canEnter(o.user, target)) {
    await cleanUp(target, o.existsEmpty);
    throw new EmbeddedDataDirUnwritableError(
      o.dataDir,
      `the OS user "${o.user.name}" (PostgreSQL refuses to run as root, so it runs as that user) cannot enter ${parent}: let it search the directories above (chmod o+x), or point WORKFLOW_DATA_DIR elsewhere`,
    );
  }

  const result = await runBinary(o.initdb, initdbArgs(target, o.durable), o.user, o.log);
  if (!result.ok) {
    await cleanUp(target, o.existsEmpty);
    throw classifyFailure(result.lines, { stage: 'initdb', dataDir: o.dataDir, port: 0, majorVersion: o.majorVersion, ending: result.ending });
  }
  if (o.existsEmpty) return;
  try {
    await rename(target, o.dataDir);
  } catch (err) {
    await cleanUp(target, false);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new EmbeddedStartError(`Another start initialised ${o.dataDir} at the same moment (this one's initdb was discarded): start again`);
    }
    throw unwritable(o.dataDir, err, o.dataDir);
  }
}

/** only what this initdb created: the temporary sibling, or the contents of the directory that was empty */
async function cleanUp(target: string, keepDir: boolean): Promise<void> {
  try {
    if (!keepDir) {
      await rm(target, { recursive: true, force: true });
      return;
    }
    for (const entry of await readdir(target)) await rm(join(target, entry), { recursive: true, force: true });
  } catch {
    // best effort: the failure being reported matters more
  }
}

/**
 * Temporary siblings an earlier initdb left when its engine was killed mid-way. Only this
 * module's own names, and only those whose creating process is gone (a live one may be a
 * concurrent start's).
 */
async function removeLeftovers(parent: string, base: string, log: (line: string) => void): Promise<void> {
  const own = new RegExp(`^\\.${escapeRegExp(base)}\\.initdb-(\\d+)-[0-9a-f]{6}$`);
  for (const entry of await readdir(parent)) {
    const pid = own.exec(entry)?.[1];
    if (pid === undefined || isAlive(Number.parseInt(pid, 10))) continue;
    log(`embedded postgres: removing ${join(parent, entry)}, left by an interrupted initdb`);
    await rm(join(parent, entry), { recursive: true, force: true });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
