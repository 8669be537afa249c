/**
 * The decision use case: every action on a task (approve, reject, complete, return, delegate,
 * claim, release, reassign), from every entry point, passes here. Who may act, deputies, and
 * separation of duties are checked in this one place, under the instance lock.
 */

import { ForbiddenError, NotFoundError } from '../errors/engine-errors';
import type { ApprovalNode, UserTaskNode } from '../definition/definition.types';
import type { Actor, Plan } from '../runtime/model';
import type { DefinitionRecord, EnginePorts, StepSnapshot, StoreTx } from '../runtime/ports';
import { assertDecidable, assertNodeAllows, DECIDING_ACTIONS, planDecision, type TaskAction, type TaskCommand } from '../runtime/plan-decision';
import { heldInPerson, holdsTask, isAdmin } from '../runtime/task-access';
import { planAt } from '../runtime/plan-at';
import { PlanBuilder } from '../runtime/plan-builder';
import { covers, principalsOf } from '../approvals/deputies';
import { needsPastDecisions, separationViolation, type PastDecision, type SeparationViolation } from '../approvals/separation-of-duties';
import { runInTenant } from './effects';
import { definitionOf, openExecutionsFor } from './load-step';

/** How the actor stands to a task. */
export interface Standing {
  readonly access: 'act' | 'see' | 'none';
  /** the absent user a deputy acts for */
  readonly onBehalfOf: string | null;
  /** holds the node's managerRole (may reassign) */
  readonly manager: boolean;
}

type TaskNode = ApprovalNode | UserTaskNode;

/** A quorum's voter: a holder of its voters' role, or one of its listed voters. */
function holdsVote(actor: Actor, task: StepSnapshot['execution']): boolean {
  if (task.assignedUserId !== null) return task.assignedUserId === actor.userId;
  return (task.assignedRole !== null && actor.roles.includes(task.assignedRole)) || task.candidateUsers.includes(actor.userId);
}

export async function standingOf(tx: StoreTx, actor: Actor, snap: StepSnapshot, node: TaskNode, workflowName: string, now: Date): Promise<Standing> {
  const task = snap.execution;
  const manager = node.managerRole !== null && actor.roles.includes(node.managerRole);
  const quorum = node.nodeType === 'approval' && node.quorum !== null;
  // an admin may act on any task, but never cast a quorum vote that is not theirs; nor may an
  // escalation role: only the voters vote
  const holds = quorum ? holdsVote(actor, task) : holdsTask(actor, task);
  if (holds || (isAdmin(actor) && !quorum)) return { access: 'act', onBehalfOf: null, manager };
  const deputyFor = principalsOf(actor.userId, await tx.deputyWindows(now), now).find(
    (p) => heldInPerson(p.userId, task) && covers(p, { workflowName, assignedRole: task.assignedRole }),
  );
  if (deputyFor) return { access: 'act', onBehalfOf: deputyFor.userId, manager };
  if (manager || isAdmin(actor)) return { access: 'see', onBehalfOf: null, manager };
  return { access: (await tx.participates(snap.instance.id, actor)) ? 'see' : 'none', onBehalfOf: null, manager };
}

/** A claimed task goes back to its role by the claimer, their deputy, or an admin. */
export function mayRelease(actor: Actor, claimer: string | null, onBehalfOf: string | null): boolean {
  return claimer !== null && (claimer === actor.userId || claimer === onBehalfOf || isAdmin(actor));
}

interface LockedTask {
  readonly snap: StepSnapshot;
  readonly def: DefinitionRecord;
  readonly node: TaskNode;
  readonly standing: Standing;
  readonly workflowName: string;
}

async function lockActionableTask(tx: StoreTx, actor: Actor, taskId: string, action: TaskAction, now: Date): Promise<LockedTask> {
  const snap = await tx.lockTask(taskId);
  if (!snap) throw new NotFoundError('Task', taskId);
  const def = await definitionOf(tx, snap.instance.definitionId);
  const node = def.compiled.nodes.get(snap.execution.nodeId);
  const isTask = node?.nodeType === 'approval' || node?.nodeType === 'user_task';
  const standing = isTask
    ? await standingOf(tx, actor, snap, node, def.compiled.name, now)
    : { access: isAdmin(actor) ? 'act' as const : 'none' as const, onBehalfOf: null, manager: false };
  if (standing.access === 'none' && !standing.manager) throw new NotFoundError('Task', taskId);
  if (action === 'reassign') {
    if (!isAdmin(actor) && !standing.manager) {
      throw new ForbiddenError(`task ${taskId} can be reassigned by an admin or a holder of its managerRole`, 'NOT_TASK_MANAGER');
    }
  } else if (standing.access !== 'act') {
    throw new ForbiddenError(`task ${taskId} is not assigned to you`, 'NOT_TASK_ASSIGNEE');
  }
  assertDecidable(snap.instance, snap.execution, action);
  if (!isTask) throw new Error(`execution ${taskId} passed assertDecidable without a task node`);
  assertNodeAllows(node, snap.execution, action);
  if (action === 'release' && !mayRelease(actor, snap.execution.assignedUserId, standing.onBehalfOf)) {
    throw new ForbiddenError(`task ${taskId} was claimed by ${snap.execution.assignedUserId}: only they (or their deputy, or an admin) may release it`, 'NOT_TASK_ASSIGNEE');
  }
  return { snap, def, node, standing, workflowName: def.compiled.name };
}

