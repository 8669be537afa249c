/** A task past its deadline: escalated once, visible to its escalation role from then on. */

import type { CompiledDefinition } from '../definition/definition.types';
import type { ExecutionState, InstanceState, Plan } from './model';
import { PlanBuilder } from './plan-builder';

export interface EscalationInput {
  readonly definition: CompiledDefinition;
  readonly instance: InstanceState;
  readonly task: ExecutionState;
  readonly now: Date;
  readonly newId: () => string;
  /** WORKFLOW_ESCALATION_ENABLED */
  readonly escalationEnabled: boolean;
}

/**
 * Null when there is nothing to do: the task was decided, is already escalated, is not yet due,
 * or escalation is off. Checked under the instance lock, so a task is escalated exactly once.
 */
export function planEscalation(input: EscalationInput): Plan | null {
  const { definition, instance, task, now } = input;
  if (!input.escalationEnabled || !definition.escalationEnabled) return null;
  if (instance.status !== 'running' || task.status !== 'waiting' || task.waitingFor !== 'task') return null;
  if (task.escalatedAt !== null || task.slaDeadline === null || task.slaDeadline > now) return null;
  const b = new PlanBuilder(instance, now, input.newId);
  b.patch(task, { escalatedAt: now });
  const details = { nodeId: task.nodeId, slaDeadline: task.slaDeadline.toISOString() };
  b.record({ eventType: 'sla_breached', nodeExecutionId: task.id, actorUserId: null, details });
  b.record({
    eventType: 'task_escalated',
    nodeExecutionId: task.id,
    actorUserId: null,
    details: { ...details, escalationRole: task.escalationRole, assignedUserId: task.assignedUserId, assignedRole: task.assignedRole },
  });
  return b.build();
}
