/**
 * The queue half of `npm run health`. On Redis: Redis answers PING, its eviction policy is the one
 * BullMQ requires, and every engine queue answers a job count. Read-only: the queues are opened
 * without writing their meta keys, and the one connection fails fast and is closed afterwards. On
 * the PostgreSQL backend: the queue login connects, BullMQ's schema is migrated and compatible, and
 * every engine queue answers a job count.
 */

import { Queue, assertSchemaCompatibility } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { ALL_QUEUES } from './queue-names';
import { describeRedisUrl } from './redis-connection';
import { QUEUE_SCHEMA, createPostgresQueueBackend, describePgUrl, type EngineQueue } from './queue-backend';

/** One line of the health report (the same shape as @wf/db's). */
export interface HealthCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** How long Redis has to answer each step. */
const TIMEOUT_MS = 2000;

/**
 * `redis:reachable`, then (only when it is) `redis:maxmemory-policy` and one `queue:<name>` per
 * engine queue. `prefix` is the BullMQ key prefix (QUEUE_PREFIX).
 */
export async function checkQueueHealth(redisUrl: string, prefix: string): Promise<HealthCheck[]> {
  const where = describeRedisUrl(redisUrl);
  // No retries, no offline queue: an unreachable Redis is reported, not waited for.
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: TIMEOUT_MS,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    const started = Date.now();
    try {
      await withTimeout(
        redis.connect().then(() => redis.ping()),
        TIMEOUT_MS,
      );
    } catch (err) {
      // ioredis rejects with "Connection is closed."; the 'error' event says why
      const cause = lastError ?? err;
      return [{ name: 'redis:reachable', ok: false, detail: `no PING answer from ${where} within ${TIMEOUT_MS} ms: ${errorMessage(cause)}` }];
    }
    const results: HealthCheck[] = [{ name: 'redis:reachable', ok: true, detail: `${where} answered PING in ${Date.now() - started} ms` }];
    results.push(await checkEvictionPolicy(redis));
    for (const queueName of ALL_QUEUES) results.push(await checkQueue(redis, queueName, prefix));
    return results;
  } finally {
    redis.disconnect();
  }
}

/** BullMQ loses jobs when Redis evicts keys: anything but noeviction fails. */
async function checkEvictionPolicy(redis: Redis): Promise<HealthCheck> {
  const name = 'redis:maxmemory-policy';
  let reply: unknown;
  try {
    reply = await withTimeout(redis.config('GET', 'maxmemory-policy'), TIMEOUT_MS);
  } catch (err) {
    // managed services often refuse or rename CONFIG
    return { name, ok: true, detail: `could not be read (${errorMessage(err)}); BullMQ needs noeviction, check it with your provider` };
  }
  const policy = Array.isArray(reply) ? reply[1] : undefined;
  if (typeof policy !== 'string') {
    return { name, ok: true, detail: 'could not be read (CONFIG GET returned nothing); BullMQ needs noeviction, check it with your provider' };
  }
  return policy === 'noeviction'
    ? { name, ok: true, detail: 'noeviction' }
    : { name, ok: false, detail: `${policy} (BullMQ needs noeviction: Redis may evict queued jobs; set maxmemory-policy noeviction)` };
}

async function checkQueue(redis: Redis, queueName: string, prefix: string): Promise<HealthCheck> {
  return countJobs(new Queue(queueName, { connection: redis, prefix, skipMetasUpdate: true, skipVersionCheck: true }), queueName);
}

/**
 * `postgres-queue:reachable` (as the queue login), then `postgres-queue:schema` and one
 * `queue:<name>` per engine queue only when it is.
 */
export async function checkPostgresQueueHealth(queueUrl: string): Promise<HealthCheck[]> {
  const where = describePgUrl(queueUrl);
  const pool = new Pool({ connectionString: queueUrl, max: 1, connectionTimeoutMillis: TIMEOUT_MS, options: `-c search_path=${QUEUE_SCHEMA}` });
  pool.on('error', () => undefined);
  const results: HealthCheck[] = [];
  try {
    const started = Date.now();
    try {
      await withTimeout(pool.query('SELECT 1'), TIMEOUT_MS);
    } catch (err) {
      return [{ name: 'postgres-queue:reachable', ok: false, detail: `the queue login cannot connect to ${where}: ${errorMessage(err)}` }];
    }
    results.push({ name: 'postgres-queue:reachable', ok: true, detail: `${where} answered in ${Date.now() - started} ms (schema ${QUEUE_SCHEMA})` });
    try {
      const version = await withTimeout(assertSchemaCompatibility(pool, QUEUE_SCHEMA), TIMEOUT_MS);
      results.push({ name: 'postgres-queue:schema', ok: true, detail: `BullMQ schema version ${version}` });
    } catch (err) {
      results.push({ name: 'postgres-queue:schema', ok: false, detail: `${errorMessage(err)} (a start with QUEUE_BACKEND=postgres migrates it)` });
      return results;
    }
  } finally {
    await pool.end();
  }
  const backend = createPostgresQueueBackend({ url: queueUrl, poolSize: 1, applicationName: 'workflow-health' });
  try {
    for (const queueName of ALL_QUEUES) results.push(await countJobs(backend.queue(queueName), queueName));
    return results;
  } finally {
    await backend.close();
  }
}

async function countJobs(queue: EngineQueue<unknown>, queueName: string): Promise<HealthCheck> {
  const name = `queue:${queueName}`;
  let queueError: Error | undefined;
  queue.on('error', (err: Error) => {
    queueError = err;
  });
  try {
    const counts = await withTimeout(queue.getJobCounts(), TIMEOUT_MS);
    const detail = Object.entries(counts)
      .map(([state, n]) => `${state} ${n}`)
      .join(', ');
    return { name, ok: true, detail };
  } catch (err) {
    return { name, ok: false, detail: `getJobCounts failed: ${errorMessage(queueError ?? err)}` };
  } finally {
    await queue.close().catch(() => undefined);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.trim() || (err as { code?: string }).code || err.name;
  return String(err);
}
