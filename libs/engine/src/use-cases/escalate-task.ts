/** The use case run at a task's deadline, from its delayed job or the scheduler's sweep. */

import type { EnginePorts } from '../runtime/ports';
import { planEscalation } from '../runtime/plan-escalation';
import { planAt } from '../runtime/plan-at';
import { runInTenant } from './effects';
import { definitionOf } from './load-step';

/**
 * Record the breach of a task whose deadline passed, escalating it where escalation is on. True
 * when it did either; a check that finds the task decided, or already breached, does nothing.
 */
export async function escalateTask(ports: EnginePorts, check: { tenantId: string; instanceId: string; executionId: string }): Promise<boolean> {
  return runInTenant(ports, check.tenantId, async (tx, effects) => {
    const snap = await tx.lockStep(check.instanceId, check.executionId);
    if (!snap) return false;
    const def = await definitionOf(tx, snap.instance.definitionId);
    const plan = planEscalation(planAt(ports), { definition: def.compiled, instance: snap.instance, execution: snap.execution });
    if (!plan) return false;
    await effects.write(tx, plan, snap.instance);
    effects.emit({
      type: 'task_escalated',
      tenantId: check.tenantId,
      instanceId: check.instanceId,
      executionId: check.executionId,
      escalated: plan.history.some((h) => h.eventType === 'task_escalated'),
    });
    return true;
  });
}
