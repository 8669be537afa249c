/** The worker role: pulls node jobs from BullMQ and runs them through the engine. */

import { escalateTask, executeNode, type ExecuteResult, type NodeJob } from '@wf/engine';
import { createNodeWorker, createRedisConnection, createSlaWorker, type Delivery } from '@wf/queue';
import type { EngineRuntime } from '../engine-runtime';
import type { EngineMetrics } from '../metrics/engine-metrics';


/** Steps one job runs in a row before the rest go back through the queue (fairness between instances). */
export const MAX_CHAINED_STEPS = 20;

export interface RunningRole {
  readonly name: string;
  /** stop taking work, finish what is in flight, release connections */
  close(): Promise<void>;
}

/**
 * Start the node and SLA workers. With `metrics`, every `executeNode` call is timed
 * (`workflow_step_duration_seconds`) and every failed attempt counted (`workflow_step_failures_total`).
 */
export function startWorkerRole(rt: EngineRuntime, metrics: EngineMetrics | undefined = rt.metrics): RunningRole {
  const log = rt.log.child({ role: 'worker' });
  const connection = createRedisConnection(rt.config.redisUrl, 'worker');
  connection.on('error', (err) => log.warn({ err: err.message }, 'worker redis connection error'));
  const step = async (job: NodeJob, delivery: Delivery, continueInProcess: boolean): Promise<ExecuteResult> => {
    const started = performance.now();
    let result: ExecuteResult;
    try {
      result = await executeNode(rt.ports, job, { ...delivery, continueInProcess });
    } catch (err) {
      // the job carries ids only: a step that throws has no plan to name its node type
      metrics?.observeStep('unknown', 'error', (performance.now() - started) / 1000);
      metrics?.countFailure('unknown', errorCode(err));
      throw err;
    }
    if (metrics) recordStep(metrics, job, result, (performance.now() - started) / 1000);
    log.debug({ ...job, outcome: result.outcome, reason: result.reason }, 'node job done');
    return result;
  };
  const worker = createNodeWorker(
    async (job, delivery) => {
      // A step that readies a next step needing no I/O (a gateway, set_context, parking a task)
      // runs it in this job rather than through Redis: a BullMQ round trip saved per step. The
      // job is first re-pointed at that step, so a crash mid-chain redelivers it after the lock;
      // a crash in the instant between commit and re-pointing leaves it to reconciliation, as a
      // crash between commit and enqueue does.
      let result = await step(job, delivery, true);
      for (let chained = 1; result.next; chained += 1) {
        const next = result.next;
        await delivery.carryOn(next);
        result = await step(next, delivery, chained < MAX_CHAINED_STEPS);
      }
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

/**
 * The step's node type comes from its plan's `node_started` event (gateways, pure service tasks,
 * tasks being parked, claims, sub-workflow starts); 'unknown' where the plan does not name it
 * (no-ops, service completions, child results). A plan that fails the node is outcome `failed`.
 */
function recordStep(metrics: EngineMetrics, job: NodeJob, result: ExecuteResult, seconds: number): void {
  const own = result.plan?.history.filter((e) => e.nodeExecutionId === job.executionId) ?? [];
  const nodeType = own.find((e) => e.eventType === 'node_started')?.details['nodeType'];
  const label = typeof nodeType === 'string' ? nodeType : 'unknown';
  const failed = own.find((e) => e.eventType === 'node_failed');
  metrics.observeStep(label, failed ? 'failed' : result.outcome, seconds);
  if (failed) metrics.countFailure(label, errorCode(failed.details['error']));
}

/** Errors are read by their `code` field, never by class (they may have crossed a process). */
function errorCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code !== '' ? code : 'INTERNAL';
}
