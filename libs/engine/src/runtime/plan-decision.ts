/**
 * Deciding a task: approve, reject, complete, return for revision, and the hand-overs (delegate,
 * claim, release, reassign). Pure: locked state and command in, plan out. Who may act, and
 * separation of duties, are the use case's checks before this; the vote of a quorum is counted here.
 */

import { ConflictError, ValidationError } from '../errors/engine-errors';
import type { ApprovalNode, CompiledNode, CompiledQuorum, UserTaskNode } from '../definition/definition.types';
import { tallyQuorum, hasVoted } from '../approvals/quorum';
import { eligibleVoters } from '../approvals/task-holder';
import type { PastDecision } from '../approvals/separation-of-duties';
import type { Actor, ExecutionState, InstanceState, JsonObject, Plan, Vote } from './model';
import type { PlanAt } from './plan-at';
import { nodeOf, type PlanBuilder } from './plan-builder';
import { finishNode, stepBuilder, type StepState } from './plan-step';

export type TaskCommand =
  | { readonly action: 'approve'; readonly comments?: string }
  | { readonly action: 'reject'; readonly comments?: string }
  | { readonly action: 'delegate'; readonly toUserId: string; readonly comments?: string }
  | { readonly action: 'complete'; readonly data: JsonObject }
  /** send the instance back to the node's `returnTo` user task; comments are required */
  | { readonly action: 'return'; readonly comments: string }
  /** a role task becomes the claimer's */
  | { readonly action: 'claim'; readonly comments?: string }
  /** a claimed task goes back to its role */
  | { readonly action: 'release'; readonly comments?: string }
  /** by an admin or a holder of the node's `managerRole`: to a user, or to a role */
  | { readonly action: 'reassign'; readonly toUserId?: string; readonly toRole?: string; readonly comments?: string };

export type TaskAction = TaskCommand['action'];

/** Actions that decide the task (separation of duties applies to whoever takes them). */
export const DECIDING_ACTIONS: readonly TaskAction[] = ['approve', 'reject', 'complete', 'return', 'claim'];

/** A person's decision on a task: who, what, and what the rules needed to know. */
export interface TaskDecision {
  readonly actor: Actor;
  readonly command: TaskCommand;
  /** the absent user a deputy acts for */
  readonly onBehalfOf?: string | null;
  /** the instance's decided tasks (a return counts its rounds from them) */
  readonly pastDecisions?: readonly PastDecision[];
}

type TaskNode = ApprovalNode | UserTaskNode;

/** The state checks of a decision (409s), shared by `check` and the decision itself. */
export function assertDecidable(instance: InstanceState, task: ExecutionState, action: TaskAction): void {
  if (instance.status !== 'running' || task.status !== 'waiting') {
    throw new ConflictError(
      'TASK_NOT_WAITING',
      `task ${task.id} is ${task.status === 'waiting' ? `in a ${instance.status} instance` : task.status}: it can no longer be decided`,
    );
  }
  if (task.nodeType !== 'approval' && task.nodeType !== 'user_task') {
    throw new ConflictError('NOT_A_TASK', `node execution ${task.id} is a ${task.nodeType}, not a task`);
  }
  if (task.nodeType === 'user_task' && (action === 'approve' || action === 'reject')) {
    throw new ConflictError('WRONG_TASK_ACTION', `task ${task.id} is a user task: complete it instead of ${action === 'approve' ? 'approving' : 'rejecting'} it`);
  }
  if (task.nodeType === 'approval' && action === 'complete') {
    throw new ConflictError('WRONG_TASK_ACTION', `task ${task.id} is an approval: approve or reject it instead`);
  }
}

/** The node-dependent checks: what a quorum and a node without `returnTo` do not allow. */
export function assertNodeAllows(node: CompiledNode, task: ExecutionState, action: TaskAction): void {
  const quorum = node.nodeType === 'approval' && node.quorum !== null;
  if (quorum && ['delegate', 'claim', 'release', 'reassign', 'return'].includes(action)) {
    throw new ConflictError('NOT_FOR_QUORUM', `task ${task.id} is a quorum vote: each voter approves or rejects it in person (no ${action})`);
  }
  if (action === 'return' && (node.nodeType === 'approval' || node.nodeType === 'user_task') && node.returnTo === null) {
    throw new ConflictError('RETURN_NOT_ALLOWED', `node "${node.id}" names no returnTo: it cannot be sent back for revision`);
  }
  if (action === 'claim' && (task.assignedUserId !== null || (task.assignedRole === null && task.candidateUsers.length === 0))) {
    throw new ConflictError('NOT_CLAIMABLE', `task ${task.id} is assigned to ${task.assignedUserId ?? 'nobody'}: only a role's task can be claimed`);
  }
  if (action === 'release' && task.claimedAt === null) {
    throw new ConflictError('NOT_CLAIMED', `task ${task.id} was not claimed: there is nothing to release`);
  }
}

