/** Who may see and act on a task (API.md "Tasks"). */

import type { Actor, ExecutionState } from './model';

export const ADMIN_ROLE = 'admin';

export function isAdmin(actor: Actor): boolean {
  return actor.roles.includes(ADMIN_ROLE);
}

/**
 * A user holds a task when it is assigned to them, or to one of their roles (or to them among its
 * candidate users, a quorum's voters) and not to a specific other user, or, once escalated, when
 * they hold its escalation role.
 */
export function holdsTask(actor: Actor, task: ExecutionState): boolean {
  if (task.assignedUserId !== null) {
    if (task.assignedUserId === actor.userId) return true;
  } else if ((task.assignedRole !== null && actor.roles.includes(task.assignedRole)) || task.candidateUsers.includes(actor.userId)) {
    return true;
  }
  return task.escalatedAt !== null && task.escalationRole !== null && actor.roles.includes(task.escalationRole);
}

/**
 * `act`: may decide or delegate; `see`: may read it (through its instance) but not act (403);
 * `none`: answered as missing (404).
 */
export function taskAccess(actor: Actor, task: ExecutionState, actorParticipates: boolean): 'act' | 'see' | 'none' {
  if (isAdmin(actor) || holdsTask(actor, task)) return 'act';
  return actorParticipates ? 'see' : 'none';
}

/** Whether `userId` is, in person, whom a task is assigned to (what a deputy can stand in for). */
export function heldInPerson(userId: string, task: Pick<ExecutionState, 'assignedUserId' | 'candidateUsers'>): boolean {
  return task.assignedUserId === userId || (task.assignedUserId === null && task.candidateUsers.includes(userId));
}
