/** Drops this run's template and any database a failed test file left behind, then stops the servers the setup started. */
export default async function globalTeardown(): Promise<void> {
  const run = process.env['WF_TEST_RUN'];
  if (!run || process.env['WF_TEST_TORN_DOWN']) return;
  process.env['WF_TEST_TORN_DOWN'] = '1';
  const { templateDbName, testDbPrefix, withAdminClient } = await import('../libs/db/src/testing');
  await withAdminClient(async (c) => {
    const r = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${testDbPrefix(run)}%`]);
    for (const { datname } of r.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await c.query(`DROP DATABASE IF EXISTS ${templateDbName(run)} WITH (FORCE)`);
  });
  await globalThis.__wfTestServers?.stop();
}
