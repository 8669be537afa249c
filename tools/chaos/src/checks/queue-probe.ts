/**
 * BullMQ job counts of the engine's queues: the run is drained when nothing is waiting, active,
 * delayed or prioritised any more.
 */

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ALL_QUEUES } from '@wf/queue';

export interface QueueCounts {
  readonly [queue: string]: { waiting: number; active: number; delayed: number; other: number };
}

export async function queueCounts(redisUrl: string, prefix: string): Promise<QueueCounts> {
  const connection = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000, retryStrategy: () => null });
  connection.on('error', () => undefined);
  await connection.connect();
  const queues = ALL_QUEUES.map((name) => new Queue(name, { connection, prefix, skipMetasUpdate: true }));
  try {
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
  } finally {
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
    connection.disconnect();
  }
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
