import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { lockDownDatabase } from '../roles/login-roles';
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
  // a clone does not inherit its template's database privileges (migrateUp revokes TEMPORARY)
  const owner = new Client({ connectionString: databaseUrl(name) });
  await owner.connect();
  try {
    await lockDownDatabase((sql) => owner.query(sql));
  } finally {
    await owner.end();
  }
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

/** The same database, logged in as another role (trust authentication here): `workflow_runtime`, `workflow_query`. */
export function urlAs(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}
