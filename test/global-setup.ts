/**
 * Chooses the servers (test/test-servers.ts), then migrates a template database once per run;
 * each integration test file clones its own database from it (CREATE DATABASE ... TEMPLATE), so
 * files run in parallel without sharing rows. Names carry a run id, so two runs on one server never
 * touch each other's databases. Every project of the run shares one setup: the second one finds
 * WF_TEST_RUN set and does nothing.
 */
import { randomBytes } from 'node:crypto';
import { chooseTestServers, type TestServers } from './test-servers';

declare global {
  var __wfTestServers: TestServers | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env['WF_TEST_RUN']) return;
  const run = randomBytes(4).toString('hex');
  // inherited by the test workers, which start after this
  process.env['WF_TEST_RUN'] = run;
  globalThis.__wfTestServers = await chooseTestServers();
  // imported only now: libs/db's test settings read TEST_DATABASE_ADMIN_URL when loaded
  const { migrateUp } = await import('../libs/db/src/migrate');
  const { databaseUrl, templateDbName, withAdminClient } = await import('../libs/db/src/testing');
  const template = templateDbName(run);
  await withAdminClient((c) => c.query(`CREATE DATABASE ${template}`));
  await migrateUp({ url: databaseUrl(template) });
  // the browser tests serve the web app: build its bundle once here, not in each file at once
  const { ensureWebBundle } = await import('../libs/http/src/web/web-bundle');
  const quiet = { info: () => undefined, warn: () => undefined } as unknown as Parameters<typeof ensureWebBundle>[0];
  await ensureWebBundle(quiet);
}
