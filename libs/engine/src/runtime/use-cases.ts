/**
 * The use cases over ports: each runs one tenant-scoped transaction (lock, plan, apply) and
 * dispatches the ready executions after commit. A crash between commit and dispatch loses
 * nothing: the reconciliation sweep re-dispatches ready executions that waited too long.
 */

import { NotFoundError, ForbiddenError, type EngineError } from '../errors/engine-errors';
import type { Actor, NodeJob, Plan } from './model';
import type { DefinitionRecord, EnginePorts, StoreTx } from './ports';
import { assertDecidable, planDecision, type TaskCommand } from './plan-decision';
import { failNode, planStep, type StepOutcome } from './plan-step';
import { PlanBuilder } from './plan-builder';
import { taskAccess } from './task-access';

export interface ExecuteResult {
  readonly outcome: StepOutcome['kind'];
  readonly reason?: string;
  readonly plan?: Plan;
}

async function definitionOf(tx: StoreTx, definitionId: string): Promise<DefinitionRecord> {
  const def = await tx.definition(definitionId);
  if (!def) throw new Error(`definition ${definitionId} of a live instance is missing`);
  return def;
}

/** Run one ready node execution. A duplicate or late job finds it not `ready` and does nothing. */
export async function executeNode(ports: EnginePorts, job: NodeJob): Promise<ExecuteResult> {
  const result = await ports.store.inTenant(job.tenantId, async (tx) => {
    const snap = await tx.lockStep(job.instanceId, job.executionId);
    if (!snap) return { outcome: 'noop' as const, reason: 'execution not found' };
    if (snap.execution.generation !== job.generation) {
      return { outcome: 'noop' as const, reason: `stale generation ${job.generation}` };
    }
    const def = await definitionOf(tx, snap.instance.definitionId);
    const step = planStep({
      definition: def.compiled,
      instance: snap.instance,
      execution: snap.execution,
      now: ports.clock.now(),
      newId: ports.newId,
      settings: ports.settings,
    });
    if (step.kind === 'noop') return { outcome: step.kind, reason: step.reason };
    if (step.kind === 'external') return { outcome: step.kind, reason: `${step.node.nodeType} needs a handler` };
    await tx.apply(step.plan, snap.instance);
    return { outcome: step.kind, plan: step.plan };
  });
  if (result.outcome === 'plan' && 'plan' in result && result.plan) await ports.dispatcher.dispatch(result.plan.enqueue);
  return result;
}

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
export async function checkTask(ports: EnginePorts, actor: Actor, taskId: string, action: TaskCommand['action']): Promise<void> {
  await ports.store.inTenant(actor.tenantId, (tx) => lockActionableTask(tx, actor, taskId, action));
}

/**
 * Decide a task. Concurrent decisions serialise on the instance lock; all but the first find the
 * task no longer `waiting` (409).
 */
export async function decideTask(
  ports: EnginePorts,
  actor: Actor,
  taskId: string,
  command: TaskCommand,
  validate?: (def: DefinitionRecord, snap: { nodeId: string }) => void,
): Promise<{ instanceId: string; plan: Plan }> {
  const result = await ports.store.inTenant(actor.tenantId, async (tx) => {
    const snap = await lockActionableTask(tx, actor, taskId, command.action);
    const def = await definitionOf(tx, snap.instance.definitionId);
    validate?.(def, { nodeId: snap.execution.nodeId });
    const plan = planDecision(
      { definition: def.compiled, instance: snap.instance, task: snap.execution, actor, now: ports.clock.now(), newId: ports.newId },
      command,
    );
    await tx.apply(plan, snap.instance);
    return { instanceId: snap.instance.id, plan };
  });
  await ports.dispatcher.dispatch(result.plan.enqueue);
  return result;
}

/**
 * Fail a ready or running execution for good (a handler's unrecoverable error, retries
 * exhausted): the execution and its instance become `failed`, with the error recorded.
 */
export async function failExecution(ports: EnginePorts, job: NodeJob, error: EngineError): Promise<boolean> {
  return ports.store.inTenant(job.tenantId, async (tx) => {
    const snap = await tx.lockStep(job.instanceId, job.executionId);
    if (!snap || snap.execution.generation !== job.generation) return false;
    if (snap.instance.status !== 'running') return false;
    if (snap.execution.status !== 'ready' && snap.execution.status !== 'running') return false;
    const b = new PlanBuilder(snap.instance, ports.clock.now(), ports.newId);
    failNode(b, snap.execution, error);
    await tx.apply(b.build(), snap.instance);
    return true;
  });
}
