import type { Dispatcher, NodeJob, SlaCheck } from '@wf/engine';
import type { Logger } from './logger';

/**
 * Dispatch runs after commit, so its failure must not turn a committed change into an error
 * answer. Nothing is lost: the executions are `ready` in Postgres and the scheduler's
 * reconciliation re-dispatches the ones that waited too long.
 */
export class AfterCommitDispatcher implements Dispatcher {
  constructor(
    private readonly inner: Dispatcher,
    private readonly log: Logger,
  ) {}

  async dispatch(jobs: readonly NodeJob[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await this.inner.dispatch(jobs);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, jobs: jobs.length }, 'dispatch failed after commit; reconciliation will re-dispatch');
    }
  }

  async scheduleSlaChecks(checks: readonly SlaCheck[]): Promise<void> {
    if (checks.length === 0) return;
    try {
      await this.inner.scheduleSlaChecks(checks);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, checks: checks.length }, 'scheduling SLA checks failed; the SLA sweep will catch the deadlines');
    }
  }
}
