import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Dispatcher, NodeJob } from '@wf/engine';
import { NODE_QUEUE, nodeJobId } from './queue-names';

export interface RetryPolicy {
  /** WORKFLOW_MAX_RETRIES: retries after the first attempt */
  readonly maxRetries: number;
  /** WORKFLOW_RETRY_BACKOFF_MS: first backoff, doubled each retry */
  readonly backoffMs: number;
}

/** Job options every node job carries: BullMQ owns retries and backoff. */
export function nodeJobOptions(job: NodeJob, retry: RetryPolicy): JobsOptions {
  return {
    jobId: nodeJobId(job),
    attempts: 1 + retry.maxRetries,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    // finished jobs go, so a later enqueue of the same id is never swallowed by an old one
    removeOnComplete: true,
    removeOnFail: true,
  };
}

/** Sends ready node executions to the workers through BullMQ. */
export class BullDispatcher implements Dispatcher {
  readonly queue: Queue<NodeJob>;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly retry: RetryPolicy,
  ) {
    this.queue = new Queue<NodeJob>(NODE_QUEUE, { connection, prefix });
  }

  async dispatch(jobs: readonly NodeJob[]): Promise<void> {
    if (jobs.length === 0) return;
    if (jobs.length === 1) {
      const job = jobs[0] as NodeJob;
      await this.queue.add('execute', job, nodeJobOptions(job, this.retry));
      return;
    }
    await this.queue.addBulk(jobs.map((job) => ({ name: 'execute', data: job, opts: nodeJobOptions(job, this.retry) })));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
