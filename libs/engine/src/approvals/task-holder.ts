/**
 * Who holds a task when it is created: the node's fixed approver or assignee, a dynamic one from
 * a CEL expression over the context, or a quorum's voters. An expression that gives nobody fails
 * the node with a clear error instead of creating a task nobody holds.
 */

import { NodeFailedError } from '../errors/engine-errors';
import type { ApprovalNode, UserTaskNode } from '../definition/definition.types';
import { evaluateExpression, type ExpressionScope } from '../expressions/cel-expression';
import { requiredApprovals } from './quorum';

export interface TaskHolder {
  readonly userId: string | null;
  readonly role: string | null;
  /** a quorum's voters, when they are given by list or expression */
  readonly candidates: readonly string[];
}

/** Voters a quorum expression may give. */
export const MAX_QUORUM_VOTERS = 100;

const MAX_ID_LENGTH = 200;

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${JSON.stringify(value).slice(0, 80)}`;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_ID_LENGTH;
}

/** A user id, `{ "role": … }` or `{ "userId": … }`. */
function assigneeFrom(node: ApprovalNode | UserTaskNode, field: string, source: string, scope: ExpressionScope): TaskHolder {
  const value = evaluateExpression(source, scope);
  if (value === null || value === undefined || value === '') {
    throw new NodeFailedError('ASSIGNEE_EXPRESSION_EMPTY', `${field} of "${node.id}" gave no one (${describe(value)}): no task was created`, { nodeId: node.id, expression: source });
  }
  if (isId(value)) return { userId: value, role: null, candidates: [] };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const { role, userId } = value as Record<string, unknown>;
    const keys = Object.keys(value);
    if (keys.length === 1 && isId(role)) return { userId: null, role, candidates: [] };
    if (keys.length === 1 && isId(userId)) return { userId, role: null, candidates: [] };
  }
  throw new NodeFailedError(
    'ASSIGNEE_EXPRESSION_INVALID',
    `${field} of "${node.id}" gave ${describe(value)}: expected a user id, { "role": … } or { "userId": … }`,
    { nodeId: node.id, expression: source },
  );
}

function votersFrom(node: ApprovalNode, source: string, scope: ExpressionScope): string[] {
  const value = evaluateExpression(source, scope);
  if (!Array.isArray(value) || !value.every(isId)) {
    throw new NodeFailedError('QUORUM_VOTERS_INVALID', `quorum voters of "${node.id}" gave ${describe(value)}: expected a list of user ids`, { nodeId: node.id, expression: source });
  }
  const voters = [...new Set(value)];
  if (voters.length === 0) {
    throw new NodeFailedError('QUORUM_VOTERS_EMPTY', `quorum voters of "${node.id}" gave an empty list: nobody could vote`, { nodeId: node.id, expression: source });
  }
  if (voters.length > MAX_QUORUM_VOTERS) {
    throw new NodeFailedError('QUORUM_VOTERS_INVALID', `quorum voters of "${node.id}" gave ${voters.length} voters (at most ${MAX_QUORUM_VOTERS})`, { nodeId: node.id });
  }
  return voters;
}

export function taskHolderOf(node: ApprovalNode | UserTaskNode, scope: ExpressionScope): TaskHolder {
  if (node.nodeType === 'user_task') {
    if (node.assigneeExpression !== null) return assigneeFrom(node, 'assigneeExpression', node.assigneeExpression, scope);
    return { userId: node.assigneeUserId, role: node.assigneeRole, candidates: [] };
  }
  const quorum = node.quorum;
  if (quorum === null) {
    if (node.approverExpression !== null) return assigneeFrom(node, 'approverExpression', node.approverExpression, scope);
    return { userId: node.approverUserId, role: node.approverRole, candidates: [] };
  }
  const voters = quorum.voters;
  if (voters.kind === 'role') return { userId: null, role: voters.role, candidates: [] };
  const candidates = voters.kind === 'users' ? [...voters.users] : votersFrom(node, voters.expression, scope);
  return { userId: null, role: null, candidates };
}

/** A quorum's voters that separation of duties lets vote: its electorate. */
export function eligibleVoters(candidates: readonly string[], excluded: readonly string[]): string[] {
  return candidates.filter((u) => !excluded.includes(u));
}

/** Fails the node when the eligible voters could never reach the approvals required. */
export function assertQuorumPossible(node: ApprovalNode, candidates: readonly string[], excluded: readonly string[]): void {
  if (node.quorum === null || node.quorum.voters.kind === 'role') return;
  const eligible = eligibleVoters(candidates, excluded);
  const required = requiredApprovals(node.quorum, eligible.length);
  if (eligible.length === 0 || required > eligible.length) {
    throw new NodeFailedError(
      'QUORUM_IMPOSSIBLE',
      `quorum of "${node.id}" needs ${required} approvals from ${eligible.length} eligible voters (of ${candidates.length}; separation of duties excludes the rest): it could never pass`,
      { nodeId: node.id, voters: [...candidates], excluded: [...excluded] },
    );
  }
}
