/**
 * W5 quorum votes (issue 16): instances of a 3-of-5 quorum approval -> approve (level 2) are
 * parked at their vote beforehand, on the same engine as W2 and right after it. Two phases:
 *
 * 1. Latency, open loop: at W2's rate of decisions per second, each instance gets three approvals
 *    from three of the five voters (a rotating three, so every voter carries the same load), one
 *    vote every third of the interval: three times W2's requests per second. The vote whose answer
 *    says it decided (`status: "completed"`; normally the third sent, but the instance lock decides
 *    the order) starts the clock, from its *intended* send time, until the level-2 task shows in
 *    `GET /api/tasks/mine` of the level-2 user: the same end point as W2's, so the two p99s sit
 *    side by side. Two pollers ask back to back, as in W2; each task seen is approved at once
 *    (untimed), which completes the instance.
 * 2. Throughput, closed loops: more parked instances, `lanes` at a time, each lane sending its
 *    instance's three votes at once (they queue on the instance lock, as voters acting together
 *    do) and taking the next instance when all three are answered: votes accepted per second.
 *    Then the same on a fresh batch with each instance's votes one after another, three times as
 *    many lanes (as many requests in flight), so that the cost of votes waiting on one task's lock
 *    shows. Their level-2 tasks are approved afterwards, untimed.
 */

import { signToken } from '@wf/runtime';
import type { ProbeDb } from '../bench-resources';
import type { BenchSession } from '../bench-session';
import { drain } from '../correctness';
import { sleep, summarize, type Summary } from '../stats';
import { watchLevelTwo } from './w2-approvals';

/** The quorum node and the level-2 approval after it: what the correctness check expects. */
export const W5_NODE_IDS = ['quorum', 'approve_2'];
const VOTERS = ['bench-v1', 'bench-v2', 'bench-v3', 'bench-v4', 'bench-v5'];
const REQUIRED = 3;

export interface W5Options {
  /** decisions (deciding votes) per second in the latency phase: W2's approvals per second */
  readonly ratePerSecond: number;
  readonly seconds: number;
  /** instances voted through in the throughput phase */
  readonly throughputInstances: number;
  /** instances voted on at once in the throughput phase (three votes each) */
  readonly lanes: number;
  readonly drainTimeoutSeconds: number;
}

export interface W5Result {
  readonly ratePerSecond: number;
  /** votes accepted per second in the latency phase, first intended send to last answer (about 3 x ratePerSecond) */
  readonly openLoopVotesPerSecond: number;
  readonly samples: number;
  /** intended send time of the deciding vote -> the poll answer that first lists the level-2 task */
  readonly visible: Summary;
  /** intended send time -> answer, every vote of the latency phase */
  readonly voteCall: Summary;
  /** the same, the deciding votes only */
  readonly decidingCall: Summary;
  /** one GET /api/tasks/mine round trip */
  readonly poll: Summary;
  /** instances whose deciding vote was not the third one sent (the lock ordered them otherwise) */
  readonly reordered: number;
  /** decisions whose level-2 task never showed */
  readonly unseen: number;
  /** closed loop, each instance's three votes sent at once (they queue on its lock) */
  readonly together: ClosedLoop;
  /** closed loop, each instance's votes one after another, 3 x lanes instances at a time (no vote waits for another's lock) */
  readonly inTurn: ClosedLoop;
  /** instances voted on at once in the closed loop `together` (three times as many in `inTurn`) */
  readonly lanes: number;
  readonly errors: number;
  readonly ids: string[];
}

/** Votes accepted per second, and the instances they decided per second. */
interface ClosedLoop {
  readonly votesPerSecond: number;
  readonly decisionsPerSecond: number;
  readonly votes: number;
  readonly seconds: number;
}

interface VoteAnswer {
  readonly status: 'completed' | 'waiting';
}

/** 3 of the 5 listed voters; escalation on as in W2's chain. */
function quorumChainDefinition(name: string) {
  return {
    name,
    nodes: [
      { id: 'quorum', nodeType: 'approval', name: '3 of 5 approval', slaHours: 24, quorum: { voters: { users: VOTERS }, required: REQUIRED } },
      { id: 'approve_2', nodeType: 'approval', name: 'Level 2 approval', approverRole: 'bench_l2', slaHours: 24 },
    ],
    routes: [{ fromNodeId: 'quorum', toNodeId: 'approve_2' }],
    slaHours: 72,
    escalationEnabled: true,
    escalationRole: 'bench_supervisor',
  };
}

