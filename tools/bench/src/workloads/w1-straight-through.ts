/**
 * W1 straight-through: start -> 5 set_context service tasks -> end, started through the API,
 * completion read from Postgres.
 * - closed loop: keep K instances in flight for a fixed time; instances/s completed in the window
 *   (by the engine's completed_at stamps), with the per-second counts to show the rate stayed flat;
 * - open loop: starts at fixed intended times, at a given rate whatever the engine does; latency
 *   from the intended send time to completed_at (no coordinated omission).
 */

import type { ProbeDb } from '../bench-resources';
import { W1_STEPS, type BenchSession, type NodeQueueProbe } from '../bench-session';
import { drain } from '../correctness';
import { coefficientOfVariation, sleep, summarize, type Summary } from '../stats';

export interface ClosedLoopOptions {
  readonly definitionId: string;
  readonly inflight: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly drainTimeoutSeconds: number;
  /** at most this many start requests outstanding at once, default 16 */
  readonly maxOutstandingStarts?: number;
  /** steps per instance (for steps/s), default W1's 5 */
  readonly steps?: number;
  /** where the instances are (id, definition_id, status, completed_at), default the engine's workflow_instances; A4 has its own */
  readonly instancesTable?: string;
}

/** What a closed loop drives: the engine through a BenchSession, or A4 through its own HTTP start. */
export interface ClosedLoopDriver {
  start: BenchSession['start'];
  readonly cluster: { assertAlive(): void };
}

export interface ClosedLoopResult {
  readonly instancesPerSec: number;
  readonly stepsPerSec: number;
  readonly completedInWindow: number;
  readonly windowSeconds: number;
  readonly inflightTarget: number;
  readonly meanInflight: number;
  /** coefficient of variation of completions per second in the window (0 = perfectly flat) */
  readonly perSecondCv: number;
  /** waiting jobs in the engine's node queue at the start and the end of the window */
  readonly backlogAtStart: number;
  readonly backlogAtEnd: number;
  readonly startErrors: number;
  /** every instance started (warm-up and window) */
  readonly ids: string[];
}

