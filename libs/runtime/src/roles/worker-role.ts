/** The worker role: pulls node jobs from BullMQ and runs them through the engine. */

import { escalateTask, executeNode, type ExecuteResult, type NodeJob, type Plan } from '@wf/engine';
import { createNodeWorker, createSlaWorker } from '@wf/queue';
import type { EngineRuntime } from '../engine-runtime';
import type { EngineMetrics } from '../metrics/engine-metrics';


/**
 * Steps one transaction may write: a step that readies steps without I/O (a gateway, `set_context`,
 * parking a task) runs them inline, in its own transaction, and what is left past this many goes back
 * through the queue (fairness between instances, bounded lock time).
 */
export const MAX_INLINE_STEPS = 20;

export interface RunningRole {
  readonly name: string;
  /** stop taking work, finish what is in flight, release connections */
  close(): Promise<void>;
}

/**
 * Start the node and SLA workers. With `metrics`, every `executeNode` call is timed
 * (`workflow_step_duration_seconds`) and every failed attempt counted (`workflow_step_failures_total`).
 *
 * Each tenant may hold `WORKER_TENANT_CONCURRENCY` of the worker's `WORKER_CONCURRENCY` slots; a job
 * over that share is deferred before it touches the database, and counted in
 * `workflow_steps_deferred_total{reason="tenant_share"}`. Every node job counts, pure steps too:
 * the job carries ids only, so whether the step does I/O is known only once the execution is
 * loaded, and a pure step holds its slot for milliseconds, so it rarely meets a full share.
 */
export function startWorkerRole(rt: EngineRuntime, metrics: EngineMetrics | undefined = rt.metrics): RunningRole {
  const log = rt.log.child({ role: 'worker' });
  const backend = rt.queueBackend;
  const worker = createNodeWorker(
    async (job, delivery) => {
      const started = performance.now();
      let result: ExecuteResult;
      try {
        result = await executeNode(rt.ports, job, { ...delivery, maxInlineSteps: MAX_INLINE_STEPS });
      } catch (err) {
        // the job carries ids only: a step that throws has no plan to name its node type
        metrics?.observeStep('unknown', 'error', (performance.now() - started) / 1000);
        metrics?.countFailure('unknown', errorCode(err));
        throw err;
      }
      if (metrics) {
        // the steps of one call share its time
        const inlineSteps = result.inlineSteps ?? [];
        const seconds = (performance.now() - started) / 1000 / (1 + inlineSteps.length);
        recordStep(metrics, job, result.outcome, result.plan, seconds);
        for (const s of inlineSteps) recordStep(metrics, s.job, 'plan', s.plan, seconds);
      }
      log.debug({ ...job, outcome: result.outcome, reason: result.reason, inlineSteps: result.inlineSteps?.length ?? 0 }, 'node job done');
    },
    {
      backend,
      concurrency: rt.config.workerConcurrency,
      lockDurationMs: rt.config.workerLockDurationMs,
      tenantConcurrency: rt.config.workerTenantConcurrency,
      onDeferred: (job, delayMs) => {
        metrics?.countDeferral('tenant_share');
        log.debug({ ...job, delayMs }, 'node job deferred: its tenant holds its share of the worker');
      },
      onDeferFailed: (job, err) => log.warn({ ...job, err: err.message }, 'node job could not be deferred; running it over its tenant share'),
    },
  );
  const slaWorker = createSlaWorker(
    async (check) => {
      if (await escalateTask(rt.ports, check)) log.info({ ...check }, 'task deadline breached');
    },
    { backend, concurrency: 2, lockDurationMs: rt.config.workerLockDurationMs },
  );
  slaWorker.on('error', (err) => log.error({ err: err.message }, 'sla worker error'));
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, ...job?.data, attempts: job?.attemptsMade, err: err.message }, 'node job failed'));
  worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));
  log.info({ concurrency: rt.config.workerConcurrency, tenantConcurrency: rt.config.workerTenantConcurrency }, 'worker started');
  return {
    name: 'worker',
    async close() {
      // With the queue backend gone a graceful close waits on it for ever (BullMQ has to move the
      // jobs in hand); force it instead. Jobs in hand were never acknowledged: the backend
      // redelivers them once they are stalled, and every step is idempotent, so forcing loses nothing.
      const force = !backend.connected();
      if (force) log.warn({ queue: backend.where }, 'the queue backend is not connected: closing the workers without waiting for jobs in hand');
      await Promise.all([worker.close(force), slaWorker.close(force)]);
      log.info('worker stopped');
    },
  };
}

/**
 * The step's node type comes from its plan's `node_started` event (gateways, pure service tasks,
 * tasks being parked, claims, sub-workflow starts); 'unknown' where the plan does not name it
 * (no-ops, service completions, child results). A plan that fails the node is outcome `failed`.
 */
function recordStep(metrics: EngineMetrics, job: NodeJob, outcome: ExecuteResult['outcome'], plan: Plan | undefined, seconds: number): void {
  const own = plan?.history.filter((e) => e.nodeExecutionId === job.executionId) ?? [];
  const nodeType = own.find((e) => e.eventType === 'node_started')?.details['nodeType'];
  const label = typeof nodeType === 'string' ? nodeType : 'unknown';
  const failed = own.find((e) => e.eventType === 'node_failed');
  metrics.observeStep(label, failed ? 'failed' : outcome, seconds);
  if (failed) metrics.countFailure(label, errorCode(failed.details['error']));
}

/** Errors are read by their `code` field, never by class (they may have crossed a process). */
function errorCode(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code !== '' ? code : 'INTERNAL';
}
