/**
 * `npm run health`: the deployment guide's health check. Checks Postgres (reachable, then the
 * schema) and Redis (reachable, eviction policy, the engine queues) with the same configuration
 * the engine starts with, prints one line per check and a summary, and exits 0 when every check
 * passed, 1 otherwise.
 */

import { checkSchemaHealth, createDataSource, describeUrl, poolOf, type HealthCheck } from '@wf/db';
import { checkQueueHealth } from '@wf/queue';
import { ConfigError, DEV_TENANT_ID, loadConfig, type Config } from '../config/config';
import { SAMPLE_WORKFLOW_NAME } from '../seed/sample-workflow';

/** `postgres:reachable`, then the schema checks only when it is. */
async function postgresChecks(config: Config): Promise<HealthCheck[]> {
  const where = describeUrl(config.databaseUrl);
  const ds = createDataSource({
    url: config.databaseUrl,
    poolSize: 2,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    applicationName: 'workflow-health',
  });
  try {
    await ds.initialize();
  } catch (err) {
    return [{ name: 'postgres:reachable', ok: false, detail: `cannot reach ${where}: ${errorMessage(err)}` }];
  }
  try {
    const pool = poolOf(ds);
    const { rows } = await pool.query<{ version: string }>(`SELECT current_setting('server_version') AS version`);
    const reachable: HealthCheck = { name: 'postgres:reachable', ok: true, detail: `${where} (PostgreSQL ${rows[0]?.version ?? '?'})` };
    const sampleWorkflow = config.seedSampleWorkflow ? { tenantId: DEV_TENANT_ID, name: SAMPLE_WORKFLOW_NAME } : null;
    return [reachable, ...(await checkSchemaHealth(pool, { sampleWorkflow }))];
  } finally {
    await ds.destroy();
  }
}

function report(checks: readonly HealthCheck[]): number {
  for (const c of checks) console.log(`${c.ok ? '✓' : '✗'} ${c.name} — ${c.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  console.log(failed === 0 ? `HEALTHY (${checks.length} checks)` : `UNHEALTHY: ${failed} of ${checks.length} checks failed`);
  return failed === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return report([{ name: 'config', ok: false, detail: err.problems.join('; ') }]);
  }
  const [postgres, redis] = await Promise.all([postgresChecks(config), checkQueueHealth(config.redisUrl, config.queuePrefix)]);
  return report([...postgres, ...redis]);
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`health check crashed: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(1);
  },
);
