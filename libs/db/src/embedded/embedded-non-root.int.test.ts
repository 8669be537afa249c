/**
 * The ordinary-user path, run from a root test process by starting the holder child as the OS
 * user `nobody` (an ordinary user runs the server as itself; root runs it as `postgres`). Only
 * root can switch users: run as an ordinary user, every other embedded test file already covers
 * this path and this one is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './index';
import { serverUser } from './server-user';
import { IS_ROOT, gone, query, removeTemp, startHolder, tempRoot, type Holder, type HolderReport } from './testing/embedded-test-kit';

let root: string;
let nobody: { uid: number; gid: number; home: string };
const holders: Holder[] = [];

async function holdAsNobody(dataDir: string): Promise<{ holder: Holder; report: HolderReport }> {
  const holder = await startHolder(dataDir, nobody);
  holders.push(holder);
  return { holder, report: holder.report };
}

function ok(report: HolderReport): Extract<HolderReport, { ok: true }> {
  if (!report.ok) throw new Error(`${report.name}: ${report.message}`);
  return report;
}

(IS_ROOT ? describe : describe.skip)('as an ordinary user (nobody)', () => {
  beforeAll(async () => {
    root = await tempRoot('wf-embedded-user-');
    const id = (flag: string): number => Number.parseInt(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }), 10);
    nobody = { uid: id('-u'), gid: id('-g'), home: join(root, 'home') };
    await mkdir(nobody.home);
    await chown(nobody.home, nobody.uid, nobody.gid);
  });

  afterAll(async () => {
    for (const h of holders) if (h.child.exitCode === null) h.child.kill('SIGKILL');
    await removeTemp(root);
  });

  it('runs the server as itself, keeps the data across a restart, and its watchdog survives kill -9 of the engine', async () => {
    const parent = join(root, 'mine');
    await mkdir(parent);
    await chown(parent, nobody.uid, nobody.gid);
    const dataDir = join(parent, 'data');

    const first = await holdAsNobody(dataDir);
    const r1 = ok(first.report);
    expect(r1).toMatchObject({ uid: nobody.uid, initialised: true });
    expect((await stat(dataDir)).uid).toBe(nobody.uid);
    await query(r1.url, `CREATE TABLE kept (note text); INSERT INTO kept VALUES ('as nobody')`);
    // a graceful stop of the engine stops the server
    first.holder.child.kill('SIGTERM');
    expect(await first.holder.exited).toBe(0);
    expect(await gone(r1.pid, 1_000)).toBe(true);

    const second = await holdAsNobody(dataDir);
    const r2 = ok(second.report);
    expect(r2.initialised).toBe(false);
    expect(await query(r2.url, 'SELECT note FROM kept')).toEqual([{ note: 'as nobody' }]);
    process.kill(r2.node, 'SIGKILL');
    await second.holder.exited;
    expect(await gone(r2.pid, 5_000)).toBe(true);

    // root takes it over afterwards: the directory is handed to the OS user postgres
    const asRoot = await startEmbeddedPostgres({ dataDir, durable: false });
    try {
      expect((await stat(dataDir)).uid).toBe(serverUser()?.uid);
      expect(await query(asRoot.url, 'SELECT note FROM kept')).toEqual([{ note: 'as nobody' }]);
    } finally {
      await asRoot.stop();
    }
  });

  it('refuses a data directory it cannot create (a parent owned by root), creating nothing', async () => {
    const parent = join(root, 'roots');
    await mkdir(parent, { mode: 0o755 });
    const dataDir = join(parent, 'data');
    const { report } = await holdAsNobody(dataDir);
    expect(report).toEqual({
      ok: false,
      name: 'EmbeddedDataDirUnwritableError',
      message: `The data directory ${dataDir} cannot be used: permission denied on ${parent} (EACCES): make it writable by the user the engine runs as, or point WORKFLOW_DATA_DIR elsewhere`,
    });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a data directory another OS user owns (one root started)', async () => {
    const dataDir = join(root, 'postgres-owned');
    const pg = await startEmbeddedPostgres({ dataDir, durable: false });
    await pg.stop();
    const { report } = await holdAsNobody(dataDir);
    expect(report).toMatchObject({ ok: false, name: 'EmbeddedDataDirUnwritableError' });
    expect((report as { message: string }).message).toMatch(new RegExp(`^The data directory ${dataDir} cannot be used: permission denied on it`));
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
  });
});
