/**
 * BullMQ job counts of the engine's queues, on whichever backend the run uses: the run is drained
 * when nothing is waiting, active, delayed or prioritised any more. Every count opens its own
 * short-lived connection, so a Redis or Postgres restarted in between costs nothing but that count.
 */

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ALL_QUEUES, createPostgresQueueBackend, type EngineQueue } from '@wf/queue';

export interface QueueCounts {
  readonly [queue: string]: { waiting: number; active: number; delayed: number; other: number };
}

/** Where the engine's queues are: its Redis and key prefix, or the database of BullMQ's PostgreSQL backend. */
export type QueueLocation = { readonly kind: 'redis'; readonly url: string; readonly prefix: string } | { readonly kind: 'postgres'; readonly url: string };

export function describeLocation(where: QueueLocation): string {
  return where.kind === 'redis' ? `Redis ${where.url} (prefix ${where.prefix})` : "PostgreSQL (BullMQ's postgres backend, schema bullmq)";
}

export async function queueCounts(where: QueueLocation): Promise<QueueCounts> {
  return where.kind === 'redis' ? redisQueueCounts(where.url, where.prefix) : postgresQueueCounts(where.url);
}

async function redisQueueCounts(redisUrl: string, prefix: string): Promise<QueueCounts> {
  const connection = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy: () => null });
  connection.on('error', () => undefined);
  await connection.connect();
  const queues = ALL_QUEUES.map((name) => new Queue(name, { connection, prefix, skipMetasUpdate: true }));
  try {
    return await countAll(queues);
  } finally {
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    connection.disconnect();
  }
}

/** `url`: a login that may read the `bullmq` schema (the chaos suite's superuser). */
async function postgresQueueCounts(url: string): Promise<QueueCounts> {
  const backend = createPostgresQueueBackend({ url, poolSize: 1, applicationName: 'chaos-queue-probe', onError: () => undefined });
  const queues = ALL_QUEUES.map((name) => backend.queue<unknown>(name));
  for (const q of queues) q.on('error', () => undefined);
  try {
    return await countAll(queues);
  } finally {
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    await backend.close().catch(() => undefined);
  }
}

async function countAll(queues: readonly EngineQueue<unknown>[]): Promise<QueueCounts> {
  const counts: Record<string, { waiting: number; active: number; delayed: number; other: number }> = {};
  for (const q of queues) {
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    counts[q.name] = {
      waiting: c['waiting'] ?? 0,
      active: c['active'] ?? 0,
      delayed: c['delayed'] ?? 0,
      other: (c['prioritized'] ?? 0) + (c['waiting-children'] ?? 0),
    };
  }
  return counts;
}

/** waiting + active + delayed (+ prioritised, waiting-children, paused) over every queue */
export function pendingJobs(counts: QueueCounts): number {
  return Object.values(counts).reduce((s, c) => s + c.waiting + c.active + c.delayed + c.other, 0);
}

export function describeCounts(counts: QueueCounts): string {
  return Object.entries(counts)
    .map(([name, c]) => `${name} waiting ${c.waiting} active ${c.active} delayed ${c.delayed}${c.other ? ` other ${c.other}` : ''}`)
    .join('; ');
}
