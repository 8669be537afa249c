import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { EngineError, type NodeJob } from '@wf/engine';
import { NODE_QUEUE, SLA_QUEUE, nodeJobOf } from './queue-names';
import type { SlaJob } from './bull-dispatcher';
import { TenantAdmission } from './tenant-admission';
import type { EngineWorker, QueueBackend } from './queue-backend';

export interface NodeWorkerOptions {
  readonly backend: QueueBackend;
  readonly concurrency: number;
  /** WORKER_LOCK_DURATION_MS: ms a job stays locked without renewal before another worker may take it */
  readonly lockDurationMs: number;
  /**
   * WORKER_TENANT_CONCURRENCY: node jobs one tenant may run at once in this worker. A job of a
   * tenant already at its share is deferred (moved to BullMQ's delayed set for 100 ms, doubling
   * per deferral up to 2 s) without running and without using up an attempt. Default
   * `concurrency`: no tenant is ever deferred.
   */
  readonly tenantConcurrency?: number;
  /** told of each deferred job and the delay it got (for metrics and logs) */
  readonly onDeferred?: (job: NodeJob, delayMs: number) => void;
  /** told when a job could not be deferred (the backend refused the move); the job then runs at once */
  readonly onDeferFailed?: (job: NodeJob, err: Error) => void;
}

export interface Delivery {
  /** 1 for the first attempt */
  readonly attempt: number;
  /** BullMQ will not retry after this attempt */
  readonly finalAttempt: boolean;
}

/**
 * A BullMQ worker over the node-execution queue. The handler's typed errors decide retrying:
 * an engine error that retrying cannot fix becomes UnrecoverableError (no further attempts).
 * Each tenant gets at most `tenantConcurrency` of its `concurrency` slots; its jobs over that are
 * deferred, so the other tenants' jobs find a free slot however slow this tenant's steps are.
 */
export function createNodeWorker(handle: (job: NodeJob, delivery: Delivery) => Promise<void>, opts: NodeWorkerOptions): EngineWorker<NodeJob> {
  const admission = new TenantAdmission({ share: Math.min(opts.tenantConcurrency ?? opts.concurrency, opts.concurrency) });
  const run = async (job: Job<NodeJob>): Promise<void> => {
    try {
      const attempt = job.attemptsMade + 1;
      await handle(nodeJobOf(job.data), { attempt, finalAttempt: attempt >= (job.opts.attempts ?? 1) });
    } catch (err) {
      if (err instanceof EngineError && !err.retryable) throw new UnrecoverableError(`${err.code}: ${err.message}`);
      throw err;
    } finally {
      admission.leave(job.data.tenantId);
    }
  };
  return opts.backend.worker<NodeJob>(
    NODE_QUEUE,
    async (job: Job<NodeJob>, token?: string) => {
      const tenantId = job.data.tenantId;
      // Admission comes first, before any database work: a deferred job has claimed nothing
      // (no lock, no lease), so it is the same wake-up call when it comes back.
      if (admission.tryEnter(tenantId)) return run(job);
      // every start but the first that was not a failed attempt was a deferral (or a stall)
      const delayMs = admission.delayMs(job.attemptsStarted - job.attemptsMade - 1);
      try {
        if (token === undefined) throw new Error('BullMQ gave the processor no lock token');
        // skips the attempt counter; the job keeps its id, so a re-dispatch of the same
        // execution (the reconciliation sweep) still finds it and adds nothing
        await job.moveToDelayed(Date.now() + delayMs, token);
      } catch (err) {
        // deferring is an optimisation: a job that cannot be put back runs now, over the share
        opts.onDeferFailed?.(job.data, err as Error);
        admission.enter(tenantId);
        return run(job);
      }
      opts.onDeferred?.(job.data, delayMs);
      // tells BullMQ the job was moved on purpose: not a failure, no retry, no `failed` event
      throw new DelayedError();
    },
    {
      concurrency: opts.concurrency,
      lockDuration: opts.lockDurationMs,
      // A dead worker's job is found stalled within half a lock duration after its lock expires.
      stalledInterval: Math.max(500, Math.floor(opts.lockDurationMs / 2)),
      // a job re-delivered after stalls is harmless (steps are idempotent); failing it would only
      // leave the work to the reconciliation sweep
      maxStalledCount: 5,
    },
  );
}

/** A worker over the SLA queue: each job is a wait's timer to check (a deadline, a reminder, a timer node). */
export function createSlaWorker(handle: (job: SlaJob) => Promise<void>, opts: NodeWorkerOptions): EngineWorker<SlaJob> {
  return opts.backend.worker<SlaJob>(SLA_QUEUE, async (job: Job<SlaJob>) => handle(job.data), {
    concurrency: opts.concurrency,
    lockDuration: opts.lockDurationMs,
    // as for steps: a dead worker's check is found within half a lock duration (BullMQ's default
    // of 30 s held a killed worker's timers back a minute), and re-running one is harmless
    stalledInterval: Math.max(500, Math.floor(opts.lockDurationMs / 2)),
    maxStalledCount: 5,
  });
}