/** The three voters of instance `i`: a rotating window over the five. */
const votersOf = (i: number) => Array.from({ length: REQUIRED }, (_, k) => VOTERS[(i + k) % VOTERS.length] as string);

async function park(s: BenchSession, db: ProbeDb, definitionId: string, n: number, tag: string, timeoutSeconds: number): Promise<{ tasks: Map<string, string>; ids: string[]; errors: number }> {
  const ids: string[] = [];
  let errors = 0;
  for (let i = 0; i < n; i += 16) {
    const batch = await Promise.all(Array.from({ length: Math.min(16, n - i) }, (_, k) => s.start(definitionId, { orderId: `w5-${tag}-${i + k}`, amount: 5000 })));
    for (const r of batch) {
      if (r.id) ids.push(r.id);
      else errors += 1;
    }
  }
  const tasks = await waitingTasks(db, ids, 'quorum', timeoutSeconds);
  return { tasks, ids, errors };
}

/** instance id -> its waiting execution of `nodeId`, once every instance has one (or the timeout). */
async function waitingTasks(db: ProbeDb, ids: readonly string[], nodeId: string, timeoutSeconds: number): Promise<Map<string, string>> {
  const tasks = new Map<string, string>();
  const until = Date.now() + timeoutSeconds * 1000;
  while (tasks.size < ids.length && Date.now() < until) {
    const r = await db.query<{ instance_id: string; id: string }>(
      `SELECT instance_id, id FROM workflow_instance_nodes WHERE instance_id = ANY ($1::uuid[]) AND node_id = $2 AND status = 'waiting'`,
      [ids, nodeId],
    );
    for (const row of r.rows) tasks.set(row.instance_id, row.id);
    if (tasks.size < ids.length) await sleep(100);
  }
  return tasks;
}

type Vote = (taskId: string, voter: string) => Promise<{ status: number }>;

/**
 * `o.throughputInstances` parked instances voted through: `o.lanes` at a time with their votes
 * at once, or `3 x o.lanes` at a time with their votes one after another (the same requests in
 * flight); then their level-2 tasks approved, untimed, so that every instance completes.
 */
async function closedLoop(s: BenchSession, db: ProbeDb, definitionId: string, o: W5Options, vote: Vote, mode: 'together' | 'in-turn'): Promise<{ loop: ClosedLoop; ids: string[]; errors: number }> {
  const batch = await park(s, db, definitionId, o.throughputInstances, mode, o.drainTimeoutSeconds);
  let errors = batch.errors;
  const queue = batch.ids.filter((id) => batch.tasks.has(id));
  const count = (answers: readonly { status: number }[]) => {
    for (const a of answers) {
      if (a.status === 200) accepted += 1;
      else errors += 1;
    }
  };
  let next = 0;
  let accepted = 0;
  const began = performance.now();
  const lane = async () => {
    for (let i = next++; i < queue.length; i = next++) {
      s.cluster.assertAlive();
      const taskId = batch.tasks.get(queue[i] as string) as string;
      if (mode === 'together') count(await Promise.all(votersOf(i).map((v) => vote(taskId, v))));
      else for (const v of votersOf(i)) count([await vote(taskId, v)]);
    }
  };
  // as many requests in flight either way: lanes x 3 votes at once, or 3 x lanes votes one at a time
  await Promise.all(Array.from({ length: mode === 'together' ? o.lanes : o.lanes * REQUIRED }, lane));
  const seconds = (performance.now() - began) / 1000;
  const pending = [...(await waitingTasks(db, queue, 'approve_2', o.drainTimeoutSeconds)).values()];
  await Promise.all(
    Array.from({ length: o.lanes }, async () => {
      for (let taskId = pending.pop(); taskId !== undefined; taskId = pending.pop()) {
        const a = await s.api.request('POST', `/api/tasks/${taskId}/approve`, s.tokens.level2, { comments: 'bench level 2' });
        if (a.status !== 200) errors += 1;
      }
    }),
  );
  return {
    loop: { votesPerSecond: accepted / seconds, decisionsPerSecond: queue.length / seconds, votes: accepted, seconds },
    ids: batch.ids,
    errors: errors + (batch.ids.length - queue.length),
  };
}

