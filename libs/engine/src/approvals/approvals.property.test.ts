/**
 * Issue 16's property, over generated definitions and decision sequences, on the in-memory
 * engine: an instance reaches `completed` through an approval node only when the node's rule
 * (single approver, quorum, separation of duties) was met by the recorded votes.
 *
 * Generated: a chain of 1-3 approvals, each a single approver (a role or a user) or a quorum of
 * 1-5 listed users (required N, "all" or "majority"; rejectPolicy any or quorum), with random
 * separation flags (notStarter, notDeciderOf earlier nodes, distinctDeciders, on the node or as
 * the definition's default); a random starter; then decisions by users of a small pool, approve
 * or reject, on the waiting task or now and then on an already decided one, repeats included;
 * in the second property also deadlines passing, the sweep escalating the waiting task.
 *
 * Checked from the final state and the recorded history alone (not from what the test sent):
 * - a completed instance has, for each approval, one approved execution whose decision meets the
 *   rule: a single node's decider held the task (its role, its user, an admin, or once escalated
 *   its escalation role) and no rule excluded them; a quorum node's votes (execution votes = task_voted events, in order) are by
 *   distinct listed voters none excluded, reach the required approvals, and none came after the
 *   outcome (it was decided on the last vote, and no vote event follows the decision);
 * - every refused decision left one decision_refused row, and nothing else changed.
 * And, attempt by attempt, each decision is answered as a model of the rules says it should be:
 * refused (by the rule the model names), rejected for access or state, or taken.
 */
import fc from 'fast-check';
import { createMemoryEngine, type HistoryRow } from '../testing';
import { EngineError } from '../errors/engine-errors';
import { EXECUTION_STATUSES, type Actor, type ExecutionState, type InstanceState } from '../runtime/model';
import { startInstance } from '../use-cases/start-instance';
import { decideTask, SeparationOfDutiesError } from '../use-cases/decide-task';
import { escalateDueTasks } from '../use-cases/sweeps';

const TENANT = '0e000000-0000-4000-8000-0000000000a6';
const RUNS = { numRuns: 150 };

/** The pool: two roles, overlapping holders, one user with no role, an admin. */
const POOL: readonly Actor[] = [
  { tenantId: TENANT, userId: 'ann', roles: ['clerk'] },
  { tenantId: TENANT, userId: 'ben', roles: ['clerk', 'lead'] },
  { tenantId: TENANT, userId: 'cat', roles: ['lead'] },
  { tenantId: TENANT, userId: 'dan', roles: [] },
  { tenantId: TENANT, userId: 'eve', roles: ['clerk'] },
  { tenantId: TENANT, userId: 'ada', roles: ['admin'] },
];
const USER_IDS = POOL.map((a) => a.userId);
const ROLES = ['clerk', 'lead'] as const;
const NODE_IDS = ['a1', 'a2', 'a3'] as const;
/** who takes over an overdue task where escalation is on: ben and cat */
const ESCALATION_ROLE = 'lead';
const SLA_HOURS = 1;

type Rule = 'notStarter' | 'notDeciderOf' | 'distinctDeciders';

type Approver =
  | { readonly kind: 'role'; readonly role: string }
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'quorum'; readonly users: readonly string[]; readonly required: number | 'all' | 'majority'; readonly rejectPolicy: 'any' | 'quorum' };

interface NodeSpec {
  readonly approver: Approver;
  readonly notStarter: boolean | undefined;
  readonly distinctDeciders: boolean | undefined;
  /** which earlier nodes (by index) it names in notDeciderOf */
  readonly notDeciderOfMask: readonly boolean[];
}

interface Spec {
  readonly nodes: readonly NodeSpec[];
  /** escalation on, to ESCALATION_ROLE (the runs then also let deadlines pass) */
  readonly escalation: boolean;
  /** the definition-wide defaults */
  readonly notStarter: boolean | undefined;
  readonly distinctDeciders: boolean | undefined;
}

/** A node's rules as the test reads the spec (node value, else the definition's, else off). */
interface Rules {
  readonly notStarter: boolean;
  readonly distinctDeciders: boolean;
  readonly notDeciderOf: readonly string[];
}