/** The checks a decision makes before reading its body: 404, 403, 409. */
export async function checkTask(ports: Pick<EnginePorts, 'store' | 'clock'>, actor: Actor, taskId: string, action: TaskAction): Promise<void> {
  await ports.store.inTenant(actor.tenantId, (tx) => lockActionableTask(tx, actor, taskId, action, ports.clock.now()));
}

/**
 * Who the rules judge: the decider (and whom a deputy stands in for); for a hand-over, the one
 * who hands it over as well as the one it goes to, so nobody excluded picks who decides instead.
 */
function judged(actor: Actor, command: TaskCommand, onBehalfOf: string | null): string[] {
  const self = onBehalfOf !== null ? [actor.userId, onBehalfOf] : [actor.userId];
  if (command.action === 'delegate') return [...self, command.toUserId];
  if (command.action === 'reassign') return command.toUserId !== undefined ? [...self, command.toUserId] : self;
  return DECIDING_ACTIONS.includes(command.action) ? self : [];
}

/** The refused attempt, on record in the history; nothing else changes. */
function refusalPlan(ports: Pick<EnginePorts, 'clock' | 'newId'>, locked: LockedTask, actor: Actor, command: TaskCommand, v: SeparationViolation): Plan {
  const b = new PlanBuilder(locked.snap.instance, ports.clock.now(), ports.newId);
  b.record({
    eventType: 'decision_refused',
    nodeExecutionId: locked.snap.execution.id,
    actorUserId: actor.userId,
    details: {
      nodeId: locked.node.id,
      action: command.action,
      code: 'SEPARATION_OF_DUTIES',
      rule: v.rule,
      userId: v.userId,
      onBehalfOf: locked.standing.onBehalfOf,
      message: v.message,
    },
  });
  return b.build();
}

export class SeparationOfDutiesError extends ForbiddenError {
  constructor(readonly violation: SeparationViolation, taskId: string, nodeId: string) {
    super(violation.message, 'SEPARATION_OF_DUTIES', { rule: violation.rule, userId: violation.userId, taskId, nodeId });
  }
}

/**
 * Act on a task. Concurrent decisions serialise on the instance lock; all but the first find the
 * task no longer `waiting` (409). Completing a user task checks its data against the node's form.
 * A decision that separation of duties refuses is recorded (`decision_refused`) and answered 403.
 */
export async function decideTask(ports: EnginePorts, actor: Actor, taskId: string, command: TaskCommand): Promise<{ instanceId: string; plan: Plan }> {
  const outcome = await runInTenant(ports, actor.tenantId, async (tx, effects) => {
    const now = ports.clock.now();
    const locked = await lockActionableTask(tx, actor, taskId, command.action, now);
    const { snap, def, node, standing } = locked;
    const rules = node.separation;
    const people = judged(actor, command, standing.onBehalfOf);
    const readsPast = command.action === 'return' || (people.length > 0 && needsPastDecisions(rules));
    const past: readonly PastDecision[] = readsPast ? await tx.decisions(snap.instance.id) : [];
    const violation = separationViolation(rules, people, { startedBy: snap.instance.startedBy, nodeId: node.id, executionId: snap.execution.id, decisions: past });
    if (violation) {
      await effects.write(tx, refusalPlan(ports, locked, actor, command, violation), snap.instance);
      return { kind: 'refused', violation, nodeId: node.id } as const;
    }
    if (command.action === 'complete') {
      const formSchema = node.nodeType === 'user_task' ? node.formSchema : null;
      ports.schemas.validateForm({ definitionId: def.id, nodeId: snap.execution.nodeId }, formSchema, command.data);
    }
    const open = await openExecutionsFor(tx, def.compiled, snap.instance.id);
    const plan = planDecision(
      planAt(ports),
      { definition: def.compiled, instance: snap.instance, execution: snap.execution, ...(open ? { open } : {}) },
      { actor, command, onBehalfOf: standing.onBehalfOf, pastDecisions: past },
    );
    await effects.write(tx, plan, snap.instance);
    effects.emit({ type: 'task_decided', tenantId: actor.tenantId, instanceId: snap.instance.id, taskId, action: command.action, actorUserId: actor.userId });
    return { kind: 'decided', instanceId: snap.instance.id, plan } as const;
  });
  if (outcome.kind === 'refused') throw new SeparationOfDutiesError(outcome.violation, taskId, outcome.nodeId);
  return { instanceId: outcome.instanceId, plan: outcome.plan };
}
