/**
 * Process lifecycle shared by the apps: read config, choose the store and the queue backend
 * (starting an embedded PostgreSQL where there is none), prepare the database, check Redis, build
 * the runtime, start roles, and shut down gracefully on SIGTERM/SIGINT (stop intake, finish
 * in-flight jobs, close queues and pools, then stop the embedded server) within
 * SHUTDOWN_DEADLINE_MS. Any start-up failure (Postgres or Redis unreachable, a port taken) exits 1
 * with one `start-up failed` line saying why.
 */

import { MIGRATIONS, MIGRATION_LOCK_KEY, QUEUE_LOGIN, appliedMigrations, describeUrl, ensureDatabase, latestActiveDefinition, migrateUp, type EmbeddedPostgres } from '@wf/db';
import { assertRedisReachable, migrateQueueSchema } from '@wf/queue';
import { ConfigError, DEV_TENANT_ID, loadConfig, type Config } from './config/config';
import { createEngineRuntime, type EngineRuntime } from './engine-runtime';
import { PortUnavailableError } from './http-listen';
import { createLogger, type Logger } from './logger';
import { signToken } from './auth/access-token';
import { DEV_PEOPLE, DEV_PEOPLE_TENANT_ID } from './auth/dev-people';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server';
import type { RunningRole } from './roles/worker-role';
import { SHUTDOWN_DEADLINE_MS, closeWithin, type ClosingStep } from './shutdown';
import { SAMPLE_WORKFLOW, SAMPLE_WORKFLOW_NAME } from './seed/sample-workflow';
import { chooseStores } from './stores/choose-stores';

export type RoleName = 'api' | 'worker' | 'scheduler';
export const ROLE_NAMES: readonly RoleName[] = ['api', 'worker', 'scheduler'];

export interface BootOptions {
  readonly roles: readonly RoleName[];
  /** starts each role (the api role is libs/http's startApiRole) */
  readonly starters: Partial<Record<RoleName, (rt: EngineRuntime) => Promise<RunningRole> | RunningRole>>;
}

/** Config, or exit 1 with every problem listed. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * Create the database and migrate it with the owner login (DATABASE_MIGRATION_URL, else
 * DATABASE_URL). That connection is closed before the runtime starts: nothing after start-up
 * runs with owner rights. With DATABASE_MIGRATE_ON_START=false nothing is migrated here;
 * `checkSchemaCurrent` then refuses a schema with pending migrations.
 */
export async function prepareDatabase(config: Config, log: Logger): Promise<void> {
  if (!config.migrateOnStart) return;
  if (await ensureDatabase(config.migrationUrl)) log.info({ database: describeUrl(config.migrationUrl) }, 'created database');
  const applied = await migrateUp({ url: config.migrationUrl });
  if (applied.length > 0) log.info({ applied }, 'migrations applied');
  // BullMQ's own schema, when the queues live in this database (after 0008 made its login)
  if (config.queueBackend === 'postgres') await migrateQueueSchema(config.migrationUrl, { login: QUEUE_LOGIN, lockKey: MIGRATION_LOCK_KEY });
}

/** The runtime's view of the migration log matches the code; throws naming what is pending. */
export async function checkSchemaCurrent(rt: EngineRuntime): Promise<void> {
  const applied = (await appliedMigrations(rt.store.pool)) ?? [];
  const pending = MIGRATIONS.map((M) => new M().name ?? M.name).filter((name) => !applied.includes(name));
  if (pending.length > 0) {
    throw new Error(`the database has ${pending.length} pending migration(s) (${pending.join(', ')}): run npm run migrate with the owner login, or start with DATABASE_MIGRATE_ON_START=true`);
  }
}

/** The sample workflow for the development tenant, once. */
export async function seedSampleWorkflow(rt: EngineRuntime): Promise<void> {
  const existing = await rt.store.inTenant(DEV_TENANT_ID, (tx) => latestActiveDefinition(tx, SAMPLE_WORKFLOW_NAME));
  if (existing) return;
  await rt.services.definitions.create({ tenantId: DEV_TENANT_ID, userId: 'system:seed', roles: ['admin'] }, SAMPLE_WORKFLOW);
  rt.log.info({ tenantId: DEV_TENANT_ID, name: SAMPLE_WORKFLOW_NAME }, 'seeded sample workflow');
}

