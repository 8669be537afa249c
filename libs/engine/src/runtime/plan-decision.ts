/** Deciding a task: approve, reject, delegate, complete. Pure: locked state and command in, plan out. */

import { ConflictError } from '../errors/engine-errors';
import type { Actor, ExecutionState, InstanceState, JsonObject, Plan } from './model';
import type { PlanAt } from './plan-at';
import { nodeOf } from './plan-builder';
import { finishNode, stepBuilder, type StepState } from './plan-step';

export type TaskCommand =
  | { readonly action: 'approve'; readonly comments?: string }
  | { readonly action: 'reject'; readonly comments?: string }
  | { readonly action: 'delegate'; readonly toUserId: string; readonly comments?: string }
  | { readonly action: 'complete'; readonly data: JsonObject };

/** A person's decision on a task: who, and what. */
export interface TaskDecision {
  readonly actor: Actor;
  readonly command: TaskCommand;
}

/** The state checks of a decision (409s), shared by `check` and the decision itself. */
export function assertDecidable(instance: InstanceState, task: ExecutionState, action: TaskCommand['action']): void {
  if (instance.status !== 'running' || task.status !== 'waiting') {
    throw new ConflictError(
      'TASK_NOT_WAITING',
      `task ${task.id} is ${task.status === 'waiting' ? `in a ${instance.status} instance` : task.status}: it can no longer be decided`,
    );
  }
  if (task.nodeType !== 'approval' && task.nodeType !== 'user_task') {
    throw new ConflictError('NOT_A_TASK', `node execution ${task.id} is a ${task.nodeType}, not a task`);
  }
  if (task.nodeType === 'user_task' && (action === 'approve' || action === 'reject')) {
    throw new ConflictError('WRONG_TASK_ACTION', `task ${task.id} is a user task: complete it instead of ${action === 'approve' ? 'approving' : 'rejecting'} it`);
  }
  if (task.nodeType === 'approval' && action === 'complete') {
    throw new ConflictError('WRONG_TASK_ACTION', `task ${task.id} is an approval: approve or reject it instead`);
  }
}

/** `state.execution` is the task. */
export function planDecision(at: PlanAt, state: StepState, event: TaskDecision): Plan {
  const { definition, instance, execution: task } = state;
  const { actor, command } = event;
  assertDecidable(instance, task, command.action);
  const node = nodeOf(definition, task.nodeId);
  const b = stepBuilder(at, state);

  switch (command.action) {
    case 'approve':
    case 'reject': {
      const approved = command.action === 'approve';
      b.record({
        eventType: approved ? 'task_approved' : 'task_rejected',
        nodeExecutionId: task.id,
        actorUserId: actor.userId,
        details: { nodeId: node.id, comments: command.comments ?? null },
      });
      finishNode(b, definition, node, task, approved ? 'completed' : 'rejected', {
        decision: approved ? 'approved' : 'rejected',
        decidedBy: actor.userId,
        comments: command.comments ?? null,
      }, actor.userId);
      break;
    }
    case 'complete': {
      b.record({ eventType: 'task_completed', nodeExecutionId: task.id, actorUserId: actor.userId, details: { nodeId: node.id } });
      b.mergeContext(command.data, 'request');
      finishNode(b, definition, node, task, 'completed', { decision: 'completed', decidedBy: actor.userId, output: command.data }, actor.userId);
      break;
    }
    case 'delegate': {
      const previous = task.assignedUserId;
      // whoever held it keeps sight of the instance
      const holder = previous ?? actor.userId;
      b.patch(task, {
        assignedUserId: command.toUserId,
        previousAssignees: task.previousAssignees.includes(holder) ? task.previousAssignees : [...task.previousAssignees, holder],
        comments: command.comments ?? task.comments,
      });
      b.record({
        eventType: 'task_delegated',
        nodeExecutionId: task.id,
        actorUserId: actor.userId,
        details: { nodeId: node.id, fromUserId: previous, fromRole: previous ? null : task.assignedRole, toUserId: command.toUserId, comments: command.comments ?? null },
      });
      break;
    }
  }
  return b.build();
}