/** `state.execution` is the task. */
export function planDecision(at: PlanAt, state: StepState, event: TaskDecision): Plan {
  const { definition, instance, execution: task } = state;
  const { actor, command } = event;
  const onBehalfOf = event.onBehalfOf ?? null;
  assertDecidable(instance, task, command.action);
  const node = nodeOf(definition, task.nodeId) as TaskNode;
  assertNodeAllows(node, task, command.action);
  const b = stepBuilder(at, state);
  const by = { actorUserId: actor.userId, nodeExecutionId: task.id };
  const behalf = onBehalfOf !== null ? { onBehalfOf } : {};

  switch (command.action) {
    case 'approve':
    case 'reject': {
      const approved = command.action === 'approve';
      if (node.nodeType === 'approval' && node.quorum !== null) {
        planVote(b, state, node, node.quorum, { actor, onBehalfOf, approved, comments: command.comments ?? null });
        break;
      }
      b.record({ ...by, eventType: approved ? 'task_approved' : 'task_rejected', details: { nodeId: node.id, comments: command.comments ?? null, ...behalf } });
      finishNode(b, definition, node, task, approved ? 'completed' : 'rejected', {
        decision: approved ? 'approved' : 'rejected',
        decidedBy: actor.userId,
        onBehalfOf,
        comments: command.comments ?? null,
      }, actor.userId);
      break;
    }
    case 'complete': {
      b.record({ ...by, eventType: 'task_completed', details: { nodeId: node.id, ...behalf } });
      b.mergeContext(command.data, 'request');
      finishNode(b, definition, node, task, 'completed', { decision: 'completed', decidedBy: actor.userId, onBehalfOf, output: command.data }, actor.userId);
      break;
    }
    case 'return':
      planReturn(b, state, node, { actor, onBehalfOf, comments: command.comments, past: event.pastDecisions ?? [] });
      break;
    case 'delegate': {
      const previous = task.assignedUserId;
      b.patch(task, { assignedUserId: command.toUserId, claimedAt: null, previousAssignees: keptInSight(task, previous ?? actor.userId), comments: command.comments ?? task.comments });
      b.record({
        ...by,
        eventType: 'task_delegated',
        details: { nodeId: node.id, fromUserId: previous, fromRole: previous ? null : task.assignedRole, toUserId: command.toUserId, comments: command.comments ?? null, ...behalf },
      });
      break;
    }
    case 'claim':
      b.patch(task, { assignedUserId: actor.userId, claimedAt: b.now });
      b.record({ ...by, eventType: 'task_claimed', details: { nodeId: node.id, role: task.assignedRole, comments: command.comments ?? null } });
      break;
    case 'release':
      b.patch(task, { assignedUserId: null, claimedAt: null, previousAssignees: keptInSight(task, task.assignedUserId) });
      b.record({ ...by, eventType: 'task_released', details: { nodeId: node.id, fromUserId: task.assignedUserId, role: task.assignedRole, comments: command.comments ?? null } });
      break;
    case 'reassign': {
      const toUserId = command.toUserId ?? null;
      const toRole = command.toRole ?? null;
      if ((toUserId === null) === (toRole === null)) {
        throw new ValidationError('INVALID_REASSIGNMENT', 'reassign to a user (toUserId) or to a role (toRole): one of them');
      }
      b.patch(task, {
        assignedUserId: toUserId,
        assignedRole: toRole ?? task.assignedRole,
        claimedAt: null,
        previousAssignees: keptInSight(task, task.assignedUserId),
      });
      b.record({
        ...by,
        eventType: 'task_reassigned',
        details: { nodeId: node.id, fromUserId: task.assignedUserId, fromRole: task.assignedRole, toUserId, toRole, comments: command.comments ?? null },
      });
      break;
    }
  }
  return b.build();
}

/** Whoever held a task keeps sight of its instance after it moves on. */
function keptInSight(task: ExecutionState, holder: string | null): readonly string[] {
  if (holder === null || task.previousAssignees.includes(holder)) return task.previousAssignees;
  return [...task.previousAssignees, holder];
}

