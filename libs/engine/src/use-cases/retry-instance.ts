/** The operator's retry of a failed instance. */

import { ForbiddenError, NotFoundError } from '../errors/engine-errors';
import type { Actor, InstanceSummary } from '../runtime/model';
import type { EnginePorts } from '../runtime/ports';
import { isAdmin } from '../runtime/task-access';
import { planRetry } from '../runtime/plan-admin';
import { planAt } from '../runtime/plan-at';
import { runInTenant } from './effects';

/** Admin only: the failed executions run again, and what the failure closed comes back. */
export async function retryInstance(ports: EnginePorts, actor: Actor, id: string): Promise<InstanceSummary> {
  return runInTenant(ports, actor.tenantId, async (tx, effects) => {
    const seen = await tx.visibleInstance(actor, id);
    if (!seen) throw new NotFoundError('Workflow instance', id);
    if (!isAdmin(actor)) throw new ForbiddenError('only an admin may retry an instance', 'ADMIN_REQUIRED');
    const locked = await tx.lockInstance(id);
    if (!locked) throw new NotFoundError('Workflow instance', id);
    const failed = await tx.executionsWithStatus(id, 'failed');
    const closed = await tx.executionsWithStatus(id, 'cancelled');
    await effects.write(tx, planRetry(planAt(ports), { instance: locked, failed, closedByFailure: closed }, { actor }), locked);
    const { lastHistoryHash: _head, ...summary } = seen;
    return { ...summary, status: 'running', completedAt: null };
  });
}
