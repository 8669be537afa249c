/**
 * An engine for integration tests: its own database, its queues on the test's queue backend (its
 * own BullMQ prefix on the shared Redis, or BullMQ's PostgreSQL backend in its own database: see
 * @wf/runtime/testing's TEST_QUEUE_BACKEND), the real API (through supertest), worker and store.
 * Nothing is mocked.
 *
 *   const h = await createHarness();
 *   const admin = h.as('alice', ['admin']);
 *   const mo = h.as('mo', ['manager']);
 *   const id = await admin.start(await admin.define(definition('PO').approval('ok').build()));
 *   await mo.approve(await mo.taskFor(id, 'ok'));
 *   expect((await admin.finished(id)).status).toBe('completed');
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '@wf/http';
import {
  createEngineRuntime,
  createLogger,
  loadConfig,
  startSchedulerRole,
  startWorkerRole,
  type EngineRuntime,
  type RunningRole,
  type SchedulerRole,
  signToken,
} from '@wf/runtime';
import { TEST_REDIS_URL, createTestDatabase, type TestDatabase } from '@wf/db/testing';
import { queueEnvFor } from '@wf/runtime/testing';
import type { Clock } from '@wf/engine';
import { UserClient } from './user-client';

export { eventually } from '@wf/testkit';

export const TENANT_A = '0a000000-0000-4000-8000-00000000000a';
export const TENANT_B = '0b000000-0000-4000-8000-00000000000b';

export interface Harness {
  readonly db: TestDatabase;
  readonly rt: EngineRuntime;
  readonly app: Express;
  readonly prefix: string;
  readonly env: Record<string, string>;
  worker: RunningRole | null;
  scheduler: SchedulerRole | null;
  token(user: string, roles: string[], tenant?: string): string;
  /** A client acting as `user` with `roles` in `tenant` (default TENANT_A). */
  as(user: string, roles: string[], tenant?: string): UserClient;
  http(): ReturnType<typeof request>;
  startWorker(): void;
  stopWorker(): Promise<void>;
  startScheduler(): void;
  stopScheduler(): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(
  opts: {
    env?: Record<string, string>;
    worker?: boolean;
    /** a Redis of the test's own: the queues run on it whatever TEST_QUEUE_BACKEND says */
    redisUrl?: string;
    /** the engine's clock (a test clock moves deadlines) */
    clock?: Clock;
  } = {},
): Promise<Harness> {
  const db = await createTestDatabase();
  const prefix = `wft${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    ...(await queueEnvFor(db, prefix, opts.redisUrl)),
    AUTH_JWT_SECRET: 'test-secret',
    DB_POOL_SIZE: '4',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    RATE_LIMIT_PER_MINUTE: '0',
    WORKFLOW_RETRY_BACKOFF_MS: '100',
    ...opts.env,
  };
  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
  const rt = await createEngineRuntime(config, log, 'test', opts.clock ? { clock: opts.clock } : {});
  const app = createApp({ services: rt.services, config, logger: log });
  const h: Harness = {
    db,
    rt,
    app,
    prefix,
    env,
    worker: null,
    scheduler: null,
    token: (user, roles, tenant = TENANT_A) => signToken(config.jwtSecret, { tenantId: tenant, userId: user, roles }),
    as: (user, roles, tenant) => new UserClient(app, user, h.token(user, roles, tenant)),
    http: () => request(app),
    startWorker() {
      h.worker ??= startWorkerRole(rt);
    },
    async stopWorker() {
      await h.worker?.close();
      h.worker = null;
    },
    startScheduler() {
      h.scheduler ??= startSchedulerRole(rt);
    },
    async stopScheduler() {
      await h.scheduler?.close();
      h.scheduler = null;
    },
    async close() {
      await h.stopScheduler();
      await h.stopWorker();
      await rt.close();
      if (env['QUEUE_BACKEND'] === 'redis') await deleteRedisPrefix(prefix, env['REDIS_URL']);
      await db.drop();
    },
  };
  if (opts.worker !== false) h.startWorker();
  return h;
}

async function deleteRedisPrefix(prefix: string, url = TEST_REDIS_URL): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** One statement on its own connection as the database owner (superuser in tests: past RLS). */
export async function sqlAsOwner<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}
