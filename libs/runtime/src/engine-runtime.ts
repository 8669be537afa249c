/**
 * The composition root shared by every role: adapters built from configuration and handed to
 * the engine. Each app (and the all-in-one `npm start`) builds one and starts the roles it runs.
 */

import { v7 as uuidv7 } from 'uuid';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { renewLease, type Clock, type EnginePorts } from '@wf/engine';
import { createDataSource, describeUrl, loginProblems, PgStore, PgSweepSource, poolOf, type LoginKind } from '@wf/db';
import { BullDispatcher, createPostgresQueueBackend, createRedisQueueBackend, describeRedisUrl, type QueueBackend } from '@wf/queue';
import type { Config } from './config/config';
import type { Logger } from './logger';
import { DefinitionsServiceImpl } from './services/definitions.service';
import { FormValidator } from './services/form-validator';
import { InstancesServiceImpl } from './services/instances.service';
import type { AppServices } from './services/service.types';
import { TasksServiceImpl } from './services/tasks.service';
import { DeputiesServiceImpl } from './services/deputies.service';
import { MessagesServiceImpl } from './services/messages.service';
import { CalendarsServiceImpl } from './services/calendars.service';
import { ViewsServiceImpl } from './services/views.service';
import { CallbackKeys } from './waits/callback-token';
import { EventsServiceImpl } from './services/events.service';
import { AnalyticsServiceImpl } from './services/analytics.service';
import { loadHandlerModules, loadSqlParser, type HandlerRegistry } from '@wf/handlers';
import { createBuiltInHandlers } from './handlers/built-in-handlers';
import { createEngineMetrics, type EngineMetrics } from './metrics/engine-metrics';
import { TimerLeaseKeeper } from './leases/lease-keeper';
import { EngineEventBus } from './events/engine-event-bus';
import { createTaskNotifications, type WithEmailActions } from './notifications';

export interface EngineRuntime {
  readonly config: Config;
  readonly log: Logger;
  readonly dataSource: DataSource;
  readonly store: PgStore;
  /** logs in as the query login: database_query steps only */
  readonly queryPool: Pool;
  /** where the queues are (Redis or BullMQ's PostgreSQL backend), chosen once at start-up */
  readonly queueBackend: QueueBackend;
  readonly bullDispatcher: BullDispatcher;
  readonly ports: EnginePorts;
  /** what the use cases report after commit: metrics, logs and tests listen */
  readonly events: EngineEventBus;
  readonly services: AppServices;
  readonly handlers: HandlerRegistry;
  /** this process's Prometheus registry: step timings from its worker, gauges read at scrape */
  readonly metrics: EngineMetrics;
  close(): Promise<void>;
}

/**
 * Delayed SLA jobs are made only for deadlines this close; the scheduler's SLA sweep (every
 * TASK_QUEUE_REFRESH_INTERVAL_SECONDS) adds them for the rest as they come within range. Two
 * intervals, so a deadline is covered even when one sweep runs late.
 */
export function slaJobHorizonMs(config: Pick<Config, 'taskQueueRefreshIntervalSeconds'>): number {
  return 2 * config.taskQueueRefreshIntervalSeconds * 1000;
}

const LOGIN_URL_VARIABLE: Record<LoginKind, string> = { runtime: 'DATABASE_RUNTIME_URL', query: 'DATABASE_QUERY_URL', queue: 'DATABASE_QUEUE_URL' };

/** A login that can do more than its job needs: the engine refuses to run on it. */
export class LoginRefusedError extends Error {
  constructor(kind: LoginKind, url: string, detail: string) {
    super(
      `refusing to run with the ${kind} login at ${describeUrl(url)}: ${detail}. ` +
        `See docs/database.md, "Database roles", for how to provision it (${LOGIN_URL_VARIABLE[kind]}).`,
    );
    this.name = 'LoginRefusedError';
  }
}

/** Connects as the login and checks it holds no more than its job needs; throws LoginRefusedError. */
async function assertLeastPrivilege(pool: Pool, kind: LoginKind, url: string): Promise<void> {
  let verdict;
  try {
    verdict = await loginProblems(pool, kind);
  } catch (err) {
    throw new LoginRefusedError(kind, url, `cannot log in: ${(err as Error).message}`);
  }
  if (verdict.problems.length > 0) throw new LoginRefusedError(kind, url, `${verdict.login} ${verdict.problems.join('; ')}`);
}

