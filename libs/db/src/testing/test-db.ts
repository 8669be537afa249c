import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { TEST_PG_ADMIN_URL, databaseUrl, templateDbName, testDbPrefix, testRunId } from './test-env';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function withAdminClient<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** A fresh, migrated database for one test file, cloned from this run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const run = testRunId();
  const name = `${testDbPrefix(run)}${randomBytes(5).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDbName(run)}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A pg Pool on a test database. The pool hears its idle connections' errors: dropping the
 * database at the end of a file (WITH (FORCE)) can overtake a connection that `end()` is still
 * closing, and an unheard pool 'error' would fail whichever test runs next in that process.
 */
export function testPool(url: string, max: number): Pool {
  const pool = new Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}
