/**
 * What the actor may do with a task now, as the decision use case would judge it: the buttons a
 * task page shows. Pure; the use case still checks every action when it is taken.
 */

import type { ApprovalNode, UserTaskNode } from '../definition/definition.types';
import type { Actor, ExecutionState, InstanceState } from '../runtime/model';
import type { TaskAction } from '../runtime/plan-decision';
import { isAdmin } from '../runtime/task-access';
import { mayRelease } from '../use-cases/decide-task';
import { hasVoted } from './quorum';
import { separationViolation, type PastDecision } from './separation-of-duties';

export interface ActionFacts {
  readonly actor: Actor;
  readonly instance: InstanceState;
  readonly task: ExecutionState;
  readonly node: ApprovalNode | UserTaskNode;
  /** as the decision use case finds it: may act (in person or as deputy), may reassign */
  readonly access: 'act' | 'see' | 'none';
  readonly onBehalfOf: string | null;
  readonly manager: boolean;
  readonly decisions: readonly PastDecision[];
}

export function allowedActions(f: ActionFacts): TaskAction[] {
  const { actor, instance, task, node } = f;
  if (instance.status !== 'running' || task.status !== 'waiting' || task.waitingFor !== 'task') return [];
  const quorum = node.nodeType === 'approval' && node.quorum !== null;
  const out: TaskAction[] = [];
  const people = f.onBehalfOf !== null ? [actor.userId, f.onBehalfOf] : [actor.userId];
  const facts = { startedBy: instance.startedBy, nodeId: node.id, executionId: task.id, decisions: f.decisions };
  const mayDecide = f.access === 'act' && separationViolation(node.separation, people, facts) === null && !(quorum && hasVoted(task.votes, people));
  if (mayDecide) {
    out.push(...(node.nodeType === 'approval' ? (['approve', 'reject'] as const) : (['complete'] as const)));
    const rounds = f.decisions.filter((d) => d.nodeId === node.id && d.decision === 'returned').length;
    if (node.returnTo !== null && !quorum && rounds < node.maxRounds) out.push('return');
  }
  if (quorum) return out;
  // handing a task over is judged as deciding it: nobody excluded picks who decides instead
  const mayHandOver = separationViolation(node.separation, people, facts) === null;
  if (f.access === 'act' && mayHandOver) out.push('delegate');
  if (mayDecide && task.assignedUserId === null && (task.assignedRole !== null || task.candidateUsers.length > 0)) out.push('claim');
  if (task.claimedAt !== null && f.access === 'act' && mayRelease(actor, task.assignedUserId, f.onBehalfOf)) out.push('release');
  if ((isAdmin(actor) || f.manager) && mayHandOver) out.push('reassign');
  return out;
}