function rulesOf(spec: Spec, k: number): Rules {
  const n = spec.nodes[k]!;
  return {
    notStarter: n.notStarter ?? spec.notStarter ?? false,
    distinctDeciders: n.distinctDeciders ?? spec.distinctDeciders ?? false,
    notDeciderOf: NODE_IDS.slice(0, k).filter((_, j) => n.notDeciderOfMask[j] === true),
  };
}

type Quorum = Extract<Approver, { kind: 'quorum' }>;

/** Approvals needed out of the electorate (the listed voters separation of duties lets vote). */
function requiredOf(a: Quorum, electorate: number): number {
  if (typeof a.required === 'number') return a.required;
  return a.required === 'all' ? electorate : Math.floor(electorate / 2) + 1;
}

// --- generators

const optionalFlag = fc.constantFrom<boolean | undefined>(undefined, true, false);

const quorumArb: fc.Arbitrary<Approver> = fc.shuffledSubarray(USER_IDS, { minLength: 1, maxLength: 5 }).chain((users) =>
  fc.record({
    kind: fc.constant('quorum' as const),
    users: fc.constant(users),
    required: fc.oneof(fc.integer({ min: 1, max: users.length }), fc.constantFrom('all' as const, 'majority' as const)),
    rejectPolicy: fc.constantFrom('any' as const, 'quorum' as const),
  }),
);

const approverArb: fc.Arbitrary<Approver> = fc.oneof(
  fc.record({ kind: fc.constant('role' as const), role: fc.constantFrom(...ROLES) }),
  fc.record({ kind: fc.constant('user' as const), userId: fc.constantFrom(...USER_IDS) }),
  quorumArb,
  quorumArb,
);

const nodeArb: fc.Arbitrary<NodeSpec> = fc.record({
  approver: approverArb,
  notStarter: optionalFlag,
  distinctDeciders: optionalFlag,
  notDeciderOfMask: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
});

const specArb = (escalation: boolean): fc.Arbitrary<Spec> =>
  fc.record({
    nodes: fc.array(nodeArb, { minLength: 1, maxLength: 3 }),
    escalation: fc.constant(escalation),
    notStarter: optionalFlag,
    distinctDeciders: optionalFlag,
  });

interface Attempt {
  /** a decision, or (where escalation is on) the waiting task's deadline passing and the sweep escalating it */
  readonly kind: 'decide' | 'escalate';
  /** who acts: anyone of the pool, or (more often) one of those who hold the task (the n-th, wrapping round) */
  readonly actor: { readonly among: 'pool' | 'holders'; readonly n: number };
  readonly approve: boolean;
  /** act on an already decided task of the instance instead of the waiting one */
  readonly stale: boolean;
}