async function runningCount(db: ProbeDb, definitionId: string, table: string): Promise<number> {
  const r = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${table} WHERE definition_id = $1 AND status = 'running'`,
    [definitionId],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** Fire-and-track starts: ids of the started instances, errors counted. */
class Starter {
  readonly ids: string[] = [];
  errors = 0;
  outstanding = 0;
  private readonly pending = new Set<Promise<void>>();
  private seq = 0;

  constructor(
    private readonly s: Pick<ClosedLoopDriver, 'start'>,
    private readonly definitionId: string,
    private readonly tag: string,
  ) {}

  fire(onStarted?: (id: string, receivedAt: number) => void): void {
    this.outstanding += 1;
    const p: Promise<void> = this.s
      .start(this.definitionId, { orderId: `${this.tag}-${this.seq++}`, amount: 100 })
      .then((r) => {
        if (r.id) {
          this.ids.push(r.id);
          onStarted?.(r.id, r.receivedAt);
        } else this.errors += 1;
      })
      .catch(() => {
        this.errors += 1;
      })
      .finally(() => {
        this.outstanding -= 1;
        this.pending.delete(p);
      });
    this.pending.add(p);
  }

  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

/** `queue`: the engine's node queue, on whichever backend it runs, for its backlog at both ends of the window. */
export async function runClosedLoop(s: ClosedLoopDriver, db: ProbeDb, queue: Pick<NodeQueueProbe, 'backlog'>, o: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const starter = new Starter(s, o.definitionId, 'w1c');
  const table = o.instancesTable ?? 'workflow_instances';
  const steps = o.steps ?? W1_STEPS;
  const maxOutstanding = o.maxOutstandingStarts ?? 16;
  const t0 = Date.now() + o.warmupSeconds * 1000;
  const t1 = t0 + o.seconds * 1000;
  let backlogAtStart = -1;
  const inflightSamples: number[] = [];

  for (;;) {
    const now = Date.now();
    if (now >= t1) break;
    s.cluster.assertAlive();
    if (backlogAtStart < 0 && now >= t0) backlogAtStart = await queue.backlog();
    const running = await runningCount(db, o.definitionId, table);
    if (now >= t0) inflightSamples.push(running);
    const deficit = Math.min(o.inflight - running - starter.outstanding, maxOutstanding - starter.outstanding);
    for (let i = 0; i < deficit; i++) starter.fire();
    // every poll is a query on the machine under test: often enough to keep the backlog, no more
    await sleep(20);
  }
  const backlogAtEnd = await queue.backlog();
  await starter.settle();
  await drain(db, starter.ids, o.drainTimeoutSeconds, table);

  const r = await db.query<{ b: number; n: string }>(
    `SELECT floor((extract(epoch FROM completed_at) * 1000 - $2) / 1000)::int AS b, count(*) AS n
     FROM ${table} WHERE id = ANY ($1::uuid[]) AND completed_at >= $3 AND completed_at < $4 GROUP BY 1`,
    [starter.ids, t0, new Date(t0), new Date(t1)],
  );
  const perSecond = Array.from({ length: Math.floor(o.seconds) }, (_, b) => Number(r.rows.find((row) => row.b === b)?.n ?? 0));
  const completedInWindow = r.rows.reduce((sum, row) => sum + Number(row.n), 0);
  const windowSeconds = (t1 - t0) / 1000;
  return {
    instancesPerSec: completedInWindow / windowSeconds,
    stepsPerSec: (completedInWindow * steps) / windowSeconds,
    completedInWindow,
    windowSeconds,
    inflightTarget: o.inflight,
    meanInflight: inflightSamples.length ? inflightSamples.reduce((a, b) => a + b, 0) / inflightSamples.length : Number.NaN,
    perSecondCv: coefficientOfVariation(perSecond),
    backlogAtStart: Math.max(0, backlogAtStart),
    backlogAtEnd,
    startErrors: starter.errors,
    ids: starter.ids,
  };
}

export interface OpenLoopOptions {
  readonly definitionId: string;
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly drainTimeoutSeconds: number;
}

export interface OpenLoopResult {
  readonly ratePerSecond: number;
  readonly sent: number;
  /** intended send time -> completed_at */
  readonly latency: Summary;
  /** intended send time -> the API's started_at stamp (intake) */
  readonly intake: Summary;
  /** one step's hand-off: the execution's ready_at (previous step's clock) -> its completed_at */
  readonly stepHandoff: Summary;
  /** sends that left more than 5 ms after their intended time (the bench itself was late) */
  readonly lateSends: number;
  readonly startErrors: number;
  readonly ids: string[];
}

export async function runOpenLoop(s: BenchSession, db: ProbeDb, o: OpenLoopOptions): Promise<OpenLoopResult> {
  const starter = new Starter(s, o.definitionId, 'w1o');
  const intendedById = new Map<string, number>();
  const n = Math.max(1, Math.round(o.ratePerSecond * o.seconds));
  const interval = 1000 / o.ratePerSecond;
  const t0 = Date.now() + 50;
  let lateSends = 0;
  let i = 0;
  while (i < n) {
    s.cluster.assertAlive();
    const now = Date.now();
    while (i < n && t0 + i * interval <= now) {
      const intended = t0 + i * interval;
      if (now - intended > 5) lateSends += 1;
      starter.fire((id) => intendedById.set(id, intended));
      i += 1;
    }
    if (i < n) await sleep(Math.max(0, t0 + i * interval - Date.now()));
  }
  await starter.settle();
  await drain(db, starter.ids, o.drainTimeoutSeconds);

  const r = await db.query<{ id: string; done: string | null; started: string }>(
    `SELECT id, extract(epoch FROM completed_at) * 1000 AS done, extract(epoch FROM started_at) * 1000 AS started
     FROM workflow_instances WHERE id = ANY ($1::uuid[])`,
    [starter.ids],
  );
  const latency: number[] = [];
  const intake: number[] = [];
  for (const row of r.rows) {
    const intended = intendedById.get(row.id);
    if (intended === undefined) continue;
    intake.push(Number(row.started) - intended);
    if (row.done !== null) latency.push(Number(row.done) - intended);
  }
  const steps = await db.query<{ ms: string }>(
    `SELECT extract(epoch FROM (completed_at - ready_at)) * 1000 AS ms FROM workflow_instance_nodes
     WHERE instance_id = ANY ($1::uuid[]) AND completed_at IS NOT NULL`,
    [starter.ids],
  );
  return {
    ratePerSecond: o.ratePerSecond,
    sent: n,
    latency: summarize(latency),
    intake: summarize(intake),
    stepHandoff: summarize(steps.rows.map((row) => Number(row.ms))),
    lateSends,
    startErrors: starter.errors,
    ids: starter.ids,
  };
}
