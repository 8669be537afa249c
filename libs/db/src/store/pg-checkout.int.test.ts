/**
 * A connection that dies while checked out (Postgres restarted, the session terminated, the
 * idle-in-transaction timeout) fails the work that holds it and nothing else: the process lives
 * on, the dead connection leaves the pool, and the next transaction gets a healthy one.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { PgStore } from './pg-store';
import { purgeExpiredHistory, systemRead } from './system-queries';
import { createTestDatabase, testPool, type TestDatabase } from '../testing';

const TENANT = '0d000000-0000-4000-8000-00000000000d';
let db: TestDatabase;
let pool: Pool;
let killer: Pool;
const uncaught: unknown[] = [];
const record = (err: unknown): void => void uncaught.push(err);

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url, 2);
  killer = testPool(db.url, 1);
  process.on('uncaughtException', record);
});
afterAll(async () => {
  process.off('uncaughtException', record);
  await pool.end();
  await killer.end();
  await db.drop();
});

/** Terminate the session of `pid` from another connection, then let its socket close. */
async function terminate(pid: number): Promise<void> {
  await killer.query('SELECT pg_terminate_backend($1)', [pid]);
  await new Promise((r) => setTimeout(r, 300));
}

async function backendPid(q: (text: string) => Promise<{ pid: number }[]>): Promise<number> {
  const [row] = await q('SELECT pg_backend_pid() AS pid');
  return row!.pid;
}

it('a tenant transaction whose session is terminated fails without crashing, and the pool recovers', async () => {
  const store = new PgStore(pool, { urgentThresholdHours: 24 });
  const failed = store.inTenant(TENANT, async (tx) => {
    const pid = await backendPid(async (text) => (await tx.query<{ pid: number }>(text)).rows);
    await terminate(pid); // idle in the transaction: the error arrives with no query pending
    await tx.query('SELECT 1');
  });
  await expect(failed).rejects.toBeInstanceOf(Error);
  expect(uncaught).toEqual([]);

  const ok = await store.inTenant(TENANT, async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one);
  expect(ok).toBe(1);
});

it('a system read and the retention purge fail cleanly when their session dies', async () => {
  await expect(
    systemRead(pool, async (q) => {
      await terminate(await backendPid((text) => q<{ pid: number }>(text)));
      return q('SELECT 1');
    }),
  ).rejects.toBeInstanceOf(Error);
  expect(uncaught).toEqual([]);
  await expect(purgeExpiredHistory(pool, 30, new Date(), randomUUID)).resolves.toEqual({ instances: 0, rows: 0 });
  await expect(systemRead(pool, (q) => q<{ one: number }>('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
});
