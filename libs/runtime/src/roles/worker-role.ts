/** The worker role: pulls node jobs from BullMQ and runs them through the engine. */

import { escalateTask, executeNode } from '@wf/engine';
import { createNodeWorker, createRedisConnection, createSlaWorker } from '@wf/queue';
import type { EngineRuntime } from '../engine-runtime';

export interface RunningRole {
  readonly name: string;
  /** stop taking work, finish what is in flight, release connections */
  close(): Promise<void>;
}

export function startWorkerRole(rt: EngineRuntime): RunningRole {
  const log = rt.log.child({ role: 'worker' });
  const connection = createRedisConnection(rt.config.redisUrl, 'worker');
  connection.on('error', (err) => log.warn({ err: err.message }, 'worker redis connection error'));
  const worker = createNodeWorker(
    async (job, delivery) => {
      const result = await executeNode(rt.ports, job, delivery);
      log.debug({ ...job, outcome: result.outcome, reason: result.reason }, 'node job done');
    },
    { connection, prefix: rt.config.queuePrefix, concurrency: rt.config.workerConcurrency, lockDurationMs: rt.config.workerLockDurationMs },
  );
  const slaWorker = createSlaWorker(
    async (check) => {
      if (await escalateTask(rt.ports, check)) log.info({ ...check }, 'task escalated');
    },
    { connection, prefix: rt.config.queuePrefix, concurrency: 2, lockDurationMs: rt.config.workerLockDurationMs },
  );
  slaWorker.on('error', (err) => log.error({ err: err.message }, 'sla worker error'));
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, ...job?.data, attempts: job?.attemptsMade, err: err.message }, 'node job failed'));
  worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));
  log.info({ concurrency: rt.config.workerConcurrency }, 'worker started');
  return {
    name: 'worker',
    async close() {
      await Promise.all([worker.close(), slaWorker.close()]);
      connection.disconnect();
      log.info('worker stopped');
    },
  };
}
