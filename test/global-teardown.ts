import { Client } from 'pg';
import { TEST_PG_ADMIN_URL } from './support/test-env';

/** Drops databases that test files created and, having failed, left behind. */
export default async function globalTeardown(): Promise<void> {
  const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    const r = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'wf_t_%'`);
    for (const { datname } of r.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