const attemptArb = (escalation: boolean): fc.Arbitrary<Attempt> => fc.record({
  kind: escalation ? fc.oneof({ weight: 6, arbitrary: fc.constant('decide' as const) }, { weight: 1, arbitrary: fc.constant('escalate' as const) }) : fc.constant('decide' as const),
  actor: fc.record({
    among: fc.oneof({ weight: 1, arbitrary: fc.constant('pool' as const) }, { weight: 3, arbitrary: fc.constant('holders' as const) }),
    n: fc.integer({ min: 0, max: POOL.length - 1 }),
  }),
  // mostly approvals, so that chains of quorums get through often enough
  approve: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  stale: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

function definitionOf(spec: Spec): object {
  const nodes = spec.nodes.map((n, k) => {
    const a = n.approver;
    const rules = rulesOf(spec, k);
    return {
      id: NODE_IDS[k],
      nodeType: 'approval',
      name: `Approval ${k + 1}`,
      slaHours: SLA_HOURS,
      ...(a.kind === 'role' ? { approverRole: a.role } : {}),
      ...(a.kind === 'user' ? { approverUserId: a.userId } : {}),
      ...(a.kind === 'quorum' ? { quorum: { voters: { users: [...a.users] }, required: a.required, rejectPolicy: a.rejectPolicy } } : {}),
      ...(n.notStarter !== undefined ? { notStarter: n.notStarter } : {}),
      ...(n.distinctDeciders !== undefined ? { distinctDeciders: n.distinctDeciders } : {}),
      ...(rules.notDeciderOf.length > 0 ? { notDeciderOf: [...rules.notDeciderOf] } : {}),
    };
  });
  return {
    name: 'Generated approvals',
    nodes,
    routes: nodes.slice(1).map((n, k) => ({ fromNodeId: NODE_IDS[k], toNodeId: n.id })),
    ...(spec.escalation ? { escalationEnabled: true, escalationRole: ESCALATION_ROLE } : {}),
    ...(spec.notStarter !== undefined ? { notStarter: spec.notStarter } : {}),
    ...(spec.distinctDeciders !== undefined ? { distinctDeciders: spec.distinctDeciders } : {}),
  };
}

// --- reading the state

type MemoryEngine = ReturnType<typeof createMemoryEngine>;

interface Snapshot {
  readonly instance: InstanceState;
  /** every execution of the instance, by id */
  readonly executions: readonly ExecutionState[];
  readonly history: readonly HistoryRow[];
  readonly queued: number;
  readonly events: number;
  readonly slaChecks: number;
}

async function snapshot(e: MemoryEngine, instanceId: string): Promise<Snapshot> {
  return e.ports.store.inTenant(TENANT, async (tx) => {
    const instance = await tx.lockInstance(instanceId);
    if (!instance) throw new Error(`instance ${instanceId} is missing`);
    const executions: ExecutionState[] = [];
    for (const status of EXECUTION_STATUSES) executions.push(...(await tx.executionsWithStatus(instanceId, status)));
    executions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { instance, executions, history: e.store.history(TENANT, instanceId), queued: e.queued.length, events: e.events.length, slaChecks: e.slaChecks.length };
  });
}

/** Everyone who took part in an execution's decision: the decider and every voter. */
function participants(x: ExecutionState): string[] {
  return [...(x.decidedBy !== null ? [x.decidedBy] : []), ...x.votes.map((v) => v.userId)];
}

/**
 * The first rule (in the engine's order) that forbids `userId` from deciding node `k`, given the
 * executions of the other nodes as they stand; null when none does.
 */
function forbiddenBy(spec: Spec, k: number, userId: string, starter: string, others: readonly ExecutionState[]): Rule | null {
  const rules = rulesOf(spec, k);
  const nodeId = NODE_IDS[k];
  if (rules.notStarter && userId === starter) return 'notStarter';
  if (others.some((x) => rules.notDeciderOf.includes(x.nodeId) && participants(x).includes(userId))) return 'notDeciderOf';
  if (rules.distinctDeciders && others.some((x) => x.nodeId !== nodeId && participants(x).includes(userId))) return 'distinctDeciders';
  return null;
}

/**
 * Whether the actor holds the task (may act on it at all): a quorum's listed voters, and nobody
 * else, cast its votes; a single approval is its role's, its user's, an admin's, and once
 * escalated also its escalation role's.
 */
function holds(approver: Approver, actor: Actor, task: Pick<ExecutionState, 'escalatedAt'>): boolean {
  if (approver.kind === 'quorum') return approver.users.includes(actor.userId);
  if (actor.roles.includes('admin')) return true;
  if (task.escalatedAt !== null && actor.roles.includes(ESCALATION_ROLE)) return true;
  return approver.kind === 'role' ? actor.roles.includes(approver.role) : approver.userId === actor.userId;
}

/** The listed voters of node `k` no rule excludes, given the other nodes' executions: its electorate. */
function electorateOf(r: Pick<Run, 'spec' | 'starter'>, k: number, a: Quorum, others: readonly ExecutionState[]): string[] {
  return a.users.filter((u) => forbiddenBy(r.spec, k, u, r.starter, others) === null);
}

/** The quorum's outcome after `votes`, tallied here without the engine's code. */
function outcomeAfter(a: Quorum, electorate: number, votes: readonly ('approved' | 'rejected')[]): 'approved' | 'rejected' | null {
  const approvals = votes.filter((v) => v === 'approved').length;
  const rejections = votes.length - approvals;
  const required = requiredOf(a, electorate);
  if (approvals >= required) return 'approved';
  if (a.rejectPolicy === 'any' ? rejections > 0 : electorate - rejections < required) return 'rejected';
  return null;
}

// --- the run

type Answer = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

interface Step {
  readonly actor: Actor;
  readonly approve: boolean;
  readonly target: ExecutionState;
  readonly before: Snapshot;
  readonly after: Snapshot;
  readonly answer: Answer;
}

interface Run {
  readonly spec: Spec;
  readonly starter: string;
  readonly steps: readonly Step[];
  readonly final: Snapshot;
  /** escalations the sweep made */
  readonly escalated: number;
}

async function run(spec: Spec, starter: string, attempts: readonly Attempt[]): Promise<Run> {
  const e = createMemoryEngine();
  const def = await e.define(TENANT, definitionOf(spec));
  const { instance } = await startInstance(e.ports, TENANT, { workflowDefinitionId: def.id, startedBy: starter, triggerType: 'manual' });
  await e.drain();
  const steps: Step[] = [];
  let escalated = 0;
  for (const a of attempts) {
    if (a.kind === 'escalate') {
      e.clock.advance(SLA_HOURS * 3600_000 + 1);
      escalated += await escalateDueTasks(e.ports, { limit: 10 });
      await e.drain();
      continue;
    }
    const before = await snapshot(e, instance.id);
    const tasks = before.executions.filter((x) => x.nodeType === 'approval');
    const waiting = tasks.find((x) => x.status === 'waiting');
    const decided = tasks.filter((x) => x.status !== 'waiting');
    const target = a.stale || !waiting ? decided[decided.length - 1] ?? waiting : waiting;
    if (!target) continue;
    const approver = spec.nodes[NODE_IDS.indexOf(target.nodeId as (typeof NODE_IDS)[number])]!.approver;
    const holders = POOL.filter((p) => holds(approver, p, target));
    const among = a.actor.among === 'holders' && holders.length > 0 ? holders : POOL;
    const actor = among[a.actor.n % among.length]!;
    let answer: Answer;
    try {
      await decideTask(e.ports, actor, target.id, { action: a.approve ? 'approve' : 'reject' });
      answer = { ok: true };
    } catch (error) {
      answer = { ok: false, error };
    }
    const after = await snapshot(e, instance.id);
    steps.push({ actor, approve: a.approve, target, before, after, answer });
    await e.drain();
  }
  return { spec, starter, steps, final: await snapshot(e, instance.id), escalated };
}

// --- what must hold

function codeOf(answer: Answer): string {
  if (answer.ok) return 'ok';
  return answer.error instanceof EngineError ? answer.error.code : `thrown: ${String(answer.error)}`;
}

const withoutHead = (i: InstanceState) => ({ ...i, lastHistoryHash: null });

/** Nothing of the instance changed: no row, no job, no event. */
function assertUnchanged(s: Step): void {
  expect(s.after.executions).toEqual(s.before.executions);
  expect(s.after.instance).toEqual(s.before.instance);
  expect(s.after.history).toEqual(s.before.history);
  expect([s.after.queued, s.after.events, s.after.slaChecks]).toEqual([s.before.queued, s.before.events, s.before.slaChecks]);
}

/** Each attempt was answered as the rules say, and a refusal changed nothing but its record. */
function checkStep(r: Run, s: Step): void {
  const k = NODE_IDS.indexOf(s.target.nodeId as (typeof NODE_IDS)[number]);
  const approver = r.spec.nodes[k]!.approver;
  const target = s.before.executions.find((x) => x.id === s.target.id)!;
  const others = s.before.executions.filter((x) => x.id !== target.id);
  const code = codeOf(s.answer);
  if (s.before.instance.status !== 'running' || target.status !== 'waiting') {
    expect(['TASK_NOT_WAITING', 'NOT_FOUND', 'NOT_TASK_ASSIGNEE']).toContain(code);
    assertUnchanged(s);
    return;
  }
  if (!holds(approver, s.actor, target)) {
    expect(['NOT_FOUND', 'NOT_TASK_ASSIGNEE']).toContain(code);
    assertUnchanged(s);
    return;
  }
  const rule = forbiddenBy(r.spec, k, s.actor.userId, r.starter, others);
  if (rule !== null) {
    expect(s.answer.ok ? null : s.answer.error).toBeInstanceOf(SeparationOfDutiesError);
    expect(s.answer.ok ? null : (s.answer.error as SeparationOfDutiesError).violation).toMatchObject({ rule, userId: s.actor.userId });
    // the attempt is on record, and nothing else changed
    expect(s.after.history.slice(0, s.before.history.length)).toEqual(s.before.history);
    expect(s.after.history.slice(s.before.history.length)).toEqual([
      expect.objectContaining({
        eventType: 'decision_refused',
        nodeExecutionId: target.id,
        actorUserId: s.actor.userId,
        details: expect.objectContaining({ nodeId: target.nodeId, action: s.approve ? 'approve' : 'reject', code: 'SEPARATION_OF_DUTIES', rule, userId: s.actor.userId }),
      }),
    ]);
    expect(s.after.executions).toEqual(s.before.executions);
    expect(withoutHead(s.after.instance)).toEqual(withoutHead(s.before.instance));
    expect([s.after.queued, s.after.events, s.after.slaChecks]).toEqual([s.before.queued, s.before.events, s.before.slaChecks]);
    return;
  }
  if (approver.kind === 'quorum' && target.votes.some((v) => v.userId === s.actor.userId)) {
    expect(code).toBe('ALREADY_VOTED');
    assertUnchanged(s);
    return;
  }
  expect(code).toBe('ok');
  const added = s.after.history.slice(s.before.history.length).filter((h) => h.nodeExecutionId === target.id).map((h) => h.eventType);
  if (approver.kind === 'quorum') {
    expect(added[0]).toBe('task_voted');
    const votes = [...target.votes.map((v) => v.decision), s.approve ? ('approved' as const) : ('rejected' as const)];
    const outcome = outcomeAfter(approver, electorateOf(r, k, approver, others).length, votes);
    if (outcome === null) expect(added).toEqual(['task_voted']);
    else expect(added.slice(0, 2)).toEqual(['task_voted', outcome === 'approved' ? 'task_approved' : 'task_rejected']);
  } else {
    expect(added[0]).toBe(s.approve ? 'task_approved' : 'task_rejected');
  }
}

/** The property, read from the final state and the history alone. */
function checkCompleted(r: Run): void {
  const { spec, starter, final } = r;
  const refusals = r.steps.filter((s) => !s.answer.ok && s.answer.error instanceof SeparationOfDutiesError).length;
  expect(final.history.filter((h) => h.eventType === 'decision_refused')).toHaveLength(refusals);
  if (final.instance.status !== 'completed') return;
  const byNode = (k: number) => final.executions.filter((x) => x.nodeId === NODE_IDS[k]);
  spec.nodes.forEach((n, k) => {
    const executions = byNode(k);
    expect(executions).toHaveLength(1);
    const x = executions[0]!;
    expect([x.status, x.decision]).toEqual(['completed', 'approved']);
    const earlier = spec.nodes.slice(0, k).flatMap((_, j) => byNode(j));
    const events = final.history.filter((h) => h.nodeExecutionId === x.id);
    const decisions = events.filter((h) => h.eventType === 'task_approved' || h.eventType === 'task_rejected');
    expect(decisions.map((h) => h.eventType)).toEqual(['task_approved']);
    const a = n.approver;
    if (a.kind !== 'quorum') {
      const decider = POOL.find((p) => p.userId === x.decidedBy);
      expect(decider).toBeDefined();
      expect(decisions[0]?.actorUserId).toBe(x.decidedBy);
      expect(holds(a, decider!, x)).toBe(true);
      expect(forbiddenBy(spec, k, decider!.userId, starter, earlier)).toBeNull();
      expect(x.votes).toEqual([]);
      expect(events.filter((h) => h.eventType === 'task_voted')).toEqual([]);
      return;
    }
    // the votes on record: on the execution, and as task_voted events, the same and in order
    const voted = events.filter((h) => h.eventType === 'task_voted');
    expect(voted.map((h) => [h.actorUserId, h.details['decision']])).toEqual(x.votes.map((v) => [v.userId, v.decision]));
    const voters = x.votes.map((v) => v.userId);
    expect(new Set(voters).size).toBe(voters.length);
    // the electorate: the listed voters no rule excludes (as the task recorded them when it was created)
    const electorate = electorateOf(r, k, a, earlier);
    expect(a.users.filter((u) => !x.excludedUsers.includes(u))).toEqual(electorate);
    for (const voter of voters) {
      expect(a.users).toContain(voter);
      expect(forbiddenBy(spec, k, voter, starter, earlier)).toBeNull();
    }
    expect(electorate.length).toBeGreaterThan(0);
    expect(x.votes.filter((v) => v.decision === 'approved').length).toBeGreaterThanOrEqual(requiredOf(a, electorate.length));
    // decided on the last vote: no earlier prefix had an outcome, and no vote follows the decision
    const decisionsSoFar = x.votes.map((v) => v.decision);
    decisionsSoFar.forEach((_, i) => expect(outcomeAfter(a, electorate.length, decisionsSoFar.slice(0, i + 1))).toBe(i === decisionsSoFar.length - 1 ? 'approved' : null));
    expect(events.findIndex((h) => h.eventType === 'task_approved')).toBeGreaterThan(events.findLastIndex((h) => h.eventType === 'task_voted'));
    expect(x.decidedBy).toBe(voters[voters.length - 1]);
  });
}

const starterArb = fc.constantFrom(...USER_IDS);

/** The property over runs with (or without) deadlines passing and escalation on. */
function completionProperty(escalation: boolean) {
  return fc.asyncProperty(specArb(escalation), starterArb, fc.array(attemptArb(escalation), { minLength: 1, maxLength: 24 }), async (spec, starter, attempts) => {
    const r = await run(spec, starter, attempts);
    for (const s of r.steps) checkStep(r, s);
    checkCompleted(r);
  });
}

describe('approvals: completion only through met rules (property)', () => {
  it('completes an instance through its approvals only when each rule was met by the recorded decisions', async () => {
    await fc.assert(completionProperty(false), RUNS);
  });

  it('holds as well when deadlines pass and the tasks are escalated', async () => {
    await fc.assert(completionProperty(true), RUNS);
  });

  it('reaches completion, quorums and refusals in a fair share of the generated runs (the property is not vacuous)', async () => {
    const seen = { completed: 0, completedThroughQuorum: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(specArb(false), starterArb, fc.array(attemptArb(false), { minLength: 8, maxLength: 24 }), async (spec, starter, attempts) => {
        const r = await run(spec, starter, attempts);
        if (r.final.instance.status === 'completed') {
          seen.completed += 1;
          if (spec.nodes.some((n) => n.approver.kind === 'quorum')) seen.completedThroughQuorum += 1;
        }
        if (r.final.history.some((h) => h.eventType === 'decision_refused')) seen.refused += 1;
      }),
      { numRuns: 100, seed: 16 },
    );
    expect(seen.completed).toBeGreaterThanOrEqual(20);
    expect(seen.completedThroughQuorum).toBeGreaterThanOrEqual(10);
    expect(seen.refused).toBeGreaterThanOrEqual(10);
  });

  it('escalates tasks, and lets the escalation role decide them, in a fair share of the runs with deadlines (not vacuous either)', async () => {
    const seen = { escalated: 0, decidedByEscalationRole: 0 };
    await fc.assert(
      fc.asyncProperty(specArb(true), starterArb, fc.array(attemptArb(true), { minLength: 8, maxLength: 24 }), async (spec, starter, attempts) => {
        const r = await run(spec, starter, attempts);
        if (r.escalated > 0) seen.escalated += 1;
        const byEscalation = r.steps.some((s) => {
          if (!s.answer.ok || s.target.escalatedAt === null) return false;
          const approver = spec.nodes[NODE_IDS.indexOf(s.target.nodeId as (typeof NODE_IDS)[number])]!.approver;
          return !holds(approver, s.actor, { escalatedAt: null });
        });
        if (byEscalation) seen.decidedByEscalationRole += 1;
      }),
      { numRuns: 100, seed: 16 },
    );
    expect(seen.escalated).toBeGreaterThanOrEqual(20);
    expect(seen.decidedByEscalationRole).toBeGreaterThanOrEqual(3);
  });
});
