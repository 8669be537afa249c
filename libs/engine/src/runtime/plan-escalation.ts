/**
 * A task past its deadline: the breach is recorded once (`sla_breached`, `slaBreachedAt`) whether
 * or not escalation is on; with escalation on it is also escalated once, visible to its escalation
 * role from then on.
 */

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
 * Null when there is nothing to do: the task was decided, its breach is already recorded, or it is
 * not yet due. Checked under the instance lock, so a breach is recorded (and a task escalated)
 * exactly once.
 */
export function planEscalation(input: EscalationInput): Plan | null {
  const { definition, instance, task, now } = input;
  if (instance.status !== 'running' || task.status !== 'waiting' || task.waitingFor !== 'task') return null;
  // a task escalated before breaches were recorded on their own has had its breach
  if (task.slaBreachedAt !== null || task.escalatedAt !== null) return null;
  if (task.slaDeadline === null || task.slaDeadline > now) return null;
  const escalate = input.escalationEnabled && definition.escalationEnabled;
  const b = new PlanBuilder(instance, now, input.newId);
  b.patch(task, { slaBreachedAt: now, ...(escalate ? { escalatedAt: now } : {}) });
  const details = { nodeId: task.nodeId, slaDeadline: task.slaDeadline.toISOString() };
  b.record({ eventType: 'sla_breached', nodeExecutionId: task.id, actorUserId: null, details });
  if (!escalate) return b.build();
  b.record({
    eventType: 'task_escalated',
    nodeExecutionId: task.id,
    actorUserId: null,
    details: { ...details, escalationRole: task.escalationRole, assignedUserId: task.assignedUserId, assignedRole: task.assignedRole },
  });
  return b.build();
}
