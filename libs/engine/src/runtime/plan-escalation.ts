/**
 * A task past its deadline: the breach is recorded once (`sla_breached`, `slaBreachedAt`) whether
 * or not escalation is on; with escalation on it is also escalated once, visible to its escalation
 * role from then on.
 */

import type { Plan } from './model';
import type { PlanAt } from './plan-at';
import { PlanBuilder } from './plan-builder';
import type { StepState } from './plan-step';

/**
 * The task (`state.execution`) at `at.now`, escalated when both `WORKFLOW_ESCALATION_ENABLED`
 * (`settings.escalationEnabled`) and the definition say so. Null when there is nothing to do: the
 * task was decided, its breach is already recorded, or it is not yet due. Checked under the
 * instance lock, so a breach is recorded (and a task escalated) exactly once.
 */
export function planEscalation(at: PlanAt<'escalationEnabled'>, state: Omit<StepState, 'open'>): Plan | null {
  const { definition, instance, execution: task } = state;
  const { now } = at;
  if (instance.status !== 'running' || task.status !== 'waiting' || task.waitingFor !== 'task') return null;
  // a task escalated before breaches were recorded on their own has had its breach
  if (task.slaBreachedAt !== null || task.escalatedAt !== null) return null;
  if (task.slaDeadline === null || task.slaDeadline > now) return null;
  const escalate = at.settings.escalationEnabled && definition.escalationEnabled;
  const b = new PlanBuilder(instance, now, at.newId);
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