/** One vote on a quorum; the node completes the moment the outcome is certain. */
function planVote(
  b: PlanBuilder,
  state: StepState,
  node: ApprovalNode,
  quorum: CompiledQuorum,
  vote: { actor: Actor; onBehalfOf: string | null; approved: boolean; comments: string | null },
): void {
  const { definition, execution: task } = state;
  const people = [vote.actor.userId, ...(vote.onBehalfOf !== null ? [vote.onBehalfOf] : [])];
  if (hasVoted(task.votes, people)) {
    throw new ConflictError('ALREADY_VOTED', `${people.join(' for ')} already voted on task ${task.id}: each voter votes once`);
  }
  const cast: Vote = { userId: vote.actor.userId, onBehalfOf: vote.onBehalfOf, decision: vote.approved ? 'approved' : 'rejected', comments: vote.comments, at: b.now.toISOString() };
  const votes = [...task.votes, cast];
  const electorate = quorum.voters.kind === 'role' ? null : eligibleVoters(task.candidateUsers, task.excludedUsers).length;
  const tally = tallyQuorum(quorum, votes, electorate);
  const counts = { approvals: tally.approvals, rejections: tally.rejections, required: tally.required, electorate: tally.electorate };
  b.record({
    eventType: 'task_voted',
    nodeExecutionId: task.id,
    actorUserId: vote.actor.userId,
    details: { nodeId: node.id, decision: cast.decision, comments: cast.comments, onBehalfOf: vote.onBehalfOf, ...counts },
  });
  b.patch(task, { votes });
  if (tally.outcome === null) return;
  const approved = tally.outcome === 'approved';
  b.record({
    eventType: approved ? 'task_approved' : 'task_rejected',
    nodeExecutionId: task.id,
    actorUserId: vote.actor.userId,
    details: { nodeId: node.id, comments: cast.comments, quorum: { ...counts, rejectPolicy: quorum.rejectPolicy, voters: votes.map((v) => v.userId) } },
  });
  finishNode(b, definition, node, { ...task, votes }, approved ? 'completed' : 'rejected', {
    decision: approved ? 'approved' : 'rejected',
    decidedBy: vote.actor.userId,
    onBehalfOf: vote.onBehalfOf,
    comments: cast.comments,
  }, vote.actor.userId);
}

/** Back to `returnTo` for revision: a new execution of that task carries the reviewer's words. */
function planReturn(
  b: PlanBuilder,
  state: StepState,
  node: TaskNode,
  r: { actor: Actor; onBehalfOf: string | null; comments: string; past: readonly PastDecision[] },
): void {
  const { definition, execution: task } = state;
  const returnTo = node.returnTo;
  if (returnTo === null) throw new ConflictError('RETURN_NOT_ALLOWED', `node "${node.id}" names no returnTo`);
  if (r.comments.trim() === '') throw new ValidationError('COMMENTS_REQUIRED', 'a return needs comments: say what to revise');
  const rounds = r.past.filter((d) => d.nodeId === node.id && d.decision === 'returned').length;
  if (rounds >= node.maxRounds) {
    throw new ConflictError('RETURN_LIMIT_REACHED', `"${node.id}" was sent back ${rounds === 1 ? 'once' : `${rounds} times`} already (maxRounds ${node.maxRounds}): decide it instead`, { rounds, maxRounds: node.maxRounds });
  }
  const round = rounds + 1;
  b.patch(task, {
    status: 'completed',
    waitingFor: null,
    decision: 'returned',
    decidedBy: r.actor.userId,
    onBehalfOf: r.onBehalfOf,
    comments: r.comments,
    completedAt: b.now,
  });
  b.record({
    eventType: 'task_returned',
    nodeExecutionId: task.id,
    actorUserId: r.actor.userId,
    details: { nodeId: node.id, returnTo, round, maxRounds: node.maxRounds, comments: r.comments, ...(r.onBehalfOf !== null ? { onBehalfOf: r.onBehalfOf } : {}) },
  });
  b.record({ eventType: 'node_completed', nodeExecutionId: task.id, actorUserId: r.actor.userId, details: { nodeId: node.id, outcome: 'returned', routes: [returnTo] } });
  b.activate(nodeOf(definition, returnTo), {
    comments: r.comments,
    output: { revision: { round, fromNodeId: node.id, by: r.actor.userId, comments: r.comments, at: b.now.toISOString() } },
  });
}
