/** Operator actions on a whole instance: cancel and retry. */

import { ConflictError } from '../errors/engine-errors';
import type { Actor, ExecutionState, InstanceState, Plan } from './model';
import type { PlanAt } from './plan-at';
import { PlanBuilder } from './plan-builder';

/** An operator's cancel: who, and why (kept in the history). */
export interface CancelCommand {
  readonly actor: Actor;
  readonly reason?: string;
}

/** A failed instance with the executions its failure left: the failed ones, and the ones it closed. */
export interface FailedInstanceState {
  readonly instance: InstanceState;
  readonly failed: readonly ExecutionState[];
  /** the instance's cancelled executions; those the failure closed (`closedByFailureFrom`) come back */
  readonly closedByFailure: readonly ExecutionState[];
}

/** Close the instance, its open tasks and its pending executions. */
export function planCancel(at: PlanAt, instance: InstanceState, event: CancelCommand): Plan {
  const { actor, reason } = event;
  if (instance.status !== 'running') {
    throw new ConflictError('INSTANCE_NOT_RUNNING', `instance ${instance.id} is ${instance.status}: only a running instance can be cancelled`);
  }
  const b = new PlanBuilder(instance, at.now, at.newId);
  b.end('cancelled', { eventType: 'instance_cancelled', nodeExecutionId: null, actorUserId: actor.userId, details: { reason: reason ?? null } });
  return b.build();
}

/**
 * Re-run the failed executions of a failed instance: each goes back to `ready` under a new
 * generation (so its job id is new) and the instance to `running`. Every execution the failure
 * closed comes back as it was: a waiting task returns to its queue (with its deadline watched
 * again), a waiting join or sub-workflow waits again, a step that was ready or running runs again.
 * Without this, a retry of one branch let a join fire past an approval nobody gave.
 */
export function planRetry(at: PlanAt, state: FailedInstanceState, event: { readonly actor: Actor }): Plan {
  const { instance, failed, closedByFailure } = state;
  const { actor } = event;
  if (instance.status !== 'failed') {
    throw new ConflictError('INSTANCE_NOT_FAILED', `instance ${instance.id} is ${instance.status}: only a failed instance can be retried`);
  }
  if (failed.length === 0) {
    throw new ConflictError('NOTHING_TO_RETRY', `instance ${instance.id} has no failed node execution to retry`);
  }
  const b = new PlanBuilder(instance, at.now, at.newId);
  b.reopen();
  for (const e of failed) {
    b.retryExecution(e);
  }
  const restored = closedByFailure.filter((e) => e.status === 'cancelled' && e.closedByFailureFrom !== null);
  for (const e of restored) {
    b.restoreClosedByFailure(e);
  }
  b.record({
    eventType: 'instance_retried',
    nodeExecutionId: null,
    actorUserId: actor.userId,
    details: { executionIds: failed.map((e) => e.id), restoredExecutionIds: restored.map((e) => e.id) },
  });
  return b.build();
}
