/** N of M: the tally of a quorum approval. Pure. */

import type { CompiledQuorum } from '../definition/definition.types';
import type { Vote } from '../runtime/model';

export interface QuorumTally {
  readonly approvals: number;
  readonly rejections: number;
  /** approvals that decide */
  readonly required: number;
  /** voters in all; null when they are a role's holders (unknown in number) */
  readonly electorate: number | null;
  readonly outcome: 'approved' | 'rejected' | null;
}

/** Approvals needed out of `electorate` voters (`all`, `majority` need it known; the compiler sees to that). */
export function requiredApprovals(quorum: CompiledQuorum, electorate: number | null): number {
  if (typeof quorum.required === 'number') return quorum.required;
  if (electorate === null) throw new Error(`quorum "${quorum.required}" without a known electorate`);
  return quorum.required === 'all' ? electorate : Math.floor(electorate / 2) + 1;
}

/**
 * Where the vote stands. It is decided the moment the outcome is certain: enough approvals, or
 * a rejection under `any`, or (under `quorum`) so many rejections that the approvals can no
 * longer be reached.
 */
export function tallyQuorum(quorum: CompiledQuorum, votes: readonly Vote[], electorate: number | null): QuorumTally {
  const approvals = votes.filter((v) => v.decision === 'approved').length;
  const rejections = votes.length - approvals;
  const required = requiredApprovals(quorum, electorate);
  let outcome: QuorumTally['outcome'] = null;
  if (approvals >= required) outcome = 'approved';
  else if (quorum.rejectPolicy === 'any' ? rejections > 0 : electorate !== null && electorate - rejections < required) outcome = 'rejected';
  return { approvals, rejections, required, electorate, outcome };
}

/** Whether `people` (a voter, and whom a deputy votes for) already voted, in person or through a deputy. */
export function hasVoted(votes: readonly Vote[], people: readonly string[]): boolean {
  return votes.some((v) => people.includes(v.userId) || (v.onBehalfOf !== null && people.includes(v.onBehalfOf)));
}
