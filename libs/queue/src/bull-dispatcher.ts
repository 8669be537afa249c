import type { JobsOptions } from 'bullmq';
import type { Dispatcher, NodeJob, SlaCheck } from '@wf/engine';
import { NODE_QUEUE, SLA_QUEUE, nodeJobId, slaJobId } from './queue-names';
import type { EngineQueue, QueueBackend } from './queue-backend';

/** What an SLA job carries: ids only, like every job. */
export interface SlaJob {
  readonly tenantId: string;
  readonly instanceId: string;
  readonly executionId: string;
}

export interface RetryPolicy {
  /** WORKFLOW_MAX_RETRIES: retries after the first attempt */
  readonly maxRetries: number;
  /** WORKFLOW_RETRY_BACKOFF_MS: first backoff, doubled each retry */
  readonly backoffMs: number;
}

export interface SlaJobPolicy {
  /**
   * Deadlines further away than this get no delayed job yet: the scheduler's SLA sweep adds it
   * when the deadline comes within range, so a task parked for days holds no Redis memory.
   */
  readonly horizonMs: number;
  /** the engine clock's time in ms (default the system's): a deadline's delay is reckoned on it */
  readonly now?: () => number;
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

/** Sends ready node executions to the workers through BullMQ, on whichever backend was chosen. */
export class BullDispatcher implements Dispatcher {
  readonly queue: EngineQueue<NodeJob>;
  readonly slaQueue: EngineQueue<SlaJob>;

  constructor(
    backend: QueueBackend,
    private readonly retry: RetryPolicy,
    onError: (err: Error) => void = () => undefined,
    private readonly sla: SlaJobPolicy = { horizonMs: Number.POSITIVE_INFINITY },
  ) {
    this.queue = backend.queue<NodeJob>(NODE_QUEUE);
    this.slaQueue = backend.queue<SlaJob>(SLA_QUEUE);
    // a queue re-emits its connection's errors; unheard, BullMQ prints each one to stderr
    this.queue.on('error', onError);
    this.slaQueue.on('error', onError);
  }

  async scheduleSlaChecks(checks: readonly SlaCheck[]): Promise<void> {
    const now = (this.sla.now ?? Date.now)();
    const soon = checks.filter((c) => c.dueAt.getTime() - now <= this.sla.horizonMs);
    if (soon.length === 0) return;
    await this.slaQueue.addBulk(
      soon.map((c) => ({
        name: 'escalate',
        data: { tenantId: c.tenantId, instanceId: c.instanceId, executionId: c.executionId },
        opts: {
          jobId: slaJobId(c),
          delay: Math.max(0, c.dueAt.getTime() - now),
          attempts: 1 + this.retry.maxRetries,
          backoff: { type: 'exponential', delay: this.retry.backoffMs },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
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
    await Promise.all([this.queue.close(), this.slaQueue.close()]);
  }
}
