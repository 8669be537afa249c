/**
 * PgTx's hot path: statements prepared at the SQL level and sent with literals (`hot`), and
 * writes held back to travel with COMMIT (`defer`). Held-back writes must commit with the
 * transaction, roll back with it, and be seen by any read the transaction makes after them.
 */
import type { Pool } from 'pg';
import { createTestDatabase, testPool, type TestDatabase } from '../testing';
import { PgStore } from './pg-store';

const TENANT = '0a000000-0000-4000-8000-00000000000a';
let db: TestDatabase;
let pool: Pool;
let store: PgStore;

beforeAll(async () => {
  db = await createTestDatabase();
  // one connection: the session's temporary table outlives each transaction
  pool = testPool(db.url, 1);
  store = new PgStore(pool, { urgentThresholdHours: 24 });
  // made by the owner: no engine login may create temporary tables
  await pool.query('CREATE TEMP TABLE probe (x text); GRANT ALL ON probe TO workflow_app');
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

const count = (x: string) =>
  store.inTenant(TENANT, async (tx) => (await tx.hot<{ n: number }>('SELECT count(*)::int AS n FROM probe WHERE x = $1::text', [x])).rows[0]!.n);

it('sends a held-back write with COMMIT', async () => {
  await store.inTenant(TENANT, async (tx) => {
    tx.defer('INSERT INTO probe VALUES ($1::text)', ["it's committed"]);
  });
  expect(await count("it's committed")).toBe(1);
});

it('sends a held-back write before any later read of the same transaction', async () => {
  const seen = await store.inTenant(TENANT, async (tx) => {
    tx.defer('INSERT INTO probe VALUES ($1::text)', ['read back']);
    return (await tx.hot<{ n: number }>('SELECT count(*)::int AS n FROM probe WHERE x = $1::text', ['read back'])).rows[0]!.n;
  });
  expect(seen).toBe(1);
});

it('drops a held-back write when the transaction fails', async () => {
  await expect(
    store.inTenant(TENANT, async (tx) => {
      tx.defer('INSERT INTO probe VALUES ($1::text)', ['rolled back']);
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect(await count('rolled back')).toBe(0);
});

it('binds the parameters when one of them cannot be a literal', async () => {
  const r = await store.inTenant(TENANT, (tx) => tx.hot<{ j: unknown }>('SELECT $1::jsonb AS j', [{ nested: ["it's"] }]));
  expect(r.rows[0]!.j).toEqual({ nested: ["it's"] });
});
