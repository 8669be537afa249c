import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { EngineError, type NodeJob } from '@wf/engine';
import { NODE_QUEUE, SLA_QUEUE } from './queue-names';
import type { SlaJob } from './bull-dispatcher';

export interface NodeWorkerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  readonly concurrency: number;
  /** ms a job stays locked without renewal before another worker may take it (default 10000) */
  readonly lockDurationMs?: number;
}

/**
 * A BullMQ worker over the node-execution queue. The handler's typed errors decide retrying:
 * an engine error that retrying cannot fix becomes UnrecoverableError (no further attempts).
 */
export interface Delivery {
  /** 1 for the first attempt */
  readonly attempt: number;
  /** BullMQ will not retry after this attempt */
  readonly finalAttempt: boolean;
}

export function createNodeWorker(handle: (job: NodeJob, delivery: Delivery) => Promise<void>, opts: NodeWorkerOptions): Worker<NodeJob> {
  return new Worker<NodeJob>(
    NODE_QUEUE,
    async (job: Job<NodeJob>) => {
      try {
        const attempt = job.attemptsMade + 1;
        await handle(job.data, { attempt, finalAttempt: attempt >= (job.opts.attempts ?? 1) });
      } catch (err) {
        if (err instanceof EngineError && !err.retryable) throw new UnrecoverableError(`${err.code}: ${err.message}`);
        throw err;
      }
    },
    {
      connection: opts.connection,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      lockDuration: opts.lockDurationMs ?? 10_000,
      // A dead worker's job is found stalled within half a lock duration after its lock expires.
      stalledInterval: Math.max(500, Math.floor((opts.lockDurationMs ?? 10_000) / 2)),
      // a job re-delivered after stalls is harmless (steps are idempotent); failing it would only
      // leave the work to the reconciliation sweep
      maxStalledCount: 5,
    },
  );
}

/** A worker over the SLA queue: each job is a deadline to check. */
export function createSlaWorker(handle: (job: SlaJob) => Promise<void>, opts: NodeWorkerOptions): Worker<SlaJob> {
  return new Worker<SlaJob>(SLA_QUEUE, async (job: Job<SlaJob>) => handle(job.data), {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockDuration: opts.lockDurationMs ?? 10_000,
  });
}