/** The postgres queue backend's login, on a connection of its own that is closed again. */
async function assertQueueLogin(url: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  try {
    await assertLeastPrivilege(pool, 'queue', url);
  } finally {
    await pool.end();
  }
}

export interface EngineRuntimeOptions {
  /**
   * The engine's clock (default: the system's). Tests move it forward to make deadlines pass; the
   * SLA checks' queue delays are reckoned on it too.
   */
  readonly clock?: Clock;
  /** which Postgres this is (readiness reports it): one given by URL, or the embedded server */
  readonly store?: StoreKind;
}

export type StoreKind = 'external' | 'embedded';

/**
 * The queue backend the configuration names. Redis: the producer connection speaks for the
 * process during an outage, one line per reconnect attempt (every engine connection keeps
 * "cannot reach Redis" errors to its retries). PostgreSQL: the queue login's pools.
 */
function createQueueBackend(config: Config, log: Logger, role: string): QueueBackend {
  if (config.queueBackend === 'auto') throw new Error('the queue backend is not chosen yet: start-up chooses it (resolveStores) before building the runtime');
  if (config.queueBackend === 'postgres') {
    return createPostgresQueueBackend({
      url: config.queueUrl,
      poolSize: Math.min(4, config.dbPoolSize),
      applicationName: `workflow-${role}-queue`,
      onError: (err) => log.warn({ err: err.message }, 'idle queue connection failed'),
    });
  }
  let failedAttempts = 0;
  const backend = createRedisQueueBackend({
    url: config.redisUrl,
    prefix: config.queuePrefix,
    onRetry: ({ where, attempt, delayMs, error }) => {
      failedAttempts = attempt;
      log.warn({ redis: where, attempt, retryInMs: delayMs, err: error?.message }, 'Redis unreachable; reconnecting');
    },
  });
  backend.producer.on('ready', () => {
    if (failedAttempts > 0) log.info({ redis: describeRedisUrl(config.redisUrl), attempts: failedAttempts }, 'Redis reachable again');
    failedAttempts = 0;
  });
  backend.producer.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  return backend;
}

