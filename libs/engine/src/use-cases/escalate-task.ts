/** The use case run when a wait's timer is due (a deadline, a reminder, a ladder level, a timeout, a timer node), from its delayed job or the scheduler's sweep. */

import type { EnginePorts } from '../runtime/ports';
import { planEscalation } from '../runtime/plan-escalation';
import { planAt } from '../runtime/plan-at';
import { runInTenant } from './effects';
import { calendarsFor, definitionOf } from './load-step';

/**
 * Fire what is due of a wait: record the breach of a task whose deadline passed (escalating it
 * where escalation is on), its reminders and ladder levels, its timeout; fire a timer node. True
 * when anything fired; a check that finds nothing due (decided, already fired, early) does nothing.
 */
export async function escalateTask(ports: EnginePorts, check: { tenantId: string; instanceId: string; executionId: string }): Promise<boolean> {
  return runInTenant(ports, check.tenantId, async (tx, effects) => {
    const snap = await tx.lockStep(check.instanceId, check.executionId);
    if (!snap) return false;
    const def = await definitionOf(tx, snap.instance.definitionId);
    const calendars = await calendarsFor(tx, def.compiled);
    const plan = planEscalation(planAt(ports), { definition: def.compiled, instance: snap.instance, execution: snap.execution, ...(calendars ? { calendars } : {}) });
    if (!plan) return false;
    await effects.write(tx, plan, snap.instance);
    if (plan.history.some((h) => h.eventType === 'sla_breached' || h.eventType === 'task_escalated')) {
      effects.emit({
        type: 'task_escalated',
        tenantId: check.tenantId,
        instanceId: check.instanceId,
        executionId: check.executionId,
        escalated: plan.history.some((h) => h.eventType === 'task_escalated'),
      });
    }
    // a timer that fired or a timeout that left its node readied the steps after it: they go to the queue
    return true;
  });
}
