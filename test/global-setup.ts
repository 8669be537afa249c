/**
 * Migrates a template database once per run; each integration test file clones its own database
 * from it (CREATE DATABASE ... TEMPLATE), so files run in parallel without sharing rows. Names
 * carry a run id, so two runs on one server never touch each other's databases.
 */
import { randomBytes } from 'node:crypto';
import { migrateUp } from '../libs/db/src/migrate';
import { databaseUrl, templateDbName, withAdminClient } from '../libs/db/src/testing';

export default async function globalSetup(): Promise<void> {
  const run = randomBytes(4).toString('hex');
  // inherited by the test workers, which start after this
  process.env['WF_TEST_RUN'] = run;
  const template = templateDbName(run);
  await withAdminClient((c) => c.query(`CREATE DATABASE ${template}`));
  await migrateUp({ url: databaseUrl(template) });
}