export async function createEngineRuntime(config: Config, log: Logger, role: string, options: EngineRuntimeOptions = {}): Promise<EngineRuntime> {
  const clock: Clock = options.clock ?? { now: () => new Date() };
  const dataSource = createDataSource({
    url: config.runtimeUrl,
    poolSize: config.dbPoolSize,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
    applicationName: `workflow-${role}`,
  });
  const queryPool = new Pool({
    connectionString: config.queryUrl,
    max: Math.min(4, config.dbPoolSize),
    application_name: `workflow-${role}-query`,
    connectionTimeoutMillis: 5_000,
    idle_in_transaction_session_timeout: config.dbIdleInTransactionTimeoutMs,
  });
  queryPool.on('error', (err) => log.warn({ err: err.message }, 'idle database_query connection failed'));
  try {
    await dataSource.initialize();
    await assertLeastPrivilege(poolOf(dataSource), 'runtime', config.runtimeUrl);
    await assertLeastPrivilege(queryPool, 'query', config.queryUrl);
    if (config.queueBackend === 'postgres') await assertQueueLogin(config.queueUrl);
    await loadSqlParser();
  } catch (err) {
    await queryPool.end().catch(() => undefined);
    if (dataSource.isInitialized) await dataSource.destroy().catch(() => undefined);
    throw err;
  }
  const store = new PgStore(poolOf(dataSource), { urgentThresholdHours: config.urgentThresholdHours });
  const queueBackend = createQueueBackend(config, log, role);
  const bullDispatcher = new BullDispatcher(
    queueBackend,
    { maxRetries: config.maxRetries, backoffMs: config.retryBackoffMs },
    (err) => log.debug({ err: err.message }, 'queue error'),
    { horizonMs: slaJobHorizonMs(config), now: () => clock.now().getTime() },
  );
  const handlers = createBuiltInHandlers({ config, queryPool, log });
  await loadHandlerModules(handlers, config.handlerModules, log);
  // one timer for every I/O step this process runs; idle (no timer) in a process that runs none
  const leases = new TimerLeaseKeeper({
    leaseMs: config.stepLeaseMs,
    renew: (job, leaseToken) => renewLease(ports, job, leaseToken),
    onRenewalFailed: (job, err) => log.warn({ ...job, err: err.message }, 'lease renewal failed; trying again on the next tick'),
  });
  const events = new EngineEventBus();
  events.on((event) => {
    if (event.type !== 'effects_deferred') return;
    // the change is committed; reconciliation re-dispatches ready work, the SLA sweep finds deadlines
    log.warn({ err: event.error, [event.what]: event.count }, event.what === 'jobs' ? 'handing jobs to the queue failed; the work stays ready in Postgres and reconciliation will re-dispatch it' : 'scheduling SLA checks failed; the SLA sweep will catch the deadlines');
  });
  const forms = new FormValidator();
  const ports: EnginePorts = {
    store,
    dispatcher: bullDispatcher,
    clock,
    // time-ordered ids: new rows land at the right edge of the primary-key indexes instead of on
    // random pages, which keeps inserts cheap however many instances are parked
    newId: uuidv7,
    settings: {
      defaultSlaHours: config.defaultSlaHours,
      maxStepsPerInstance: config.maxStepsPerInstance,
      maxSubworkflowDepth: config.maxSubworkflowDepth,
      escalationEnabled: config.escalationEnabled,
      leaseMs: config.stepLeaseMs,
      maxAttempts: config.maxRetries + 1,
      maxInstancesPerTree: config.maxInstancesPerTree,
    },
    handlers,
    leases,
    sweeps: new PgSweepSource(store.pool),
    schemas: {
      validateContext: (definitionId, schema, data) => forms.validateContext(definitionId, schema, data),
      validateForm: (key, schema, data) => forms.validate(key, schema, data),
    },
    events,
  };
  // callback URLs of waiting receive nodes are signed with a key of their own (docs/waits.md)
  const messages = new MessagesServiceImpl(ports, new CallbackKeys(config.jwtSecret), config.publicUrl);
  // approval mails, after commit and in the background (docs/email-approvals.md)
  const notifications = createTaskNotifications({ config, log, store, ports, handlers });
  const services: AppServices & WithEmailActions = {
    analytics: new AnalyticsServiceImpl(store),
    definitions: new DefinitionsServiceImpl(store, handlers, forms),
    events: new EventsServiceImpl(ports),
    instances: new InstancesServiceImpl(store, ports, (tenantId, executionId, nonce) => messages.callbackUrlOf(tenantId, executionId, nonce)),
    tasks: new TasksServiceImpl(store, ports, config.urgentThresholdHours),
    deputies: new DeputiesServiceImpl(store, ports.clock),
    messages,
    calendars: new CalendarsServiceImpl(store, ports),
    views: new ViewsServiceImpl(store),
    emailActions: notifications.actions,
    health: {
      readiness: async () => {
        const [postgres, queue] = await Promise.all([store.pool.query('SELECT 1').then(() => true, () => false), queueBackend.ping()]);
        return { postgres, queue, queueBackend: queueBackend.kind, store: options.store ?? 'external' };
      },
    },
  };
  const metrics = createEngineMetrics({
    pool: store.pool,
    queues: [bullDispatcher.queue, bullDispatcher.slaQueue],
    urgentThresholdHours: config.urgentThresholdHours,
  });
  events.on((event) => metrics.countEvent(event));
  events.on((event) => notifications.onEvent(event));
  return {
    config,
    log,
    metrics,
    dataSource,
    store,
    queryPool,
    queueBackend,
    bullDispatcher,
    ports,
    events,
    services,
    handlers,
    async close() {
      // before the pool goes: a renewal or a mail in flight should finish, not fail half-way
      await notifications.close();
      await leases.close();
      await bullDispatcher.close().catch(() => undefined);
      await queueBackend.close().catch(() => undefined);
      await dataSource.destroy().catch(() => undefined);
      await queryPool.end().catch(() => undefined);
    },
  };
}
