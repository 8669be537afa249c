/**
 * The queue backend integration tests run on: TEST_QUEUE_BACKEND (redis or postgres), which the
 * test setup sets (redis where a Redis answers, postgres on a machine without one) and the
 * second integration project overrides, so the suites that go through the queue run on both.
 */

import { MIGRATION_LOCK_KEY, QUEUE_LOGIN } from '@wf/db';
import { TEST_REDIS_URL, urlAs, type TestDatabase } from '@wf/db/testing';
import { createPostgresQueueBackend, createRedisQueueBackend, migrateQueueSchema, type QueueBackend, type QueueBackendKind } from '@wf/queue';

function testQueueBackendKind(): QueueBackendKind {
  return process.env['TEST_QUEUE_BACKEND'] === 'postgres' ? 'postgres' : 'redis';
}

/**
 * The engine environment for the test backend: with postgres, BullMQ's schema is migrated into
 * `db` first (as start-up does); with redis, the jobs go under `prefix` on the shared Redis (or
 * `redisUrl`, which also forces the redis backend: the test is about Redis).
 */
export async function queueEnvFor(db: TestDatabase, prefix: string, redisUrl?: string): Promise<Record<string, string>> {
  if (redisUrl === undefined && testQueueBackendKind() === 'postgres') {
    await migrateQueueSchema(db.url, { login: QUEUE_LOGIN, lockKey: MIGRATION_LOCK_KEY });
    return { QUEUE_BACKEND: 'postgres' };
  }
  return { QUEUE_BACKEND: 'redis', REDIS_URL: redisUrl ?? TEST_REDIS_URL, QUEUE_PREFIX: prefix };
}

/** A queue backend of the test kind over `db` (postgres) or under `prefix` (redis). */
export async function testQueueBackend(db: TestDatabase, prefix: string): Promise<QueueBackend> {
  if (testQueueBackendKind() === 'postgres') {
    await migrateQueueSchema(db.url, { login: QUEUE_LOGIN, lockKey: MIGRATION_LOCK_KEY });
    return createPostgresQueueBackend({ url: urlAs(db.url, QUEUE_LOGIN), poolSize: 2, applicationName: 'workflow-test-queue' });
  }
  return createRedisQueueBackend({ url: TEST_REDIS_URL, prefix });
}
