/**
 * Migrates a template database once per run; each integration test file clones its own database
 * from it (CREATE DATABASE ... TEMPLATE), so files run in parallel without sharing rows.
 */
import { Client } from 'pg';
import { migrateUp } from '../libs/db/src/migrate';
import { TEMPLATE_DB, TEST_PG_ADMIN_URL, databaseUrl } from './support/test-env';

export default async function globalSetup(): Promise<void> {
  const admin = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  await migrateUp({ url: databaseUrl(TEMPLATE_DB) });
}
