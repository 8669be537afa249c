/**
 * `npm run health`: the deployment guide's health check. Checks Postgres (reachable, then the
 * schema, then that the runtime and query logins hold no more than their jobs need) and Redis
 * (reachable, eviction policy, the engine queues) with the same configuration the engine starts
 * with, prints one line per check and a summary, and exits 0 when every check passed, 1 otherwise.
 */

import { Pool } from 'pg';
import { checkLogin, checkSchemaHealth, createDataSource, describeUrl, poolOf, type HealthCheck } from '@wf/db';
import { checkPostgresQueueHealth, checkQueueHealth } from '@wf/queue';
import { ConfigError, DEV_TENANT_ID, loadConfig, type Config } from '../config/config';
import { SAMPLE_WORKFLOW_NAME } from '../seed/sample-workflow';
import { chooseStores } from '../stores/choose-stores';

const HELP = `usage: npm run health [-- --help]

Checks what the engine needs, with the configuration it starts with (the same environment
variables), and prints one line per check:
  postgres:reachable   the runtime login (DATABASE_RUNTIME_URL, or DATABASE_URL's address as
                       workflow_runtime) connects
  tables, views, rls:*, indexes, triggers, extensions, role:*, migrations
                       the schema the migrations create, row-level security forced, no pending
                       migration
  login:runtime        the runtime login is no superuser, owns nothing, may not create temporary
                       tables, and has no rights of its own beyond SET ROLE workflow_app and
                       workflow_sweeper
  login:query          the database_query login (DATABASE_QUERY_URL) is a member of nothing and has
                       no right on any engine table
  stores               which Postgres (given, found on 127.0.0.1:5432, or the embedded server
                       npm start runs) and which queue backend, and why
  redis:*, queue:*     Redis answers, evicts nothing, and the engine's queues' job counts
  postgres-queue:*, login:queue
                       with QUEUE_BACKEND=postgres (or no Redis): the queue login connects, BullMQ's
                       schema is migrated, the job counts, and the login reaches nothing else

Exit status: 0 when every check passed, 1 otherwise.
`;

/** `postgres:reachable`, then the schema and login checks only when it is. */
async function postgresChecks(config: Config): Promise<HealthCheck[]> {
  const where = describeUrl(config.runtimeUrl);
  const ds = createDataSource({
    url: config.runtimeUrl,
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
    return [reachable, ...(await checkSchemaHealth(pool, { sampleWorkflow })), await checkLogin(pool, 'runtime').catch(failed('login:runtime')), await queryLoginCheck(config)];
  } finally {
    await ds.destroy();
  }
}

/** The queue backend's own checks, then its login's: the `bullmq` schema only. */
async function queuePostgresChecks(config: Config): Promise<HealthCheck[]> {
  const checks = await checkPostgresQueueHealth(config.queueUrl);
  if (!checks[0]?.ok) return checks;
  const pool = new Pool({ connectionString: config.queueUrl, max: 1, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  try {
    return [...checks, await checkLogin(pool, 'queue').catch(failed('login:queue'))];
  } finally {
    await pool.end();
  }
}

async function queryLoginCheck(config: Config): Promise<HealthCheck> {
  const pool = new Pool({ connectionString: config.queryUrl, max: 1, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  try {
    return await checkLogin(pool, 'query').catch(failed('login:query', `cannot log in at ${describeUrl(config.queryUrl)}: `));
  } finally {
    await pool.end();
  }
}

function failed(name: string, prefix = 'could not check: '): (err: unknown) => HealthCheck {
  return (err) => ({ name, ok: false, detail: `${prefix}${errorMessage(err)}` });
}

function report(checks: readonly HealthCheck[]): number {
  for (const c of checks) console.log(`${c.ok ? '✓' : '✗'} ${c.name} — ${c.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  console.log(failed === 0 ? `HEALTHY (${checks.length} checks)` : `UNHEALTHY: ${failed} of ${checks.length} checks failed`);
  return failed === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return report([{ name: 'config', ok: false, detail: err.problems.join('; ') }]);
  }
  const choice = await chooseStores(config, { startEmbedded: false });
  config = choice.config;
  const chosen: HealthCheck = { name: 'stores', ok: true, detail: `${choice.store === 'embedded' ? 'embedded PostgreSQL' : 'PostgreSQL'}, queues on ${config.queueBackend}: ${choice.reasons.join('; ')}` };
  const queueChecks = config.queueBackend === 'postgres' ? queuePostgresChecks(config) : checkQueueHealth(config.redisUrl, config.queuePrefix);
  const [postgres, queue] = await Promise.all([postgresChecks(config), queueChecks]);
  return report([chosen, ...postgres, ...queue]);
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
