/** The operator's cancel: an instance and, in the same transaction, its running children. */

import { ForbiddenError, NotFoundError } from '../errors/engine-errors';
import type { Actor, InstanceSummary } from '../runtime/model';
import type { EnginePorts, StoreTx } from '../runtime/ports';
import { isAdmin } from '../runtime/task-access';
import { planCancel } from '../runtime/plan-admin';
import { planAt, type PlanAt } from '../runtime/plan-at';
import { runInTenant, type Effects } from './effects';

/**
 * Cancel an instance and its running children, parent before child (the only order in which two
 * instances are ever locked together). A child's report to its parent is moot, since the parent
 * is cancelled in this same transaction: only the top instance's jobs are sent (a cancelled
 * child sub-workflow wakes its parent's node, which then fails).
 */
async function cancelTree(at: PlanAt, tx: StoreTx, effects: Effects, id: string, actor: Actor, reason: string | null, top: boolean): Promise<void> {
  const locked = await tx.lockInstance(id);
  if (!locked) throw new NotFoundError('Workflow instance', id);
  const plan = planCancel(at, locked, { actor, reason: reason ?? undefined });
  if (top) {
    await effects.write(tx, plan, locked);
  } else {
    await effects.write(tx, { ...plan, enqueue: [] }, locked);
  }
  if (reason !== null) await tx.recordCancelReason(id, reason);
  for (const child of await tx.runningChildren(id)) {
    await cancelTree(at, tx, effects, child, actor, `parent instance ${id} was cancelled`, false);
  }
}

/** Admin or the starter. */
export async function cancelInstance(ports: EnginePorts, actor: Actor, id: string, reason?: string): Promise<InstanceSummary> {
  return runInTenant(ports, actor.tenantId, async (tx, effects) => {
    const seen = await tx.visibleInstance(actor, id);
    if (!seen) throw new NotFoundError('Workflow instance', id);
    if (!isAdmin(actor) && seen.startedBy !== actor.userId) {
      throw new ForbiddenError('only an admin or the starter may cancel an instance', 'NOT_ALLOWED');
    }
    const at = planAt(ports);
    await cancelTree(at, tx, effects, id, actor, reason ?? null, true);
    const { lastHistoryHash: _head, ...summary } = seen;
    return { ...summary, status: 'cancelled', completedAt: at.now, cancelReason: reason ?? null };
  });
}