export async function boot(opts: BootOptions): Promise<void> {
  const loaded = loadConfigOrExit();
  const log = createLogger(loaded.logLevel, { roles: opts.roles.join(',') });
  if (loaded.usingDevSecret) {
    log.warn(`AUTH_JWT_SECRET is not set: using the documented development secret "dev-secret-change-me". Never do this in production.`);
  }
  let rt: EngineRuntime;
  let config = loaded;
  let embedded: EmbeddedPostgres | null = null;
  try {
    const choice = await chooseStores(loaded);
    ({ config, embedded } = choice);
    for (const reason of choice.reasons) log.info({ store: choice.store, queueBackend: config.queueBackend }, reason);
    await prepareDatabase(config, log);
    // refused like an unreachable Postgres, rather than started to retry in the background
    if (config.queueBackend === 'redis') await assertRedisReachable(config.redisUrl);
    rt = await createEngineRuntime(config, log, opts.roles.join('+'), { store: choice.store });
    if (!config.migrateOnStart) await checkSchemaCurrent(rt);
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'start-up failed');
    await embedded?.stop().catch(() => undefined);
    process.exit(1);
  }
  const embeddedServer = embedded;

  const running: RunningRole[] = [];
  let metricsServer: MetricsServer | null = null;
  // what a stop closes, in order: api first (no new intake), then workers finish their
  // in-flight jobs, then queues and pools
  const closingSteps = (): ClosingStep[] => [
    ...running.map((role) => ({ name: `${role.name} role`, close: () => role.close() })),
    ...(metricsServer ? [{ name: 'metrics server', close: () => (metricsServer as MetricsServer).close() }] : []),
    { name: 'runtime (queues, Redis and Postgres connections)', close: () => rt.close() },
    // last: everything above still talks to it
    ...(embeddedServer ? [{ name: 'embedded PostgreSQL', close: () => embeddedServer.stop() }] : []),
  ];
  try {
    // one role seeds, so processes starting together never race to create the sample twice
    if (config.seedSampleWorkflow && opts.roles.includes('api')) await seedSampleWorkflow(rt);
    // the api role serves /metrics itself; other processes only when asked to. Ports are bound
    // before any role takes work, so a port that is taken stops a process that has done nothing.
    if (!opts.roles.includes('api') && config.metricsPort !== null) {
      const port = config.metricsPort;
      metricsServer = await startMetricsServer(rt.metrics.registry, port).catch((err: NodeJS.ErrnoException) => {
        throw new PortUnavailableError(port, 'METRICS_PORT', err);
      });
      log.info({ port: metricsServer.port }, 'serving /metrics');
    }
    for (const role of ROLE_NAMES) {
      if (!opts.roles.includes(role)) continue;
      const start = opts.starters[role];
      if (!start) throw new Error(`role ${role} cannot run in this process`);
      running.push(await start(rt));
    }
  } catch (err) {
    log.fatal({ err: (err as Error).message }, 'start-up failed');
    await closeWithin(closingSteps(), { log });
    process.exit(1);
  }
  if (!config.isProduction && opts.roles.includes('api')) {
    for (const [who, token] of developmentTokens(config)) process.stdout.write(`Dev token (${who}): ${token}\n`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal while shutting down; exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutting down');
    if (await closeWithin(closingSteps(), { log })) {
      log.info('stopped');
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** Tokens of the development tenant's people (auth/dev-people.ts), printed at start-up outside production. */
function developmentTokens(config: Config): [string, string][] {
  return DEV_PEOPLE.map(({ key, userId, roles }) => [key, signToken(config.jwtSecret, { tenantId: DEV_PEOPLE_TENANT_ID, userId, roles, expiresInSeconds: 30 * 24 * 3600 })]);
}
