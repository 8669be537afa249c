/**
 * No orphan blocks the next start: kill -9 of the engine (the watchdog stops the server by
 * itself), stale postmaster.pid files (a dead pid, a pid reused by another program, by the
 * server's own OS user, by another cluster's server), and orphan servers nobody would stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolvePostgresBinaries } from './binaries';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './index';
import { freePort } from './ports';
import { isAlive } from './process-info';
import { serverUser } from './server-user';
import { gone, query, removeTemp, startHolder, tempRoot, type Holder } from './testing/embedded-test-kit';

let root: string;
const running: EmbeddedPostgres[] = [];
const children: ChildProcess[] = [];

async function start(dataDir: string): Promise<EmbeddedPostgres> {
  const pg = await startEmbeddedPostgres({ dataDir, durable: false });
  running.push(pg);
  return pg;
}

/** a data directory with one row in it, and no server running on it */
async function preparedDataDir(name: string): Promise<string> {
  const dataDir = join(root, name);
  const pg = await start(dataDir);
  await query(pg.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('${name}')`);
  await pg.stop();
  return dataDir;
}

async function expectRecovered(dataDir: string, note: string): Promise<EmbeddedPostgres> {
  const pg = await start(dataDir);
  expect(pg).toMatchObject({ initialised: false, recoveredStaleLock: true });
  expect(await query(pg.url, 'SELECT note FROM kept')).toEqual([{ note }]);
  return pg;
}

function lockFor(pid: number, dataDir: string): string {
  return `${pid}\n${dataDir}\n1796311289\n5999\n\n127.0.0.1\n  2146625         9\nready   \n`;
}

/** a long-running process of the OS user the server runs as: PostgreSQL itself refuses a lock naming one */
function sleeperAsServerUser(): ChildProcess {
  const user = serverUser();
  const child = spawn('sleep', ['600'], { stdio: 'ignore', ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  children.push(child);
  return child;
}

beforeAll(async () => {
  root = await tempRoot('wf-embedded-recovery-');
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pg of running) await pg.stop();
  await removeTemp(root);
});

describe('kill -9 of the engine', () => {
  let holder: Holder | undefined;
  afterEach(() => {
    holder?.child.kill('SIGKILL');
    holder = undefined;
  });

  it('the watchdog stops the server within a few seconds, and the next start finds the data', async () => {
    const dataDir = join(root, 'killed');
    holder = await startHolder(dataDir);
    const report = holder.report;
    if (!report.ok) throw new Error(report.message);
    expect(report.initialised).toBe(true);
    await query(report.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before kill -9')`);

    process.kill(report.node, 'SIGKILL');
    await holder.exited;
    const t0 = Date.now();
    expect(await gone(report.pid, 5_000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5_000);

    const pg = await start(dataDir);
    expect(pg.initialised).toBe(false);
    expect(await query(pg.url, 'SELECT note FROM kept')).toEqual([{ note: 'before kill -9' }]);
    await pg.stop();
  });

  it('a start right after the kill waits for the server the watchdog is stopping', async () => {
    const dataDir = await preparedDataDir('restart-at-once');
    holder = await startHolder(dataDir);
    const report = holder.report;
    if (!report.ok) throw new Error(report.message);
    process.kill(report.node, 'SIGKILL');
    await holder.exited;
    const pg = await start(dataDir);
    expect(isAlive(report.pid)).toBe(false);
    expect(await query(pg.url, 'SELECT note FROM kept')).toEqual([{ note: 'restart-at-once' }]);
    await pg.stop();
  });
});

describe('a stale postmaster.pid', () => {
  it('naming a dead pid', async () => {
    const dataDir = await preparedDataDir('dead-pid');
    const done = spawn('true');
    await new Promise((resolve) => done.once('exit', resolve));
    await writeFile(join(dataDir, 'postmaster.pid'), lockFor(done.pid ?? 0, dataDir));
    await (await expectRecovered(dataDir, 'dead-pid')).stop();
  });

  it('naming a live process that is not PostgreSQL (this test process)', async () => {
    const dataDir = await preparedDataDir('own-pid');
    await writeFile(join(dataDir, 'postmaster.pid'), lockFor(process.pid, dataDir));
    await (await expectRecovered(dataDir, 'own-pid')).stop();
  });

  it('naming a live process of the server\'s own OS user (PostgreSQL alone refuses to start over it)', async () => {
    const dataDir = await preparedDataDir('user-pid');
    const sleeper = sleeperAsServerUser();
    await writeFile(join(dataDir, 'postmaster.pid'), lockFor(sleeper.pid ?? 0, dataDir));
    await (await expectRecovered(dataDir, 'user-pid')).stop();
    expect(sleeper.exitCode).toBeNull();
    sleeper.kill('SIGKILL');
  });

  it('naming the running server of another data directory: recovered, and that server is left alone', async () => {
    const other = await start(join(root, 'other-cluster'));
    const dataDir = await preparedDataDir('other-server-pid');
    await writeFile(join(dataDir, 'postmaster.pid'), lockFor(other.pid, dataDir));
    await (await expectRecovered(dataDir, 'other-server-pid')).stop();
    expect(await query(other.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await other.stop();
  });
});

describe('an orphan server', () => {
  it('started without a watchdog (as by hand): stopped, then started normally', async () => {
    const dataDir = await preparedDataDir('orphan');
    const { postgres } = resolvePostgresBinaries();
    const user = serverUser();
    const port = await freePort();
    const orphan = spawn(postgres, ['-D', dataDir, '-c', `port=${port}`, '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
      stdio: 'ignore',
      detached: true,
      cwd: '/',
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    children.push(orphan);
    const orphanExited = new Promise((resolve) => orphan.once('exit', resolve));
    // it is up once it has written its lock's status line
    await waitForLockStatus(dataDir, 'ready');
    await (await expectRecovered(dataDir, 'orphan')).stop();
    await orphanExited;
  });

  it('stopped with SIGSTOP when its engine was killed (the watchdog\'s SIGINT waits): continued and stopped', async () => {
    const dataDir = await preparedDataDir('stopped');
    const holder = await startHolder(dataDir);
    const report = holder.report;
    if (!report.ok) throw new Error(report.message);
    process.kill(report.pid, 'SIGSTOP');
    process.kill(report.node, 'SIGKILL');
    await holder.exited;
    // the server cannot act on the watchdog's SIGINT while stopped
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isAlive(report.pid)).toBe(true);
    const pg = await expectRecovered(dataDir, 'stopped');
    expect(isAlive(report.pid)).toBe(false);
    await pg.stop();
  });
});

async function waitForLockStatus(dataDir: string, status: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    if (text.split('\n')[7]?.trim() === status) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server on ${dataDir} did not get to "${status}"`);
}