export async function runQuorumVotes(s: BenchSession, db: ProbeDb, o: W5Options): Promise<W5Result> {
  const token = (userId: string, roles: string[]) => signToken(s.identity.jwtSecret, { tenantId: s.identity.tenantId, userId, roles, expiresInSeconds: 3600 });
  const voterTokens = new Map(VOTERS.map((v) => [v, token(v, ['bench_voter'])]));
  const definitionId = (await s.api.expect<{ id: string }>(201, 'POST', '/api/definitions', s.tokens.admin, quorumChainDefinition('bench-w5'))).id;
  const vote = (taskId: string, voter: string) => s.api.request<VoteAnswer>('POST', `/api/tasks/${taskId}/approve`, voterTokens.get(voter) as string, { comments: 'bench vote' });
  let errors = 0;

  // --- 1. latency at W2's rate of decisions
  const n = Math.max(1, Math.round(o.ratePerSecond * o.seconds));
  const parked = await park(s, db, definitionId, n, 'latency', o.drainTimeoutSeconds);
  errors += parked.errors;
  const order = parked.ids.filter((id) => parked.tasks.has(id));
  const timed = new Set(order);
  // the deciding vote is known from its answer, which may come after the poll that finds the next task
  const intendedAt = new Map<string, number>();
  const watch = watchLevelTwo(s, (instanceId) => timed.has(instanceId));
  const { seenAt } = watch;

  const voteCall: number[] = [];
  const decidingCall: number[] = [];
  const calls: Promise<unknown>[] = [];
  let reordered = 0;
  let openAccepted = 0;
  const interval = 1000 / o.ratePerSecond;
  const t0 = Date.now() + 50;
  for (let i = 0; i < order.length; i++) {
    const instanceId = order[i] as string;
    const taskId = parked.tasks.get(instanceId) as string;
    const voters = votersOf(i);
    for (let k = 0; k < voters.length; k++) {
      const intended = t0 + i * interval + (k * interval) / voters.length;
      await sleep(Math.max(0, intended - Date.now()));
      s.cluster.assertAlive();
      calls.push(
        vote(taskId, voters[k] as string).then((a) => {
          voteCall.push(a.receivedAt - intended);
          if (a.status !== 200) {
            errors += 1;
            return;
          }
          openAccepted += 1;
          if (a.body.status !== 'completed') return;
          // this vote decided: the clock starts at its intended send time
          intendedAt.set(instanceId, intended);
          decidingCall.push(a.receivedAt - intended);
          if (k !== voters.length - 1) reordered += 1;
        }),
      );
    }
  }
  await Promise.all(calls);
  const openLoopSeconds = (Date.now() - t0) / 1000;
  const seenUntil = Date.now() + o.drainTimeoutSeconds * 1000;
  const unseenYet = () => [...intendedAt.keys()].some((id) => !seenAt.has(id));
  while (unseenYet() && Date.now() < seenUntil) await sleep(20);
  await watch.stop();
  errors += watch.errors();
  const decided = order.filter((id) => intendedAt.has(id));
  const visible = decided.filter((id) => seenAt.has(id)).map((id) => (seenAt.get(id) as number) - (intendedAt.get(id) as number));

  // --- 2. votes per second, closed loop: the three votes of an instance at once, then one after another
  const together = await closedLoop(s, db, definitionId, o, vote, 'together');
  const inTurn = await closedLoop(s, db, definitionId, o, vote, 'in-turn');
  errors += together.errors + inTurn.errors;
  const ids = [...parked.ids, ...together.ids, ...inTurn.ids];
  await drain(db, ids, o.drainTimeoutSeconds);

  return {
    ratePerSecond: o.ratePerSecond,
    openLoopVotesPerSecond: openAccepted / openLoopSeconds,
    samples: decided.length,
    visible: summarize(visible),
    voteCall: summarize(voteCall),
    decidingCall: summarize(decidingCall),
    poll: summarize(watch.pollTimes),
    reordered,
    unseen: decided.length - visible.length,
    together: together.loop,
    inTurn: inTurn.loop,
    lanes: o.lanes,
    // parked instances that never reached their vote, and latency-phase instances never decided
    errors: errors + (parked.ids.length - order.length) + (order.length - decided.length),
    ids,
  };
}
