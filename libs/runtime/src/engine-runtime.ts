/**
 * The composition root shared by every role: adapters built from configuration and handed to
 * the engine. Each app (and the all-in-one `npm start`) builds one and starts the roles it runs.
 */

import { v7 as uuidv7 } from 'uuid';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { PURE_SERVICE_TYPES, type EnginePorts } from '@wf/engine';
import { createDataSource, PgStore, poolOf } from '@wf/db';
import { BullDispatcher, createRedisConnection } from '@wf/queue';
import { AfterCommitDispatcher } from './after-commit-dispatcher';
import type { Config } from './config/config';
import type { Logger } from './logger';
import { DefinitionsServiceImpl } from './services/definitions.service';
import { FormValidator } from './services/form-validator';
import { InstancesServiceImpl } from './services/instances.service';
import type { AppServices } from './services/service.types';
import { TasksServiceImpl } from './services/tasks.service';
import { SubWorkflowStarter } from './services/child-starter';
import { EventsServiceImpl } from './services/events.service';
import { AnalyticsServiceImpl } from './services/analytics.service';
import { createBuiltInHandlers, loadHandlerModules, type HandlerRegistry } from './handlers';
import { createEngineMetrics, type EngineMetrics } from './metrics/engine-metrics';

export interface EngineRuntime {
  readonly config: Config;
  readonly log: Logger;
  readonly dataSource: DataSource;
  readonly store: PgStore;
  /** producer connection: fails fast while Redis is down */
  readonly redis: Redis;
  readonly bullDispatcher: BullDispatcher;
  readonly ports: EnginePorts;
  readonly services: AppServices;
  /** service types definitions may use (built-ins plus plugins) */
  readonly serviceTypes: () => ReadonlySet<string>;
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

export async function createEngineRuntime(config: Config, log: Logger, role: string): Promise<EngineRuntime> {
  const dataSource = createDataSource({
    url: config.databaseUrl,
    poolSize: config.dbPoolSize,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
    applicationName: `workflow-${role}`,
  });
  await dataSource.initialize();
  const store = new PgStore(poolOf(dataSource), { urgentThresholdHours: config.urgentThresholdHours });
  const redis = createRedisConnection(config.redisUrl, 'producer');
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  // the connection's own listener above already reports an outage once per error
  const bullDispatcher = new BullDispatcher(
    redis,
    config.queuePrefix,
    { maxRetries: config.maxRetries, backoffMs: config.retryBackoffMs },
    (err) => log.debug({ err: err.message }, 'queue error'),
    { horizonMs: slaJobHorizonMs(config) },
  );
  const handlers = createBuiltInHandlers({ config, store, log });
  await loadHandlerModules(handlers, config.handlerModules, log);
  const ports: EnginePorts = {
    store,
    dispatcher: new AfterCommitDispatcher(bullDispatcher, log),
    clock: { now: () => new Date() },
    // time-ordered ids: new rows land at the right edge of the primary-key indexes instead of on
    // random pages, which keeps inserts cheap however many instances are parked
    newId: uuidv7,
    settings: {
      defaultSlaHours: config.defaultSlaHours,
      maxStepsPerInstance: config.maxStepsPerInstance,
      maxSubworkflowDepth: config.maxSubworkflowDepth,
      escalationEnabled: config.escalationEnabled,
      leaseMs: config.stepLeaseMs,
    },
    handlers,
    children: new SubWorkflowStarter(uuidv7),
  };
  // set_context runs inside the engine; the rest need a registered handler (read live, so a
  // handler registered after start-up is accepted too)
  const serviceTypes = (): ReadonlySet<string> => new Set([...PURE_SERVICE_TYPES, ...handlers.types()]);
  const services: AppServices = {
    analytics: new AnalyticsServiceImpl(store),
    definitions: new DefinitionsServiceImpl(store, serviceTypes),
    events: new EventsServiceImpl(store, ports),
    instances: new InstancesServiceImpl(store, ports),
    tasks: new TasksServiceImpl(store, ports, new FormValidator(), config.urgentThresholdHours),
    health: {
      readiness: async () => {
        const [postgres, redisOk] = await Promise.all([
          store.pool.query('SELECT 1').then(() => true, () => false),
          redis.ping().then(() => true, () => false),
        ]);
        return { postgres, redis: redisOk };
      },
    },
  };
  const metrics = createEngineMetrics({
    pool: store.pool,
    queues: [bullDispatcher.queue, bullDispatcher.slaQueue],
    urgentThresholdHours: config.urgentThresholdHours,
  });
  return {
    config,
    log,
    metrics,
    dataSource,
    store,
    redis,
    bullDispatcher,
    ports,
    services,
    serviceTypes,
    handlers,
    async close() {
      await bullDispatcher.close().catch(() => undefined);
      redis.disconnect();
      await dataSource.destroy().catch(() => undefined);
    },
  };
}
