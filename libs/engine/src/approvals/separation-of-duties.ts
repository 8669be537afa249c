/**
 * Separation of duties: who may never decide a task, from the rules of its node and what the
 * instance has recorded. Pure; the decision use case is the one place that applies it, so every
 * entry point (REST, GraphQL, email links, bulk, claim, delegation, deputies) obeys it.
 */

import type { SeparationOfDuties } from '../definition/definition.types';
import type { Decision, Vote } from '../runtime/model';

export type SeparationRule = keyof SeparationOfDuties;

/** A decided (or voted on) task of the instance, as the rules read it. */
export interface PastDecision {
  readonly executionId: string;
  readonly nodeId: string;
  readonly decision: Decision | null;
  readonly decidedBy: string | null;
  readonly onBehalfOf: string | null;
  readonly votes: readonly Vote[];
}

export interface SeparationViolation {
  readonly rule: SeparationRule;
  /** the person the rule excludes: the actor, or the absent user a deputy acts for */
  readonly userId: string;
  readonly message: string;
}

export interface SeparationFacts {
  readonly startedBy: string;
  /** the task's node and execution: its own earlier rounds do not count as other decisions */
  readonly nodeId: string;
  readonly executionId: string;
  readonly decisions: readonly PastDecision[];
}

/** Everyone who took part in a decision: the decider, the user they stood in for, every voter. */
export function decidersOf(decision: PastDecision): string[] {
  const people = [decision.decidedBy, decision.onBehalfOf, ...decision.votes.flatMap((v) => [v.userId, v.onBehalfOf])];
  return [...new Set(people.filter((p): p is string => p !== null))];
}

/** Whether the rules need the instance's past decisions (`notStarter` alone does not). */
export function needsPastDecisions(rules: SeparationOfDuties): boolean {
  return rules.notDeciderOf.length > 0 || rules.distinctDeciders;
}

/**
 * The first rule that forbids any of `people` (the actor, and whom a deputy acts for) from
 * deciding this task; null when none does. Holding a role, admin included, lifts no rule.
 */
export function separationViolation(rules: SeparationOfDuties, people: readonly string[], facts: SeparationFacts): SeparationViolation | null {
  for (const userId of people) {
    if (rules.notStarter && userId === facts.startedBy) {
      return { rule: 'notStarter', userId, message: `${userId} started this instance and may not decide its "${facts.nodeId}" task (notStarter)` };
    }
    if (rules.notDeciderOf.length > 0) {
      const earlier = facts.decisions.find((d) => rules.notDeciderOf.includes(d.nodeId) && decidersOf(d).includes(userId));
      if (earlier) {
        return { rule: 'notDeciderOf', userId, message: `${userId} decided "${earlier.nodeId}" and may not also decide "${facts.nodeId}" (notDeciderOf)` };
      }
    }
    if (rules.distinctDeciders) {
      const other = facts.decisions.find((d) => d.nodeId !== facts.nodeId && d.executionId !== facts.executionId && decidersOf(d).includes(userId));
      if (other) {
        return { rule: 'distinctDeciders', userId, message: `${userId} already decided "${other.nodeId}": every task of this instance needs a different person (distinctDeciders)` };
      }
    }
  }
  return null;
}

/** The users known to be excluded when the task is created (its queue hides it from them). */
export function excludedUsers(rules: SeparationOfDuties, facts: Omit<SeparationFacts, 'executionId'> & { executionId?: string }): string[] {
  const out = new Set<string>();
  if (rules.notStarter) out.add(facts.startedBy);
  for (const d of facts.decisions) {
    if (rules.notDeciderOf.includes(d.nodeId) || (rules.distinctDeciders && d.nodeId !== facts.nodeId)) {
      for (const person of decidersOf(d)) out.add(person);
    }
  }
  return [...out].sort();
}
