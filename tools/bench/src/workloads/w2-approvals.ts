/**
 * W2 approvals: instances of approve (level 1) -> approve (level 2) are parked at their first
 * task beforehand; then, at a fixed rate, level 1 approves one, and the time until the second
 * task shows in level 2's `GET /api/tasks/mine` is measured from the intended send time. Two
 * pollers ask back to back, so the resolution is about half a poll's round trip. Each second
 * task seen is approved at once (untimed), which completes the instance and keeps the level-2
 * queue short.
 */

import type { ProbeDb } from '../bench-resources';
import type { BenchSession } from '../bench-session';
import { drain } from '../correctness';
import { sleep, summarize, type Summary } from '../stats';

export interface W2Options {
  readonly definitionId: string;
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly drainTimeoutSeconds: number;
}

export interface W2Result {
  readonly ratePerSecond: number;
  readonly samples: number;
  /** intended approve time -> the poll answer that first lists the next task */
  readonly visible: Summary;
  /** intended approve time -> the approve answer */
  readonly approveCall: Summary;
  /** one GET /api/tasks/mine round trip */
  readonly poll: Summary;
  /** approvals whose next task never showed */
  readonly unseen: number;
  readonly errors: number;
  readonly ids: string[];
}

interface TaskItem {
  readonly taskId: string;
  readonly instanceId: string;
}

/** The level-2 approver's view: when each tracked instance's next task shows in their queue. */
export interface LevelTwoWatch {
  /** instance id -> when a poll first saw its next task */
  readonly seenAt: ReadonlyMap<string, number>;
  /** each poll's round trip */
  readonly pollTimes: readonly number[];
  /** failed polls and failed level-2 approvals so far */
  errors(): number;
  /** stop polling, and wait for the level-2 approvals sent */
  stop(): Promise<void>;
}

/**
 * Two pollers ask the level-2 approver's queue back to back; each tracked task seen is approved
 * at once, so its instance finishes (W2 and W5 measure the same end point the same way).
 */
export function watchLevelTwo(s: BenchSession, tracked: (instanceId: string) => boolean): LevelTwoWatch {
  const seenAt = new Map<string, number>();
  const secondApprovals: Promise<unknown>[] = [];
  const pollTimes: number[] = [];
  let errors = 0;
  let polling = true;
  const poller = async () => {
    while (polling) {
      const sent = Date.now();
      const res = await s.api.request<{ items: TaskItem[] }>('GET', '/api/tasks/mine?limit=100', s.tokens.level2);
      pollTimes.push(res.receivedAt - sent);
      if (res.status !== 200) {
        errors += 1;
        continue;
      }
      for (const item of res.body.items) {
        if (!tracked(item.instanceId) || seenAt.has(item.instanceId)) continue;
        seenAt.set(item.instanceId, res.receivedAt);
        secondApprovals.push(
          s.api.request('POST', `/api/tasks/${item.taskId}/approve`, s.tokens.level2, { comments: 'bench level 2' }).then((a) => {
            if (a.status !== 200) errors += 1;
          }),
        );
      }
    }
  };
  const pollers = [poller(), poller()];
  return {
    seenAt,
    pollTimes,
    errors: () => errors,
    async stop() {
      polling = false;
      await Promise.all(pollers);
      await Promise.all(secondApprovals);
    },
  };
}

export async function runApprovals(s: BenchSession, db: ProbeDb, o: W2Options): Promise<W2Result> {
  const n = Math.max(1, Math.round(o.ratePerSecond * o.seconds));
  let errors = 0;

  // park n instances at their first approval
  const ids: string[] = [];
  for (let i = 0; i < n; i += 16) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(16, n - i) }, (_, k) => s.start(o.definitionId, { orderId: `w2-${i + k}`, amount: 5000 })),
    );
    for (const r of batch) {
      if (r.id) ids.push(r.id);
      else errors += 1;
    }
  }
  const firstTask = new Map<string, string>();
  const parkUntil = Date.now() + o.drainTimeoutSeconds * 1000;
  while (firstTask.size < ids.length && Date.now() < parkUntil) {
    const r = await db.query<{ instance_id: string; id: string }>(
      `SELECT instance_id, id FROM workflow_instance_nodes
       WHERE instance_id = ANY ($1::uuid[]) AND node_id = 'approve_1' AND status = 'waiting'`,
      [ids],
    );
    for (const row of r.rows) firstTask.set(row.instance_id, row.id);
    if (firstTask.size < ids.length) await sleep(100);
  }

  const intendedAt = new Map<string, number>();
  const watch = watchLevelTwo(s, (instanceId) => intendedAt.has(instanceId));

  const approveCall: number[] = [];
  const approvals: Promise<unknown>[] = [];
  const order = ids.filter((id) => firstTask.has(id));
  const interval = 1000 / o.ratePerSecond;
  const t0 = Date.now() + 50;
  for (let i = 0; i < order.length; i++) {
    const intended = t0 + i * interval;
    await sleep(Math.max(0, intended - Date.now()));
    s.cluster.assertAlive();
    const instanceId = order[i] as string;
    intendedAt.set(instanceId, intended);
    approvals.push(
      s.api.request('POST', `/api/tasks/${firstTask.get(instanceId)}/approve`, s.tokens.level1, { comments: 'bench level 1' }).then((a) => {
        if (a.status !== 200) errors += 1;
        approveCall.push(a.receivedAt - intended);
      }),
    );
  }
  await Promise.all(approvals);
  const seenUntil = Date.now() + o.drainTimeoutSeconds * 1000;
  while (watch.seenAt.size < order.length && Date.now() < seenUntil) await sleep(20);
  await watch.stop();
  errors += watch.errors();
  await drain(db, ids, o.drainTimeoutSeconds);

  const { seenAt } = watch;
  const visible = order.filter((id) => seenAt.has(id)).map((id) => (seenAt.get(id) as number) - (intendedAt.get(id) as number));
  return {
    ratePerSecond: o.ratePerSecond,
    samples: order.length,
    visible: summarize(visible),
    approveCall: summarize(approveCall),
    poll: summarize(watch.pollTimes),
    unseen: order.length - visible.length,
    errors: errors + (ids.length - order.length),
    ids,
  };
}
