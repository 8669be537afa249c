/**
 * Where integration tests find Postgres and Redis (the shared servers; tests never restart
 * them), and the names this test run uses, so concurrent runs never touch each other's databases.
 */
export const TEST_PG_ADMIN_URL = process.env['TEST_DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Set by the global setup and inherited by the test workers. */
export function testRunId(): string {
  const id = process.env['WF_TEST_RUN'];
  if (!id) throw new Error('WF_TEST_RUN is not set: integration tests run through jest with test/global-setup.ts');
  return id;
}

export const templateDbName = (run: string): string => `wf_tpl_${run}`;
export const testDbPrefix = (run: string): string => `wf_t_${run}_`;

export function databaseUrl(name: string): string {
  const u = new URL(TEST_PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}
