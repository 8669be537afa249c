/** Reading one task for whoever may see it: the task, its node, and what the reader may do with it. */

import { NotFoundError } from '../errors/engine-errors';
import type { ApprovalNode, UserTaskNode } from '../definition/definition.types';
import type { Actor } from '../runtime/model';
import type { EnginePorts, StepSnapshot } from '../runtime/ports';
import type { TaskAction } from '../runtime/plan-decision';
import { allowedActions } from '../approvals/allowed-actions';
import type { PastDecision } from '../approvals/separation-of-duties';
import { definitionOf } from './load-step';
import { standingOf, type Standing } from './decide-task';

export interface TaskReading {
  readonly snap: StepSnapshot;
  readonly node: ApprovalNode | UserTaskNode;
  readonly workflowName: string;
  readonly workflowVersion: number;
  readonly standing: Standing;
  readonly decisions: readonly PastDecision[];
  readonly allowedActions: readonly TaskAction[];
}

/** 404 for a task the actor may not see (as for an instance they may not see). */
export async function readTask(ports: Pick<EnginePorts, 'store' | 'clock'>, actor: Actor, taskId: string): Promise<TaskReading> {
  return ports.store.inTenant(actor.tenantId, async (tx) => {
    const snap = await tx.readTask(taskId);
    if (!snap) throw new NotFoundError('Task', taskId);
    const def = await definitionOf(tx, snap.instance.definitionId);
    const node = def.compiled.nodes.get(snap.execution.nodeId);
    if (node?.nodeType !== 'approval' && node?.nodeType !== 'user_task') throw new NotFoundError('Task', taskId);
    const standing = await standingOf(tx, actor, snap, node, def.compiled.name, ports.clock.now());
    if (standing.access === 'none' && !standing.manager) throw new NotFoundError('Task', taskId);
    const decisions = await tx.decisions(snap.instance.id);
    return {
      snap,
      node,
      workflowName: def.compiled.name,
      workflowVersion: def.version,
      standing,
      decisions,
      allowedActions: allowedActions({ actor, instance: snap.instance, task: snap.execution, node, ...standing, decisions }),
    };
  });
}
