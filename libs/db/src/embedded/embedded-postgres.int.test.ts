/**
 * The embedded server for real (no mocks): the first start's initdb, data that survives a
 * restart, loopback only, the extensions the migrations need, and the start-up refusals, each of
 * which must leave the data directory exactly as it was.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rmdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  EmbeddedDataDirInUseError,
  EmbeddedDataDirNotEmptyError,
  EmbeddedDataDirUnwritableError,
  EmbeddedDataDirVersionError,
  EmbeddedDiskFullError,
  EmbeddedPortUnavailableError,
  EmbeddedStartError,
  embeddedPostgresMajorVersion,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from './index';
import { isAlive } from './process-info';
import { IS_ROOT, query, removeTemp, snapshot, tempRoot } from './testing/embedded-test-kit';

let root: string;
const running: EmbeddedPostgres[] = [];

async function start(...args: Parameters<typeof startEmbeddedPostgres>): Promise<EmbeddedPostgres> {
  const pg = await startEmbeddedPostgres(...args);
  running.push(pg);
  return pg;
}

beforeAll(async () => {
  root = await tempRoot('wf-embedded-');
});

afterAll(async () => {
  for (const pg of running) await pg.stop();
  await removeTemp(root);
});

describe('the embedded server', () => {
  it('initialises on first start, listens on loopback only, and keeps its data across a restart', async () => {
    const dataDir = join(root, 'life', 'data');
    const first = await start({ dataDir, durable: false });
    expect(first).toMatchObject({ dataDir, initialised: true, recoveredStaleLock: false, majorVersion: 18 });
    expect(embeddedPostgresMajorVersion()).toBe(18);
    expect(first.url).toBe(`postgres://postgres@127.0.0.1:${first.port}/postgres`);
    // initdb ran in a temporary sibling that was renamed into place
    expect((await readdir(join(root, 'life'))).sort()).toEqual(['data']);

    const [s] = await query<Record<string, string>>(
      first.url,
      `SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets,
              current_setting('server_encoding') AS encoding, current_setting('fsync') AS fsync, current_user AS "user",
              (SELECT datlocale FROM pg_database WHERE datname = current_database()) AS locale`,
    );
    expect(s).toEqual({ listen: '127.0.0.1', sockets: '', encoding: 'UTF8', fsync: 'off', user: 'postgres', locale: 'C.UTF-8' });
    await query(first.url, 'CREATE TABLE kept (id int PRIMARY KEY, note text)');
    await query(first.url, `INSERT INTO kept VALUES (1, 'survives a restart')`);

    await first.stop();
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);

    const second = await start({ dataDir, settings: { max_connections: '42' } });
    expect(second).toMatchObject({ initialised: false, recoveredStaleLock: false });
    expect(await query(second.url, 'SELECT note FROM kept')).toEqual([{ note: 'survives a restart' }]);
    const [t] = await query<Record<string, string>>(second.url, `SELECT current_setting('max_connections') AS max, current_setting('fsync') AS fsync`);
    expect(t).toEqual({ max: '42', fsync: 'on' });
    await second.stop();
  });

  it('removes what an interrupted initdb left (its own temporary siblings, of dead processes only)', async () => {
    const parent = join(root, 'leftovers');
    const dead = spawn('true');
    await new Promise((resolve) => dead.once('exit', resolve));
    const mine = ['.data.initdb-' + String(dead.pid) + '-abc123', `.data.initdb-${process.pid}-abc123`, '.data.other'];
    for (const name of mine) await mkdir(join(parent, name, 'base'), { recursive: true });
    const pg = await start({ dataDir: join(parent, 'data'), durable: false });
    expect((await readdir(parent)).sort()).toEqual([`.data.initdb-${process.pid}-abc123`, '.data.other', 'data']);
    await pg.stop();
  });

  it('initialises an existing empty directory (a mount point, say) in place', async () => {
    const dataDir = join(root, 'empty');
    await mkdir(dataDir);
    const pg = await start({ dataDir, durable: false });
    expect(pg.initialised).toBe(true);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(await readdir(root)).not.toContainEqual(expect.stringMatching(/^\.empty\.initdb-/));
    await pg.stop();
  });

  it('has the extensions the migrations need (uuid-ossp, btree_gist)', async () => {
    const pg = await start({ dataDir: join(root, 'ext'), durable: false });
    await query(pg.url, 'CREATE EXTENSION "uuid-ossp"; CREATE EXTENSION btree_gist');
    const [row] = await query<{ id: string }>(pg.url, 'SELECT uuid_generate_v4()::text AS id');
    expect(row?.id).toMatch(/^[0-9a-f-]{36}$/);
    await query(pg.url, 'CREATE TABLE slots (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&))');
    await query(pg.url, `INSERT INTO slots VALUES (1, '[2026-01-01,2026-01-02)')`);
    await expect(query(pg.url, `INSERT INTO slots VALUES (1, '[2026-01-01 12:00,2026-01-03)')`)).rejects.toThrow(/conflicting key value violates exclusion constraint/);
    await pg.stop();
  });

  it('refuses a data directory another running engine holds, and leaves that server running', async () => {
    const dataDir = join(root, 'held');
    const holder = await start({ dataDir, durable: false });
    const err = await startEmbeddedPostgres({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedDataDirInUseError);
    expect((err as Error).message).toBe(
      `The data directory ${dataDir} is in use by another running engine's PostgreSQL (pid ${holder.pid}): stop that engine first, or point WORKFLOW_DATA_DIR at another directory`,
    );
    expect(await query(holder.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await holder.stop();
  });

  it('listens on the port it is given', async () => {
    const port = await freePort();
    const pg = await start({ dataDir: join(root, 'port'), durable: false, port });
    expect(pg.port).toBe(port);
    expect(await query(`postgres://postgres@127.0.0.1:${port}/postgres`, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await pg.stop();
  });
});

describe('start-up refusals leave everything as it was', () => {
  it('a data directory of another major version', async () => {
    const dataDir = join(root, 'pg15');
    await mkdir(join(dataDir, 'base'), { recursive: true, mode: 0o700 });
    await writeFile(join(dataDir, 'PG_VERSION'), '15\n');
    await writeFile(join(dataDir, 'base', 'keep'), 'old data');
    const before = await snapshot(dataDir);
    const err = await startEmbeddedPostgres({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedDataDirVersionError);
    expect((err as Error).name).toBe('EmbeddedDataDirVersionError');
    expect((err as Error).message).toBe(
      `The data directory ${dataDir} was written by PostgreSQL 15; this engine embeds PostgreSQL 18: point WORKFLOW_DATA_DIR at a new directory, or upgrade it with pg_upgrade`,
    );
    expect(await snapshot(dataDir)).toEqual(before);
  });

  it('a non-empty directory that is not a data directory, and a regular file', async () => {
    const dataDir = join(root, 'other');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    const before = await snapshot(dataDir);
    const err = await startEmbeddedPostgres({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedDataDirNotEmptyError);
    expect((err as Error).message).toBe(
      `The data directory ${dataDir} holds other files (notes.txt) and is not a PostgreSQL data directory (no PG_VERSION): point WORKFLOW_DATA_DIR at an empty or new directory`,
    );
    expect(await snapshot(dataDir)).toEqual(before);

    const file = join(dataDir, 'notes.txt');
    await expect(startEmbeddedPostgres({ dataDir: file })).rejects.toThrow(new EmbeddedDataDirNotEmptyError(file, 'is a file'));
    expect(await snapshot(dataDir)).toEqual(before);
  });

  it('a data directory that cannot be created (a path under a regular file)', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    const dataDir = join(file, 'pg', 'data');
    const err = await startEmbeddedPostgres({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedDataDirUnwritableError);
    expect((err as Error).message).toBe(
      `The data directory ${dataDir} cannot be used: ${file} is a file, not a directory: point WORKFLOW_DATA_DIR at a path under a directory`,
    );
  });

  (IS_ROOT ? it : it.skip)('as root: a data directory the OS user postgres cannot reach (under a 0700 directory)', async () => {
    const closed = join(root, 'closed');
    await mkdir(closed, { mode: 0o700 });
    await chmod(closed, 0o700);
    const dataDir = join(closed, 'data');
    const err = await startEmbeddedPostgres({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedDataDirUnwritableError);
    expect((err as Error).message).toContain(`the OS user "postgres" (PostgreSQL refuses to run as root, so it runs as that user) cannot enter ${closed}`);
    expect(await readdir(closed)).toEqual([]);
  });

  it('a port that is taken', async () => {
    const blocker = await listen();
    const port = (blocker.address() as { port: number }).port;
    const dataDir = join(root, 'taken');
    try {
      const err = await startEmbeddedPostgres({ dataDir, port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmbeddedPortUnavailableError);
      expect((err as Error).message).toBe(
        `The embedded PostgreSQL cannot listen on 127.0.0.1:${port} (address already in use): free the port, or choose another one (or none, for a free port)`,
      );
      // refused before initdb: nothing was created
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('a setting the server refuses, and a malformed setting name', async () => {
    const dataDir = join(root, 'settings');
    const err = await startEmbeddedPostgres({ dataDir, durable: false, settings: { max_connections: 'lots' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedStartError);
    expect((err as Error).message).toBe('The embedded PostgreSQL refused a setting (FATAL: invalid value for parameter "max_connections": "lots"): correct or remove it');
    await expect(startEmbeddedPostgres({ dataDir, settings: { 'a=b': '1' } })).rejects.toThrow(EmbeddedStartError);
    // the first start's initdb stays: it succeeded
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
  });

  (IS_ROOT ? it : it.skip)('a disk that is full at initdb (a 6 MB tmpfs): nothing is left behind', async () => {
    const mnt = join(root, 'full');
    await mkdir(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      process.stderr.write('embedded-postgres.int.test: cannot mount a tmpfs here: the full-disk case is not exercised\n');
      return;
    }
    try {
      await chmod(mnt, 0o755);
      const dataDir = join(mnt, 'pg', 'data');
      const err = await startEmbeddedPostgres({ dataDir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmbeddedDiskFullError);
      expect((err as Error).message).toMatch(new RegExp(`^The disk is full: initialising the data directory ${dataDir} failed with "No space left on device"`));
      // no data directory, no temporary sibling
      expect(await readdir(join(mnt, 'pg'))).toEqual([]);
      // the mount point itself, empty: initialised in place, and emptied again on failure
      await rmdir(join(mnt, 'pg'));
      await expect(startEmbeddedPostgres({ dataDir: mnt })).rejects.toThrow(EmbeddedDiskFullError);
      expect(await readdir(mnt)).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});

function listen(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server));
  });
}

async function freePort(): Promise<number> {
  const server = await listen();
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
