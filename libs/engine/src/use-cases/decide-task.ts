/** The decision use cases: approve, reject, delegate and complete a task. */

import { ForbiddenError, NotFoundError } from '../errors/engine-errors';
import type { Actor, Plan } from '../runtime/model';
import type { EnginePorts, StoreTx } from '../runtime/ports';
import { assertDecidable, planDecision, type TaskCommand } from '../runtime/plan-decision';
import { taskAccess } from '../runtime/task-access';
import { planAt } from '../runtime/plan-at';
import { runInTenant } from './effects';
import { definitionOf, openExecutionsFor } from './load-step';

async function lockActionableTask(tx: StoreTx, actor: Actor, taskId: string, action: TaskCommand['action']) {
  const snap = await tx.lockTask(taskId);
  if (!snap) throw new NotFoundError('Task', taskId);
  const holds = taskAccess(actor, snap.execution, false) === 'act';
  const access = holds ? 'act' : taskAccess(actor, snap.execution, await tx.participates(snap.instance.id, actor));
  if (access === 'none') throw new NotFoundError('Task', taskId);
  if (access === 'see') throw new ForbiddenError(`task ${taskId} is not assigned to you`, 'NOT_TASK_ASSIGNEE');
  assertDecidable(snap.instance, snap.execution, action);
  return snap;
}

/** The checks a decision makes before reading its body: 404, 403, 409. */
export async function checkTask(ports: Pick<EnginePorts, 'store'>, actor: Actor, taskId: string, action: TaskCommand['action']): Promise<void> {
  await ports.store.inTenant(actor.tenantId, (tx) => lockActionableTask(tx, actor, taskId, action));
}

/**
 * Decide a task. Concurrent decisions serialise on the instance lock; all but the first find the
 * task no longer `waiting` (409). Completing a user task checks its data against the node's form.
 */
export async function decideTask(ports: EnginePorts, actor: Actor, taskId: string, command: TaskCommand): Promise<{ instanceId: string; plan: Plan }> {
  return runInTenant(ports, actor.tenantId, async (tx, effects) => {
    const snap = await lockActionableTask(tx, actor, taskId, command.action);
    const def = await definitionOf(tx, snap.instance.definitionId);
    if (command.action === 'complete') {
      const node = def.compiled.nodes.get(snap.execution.nodeId);
      const formSchema = node?.nodeType === 'user_task' ? node.formSchema : null;
      ports.schemas.validateForm({ definitionId: def.id, nodeId: snap.execution.nodeId }, formSchema, command.data);
    }
    const open = await openExecutionsFor(tx, def.compiled, snap.instance.id);
    const plan = planDecision(
      planAt(ports),
      { definition: def.compiled, instance: snap.instance, execution: snap.execution, ...(open ? { open } : {}) },
      { actor, command },
    );
    await effects.write(tx, plan, snap.instance);
    effects.emit({ type: 'task_decided', tenantId: actor.tenantId, instanceId: snap.instance.id, taskId, action: command.action, actorUserId: actor.userId });
    return { instanceId: snap.instance.id, plan };
  });
}
