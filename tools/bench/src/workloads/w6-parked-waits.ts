/**
 * W6 parked waits (issue 17): instances parked in the middle of a process through the real engine
 * (`POST /api/instances`, the worker running each first step), half on a long timer (P7D, far
 * beyond the SLA queue's horizon of 2 x TASK_QUEUE_REFRESH_INTERVAL_SECONDS) and half on receive
 * nodes (no timeout, so no wake-up time at all). Each wait lives in Postgres only: the delayed job
 * of a timer is created once it comes within the horizon, so a parked wait holds no Redis memory.
 *
 * Parking goes in two steps, to a tenth of the target and then to the target. At the start and at
 * each step the bench weighs what Redis holds under the engine's prefix (keys, and MEMORY USAGE of
 * every key but the capped event streams), `INFO memory` used_memory (every client of that Redis
 * counts), and the delayed jobs of the SLA queue; what grew between the two steps, divided by the
 * waits parked between them, is the Redis cost of one parked wait (the fixed costs, such as an
 * event stream filling up to its cap, are in the first step).
 *
 * At each step, message correlation latency, open loop: at a fixed rate, `POST /api/messages`
 * names one parked receiver by its correlation key; the clock runs from the *intended* send time
 * to the `completed_at` of the step after the receive node (a `set_context`), which the engine
 * writes in the transaction that commits it. The receivers messaged complete; every other
 * instance stays parked, and is checked to sit at exactly one waiting execution.
 */

import type { Redis } from 'ioredis';
import { SLA_QUEUE } from '@wf/queue';
import type { ProbeDb } from '../bench-resources';
import type { BenchSession } from '../bench-session';
import { drain, type Correctness } from '../correctness';
import { fmt, verdict, type ReportSection } from '../report';
import { prefixMemory, readRedisCounters } from '../resource-meters';
import { round, sleep, summarize, type Summary } from '../stats';

/** The receive node and the step after it: what the correctness check expects of a messaged instance. */
export const W6_NODE_IDS = ['w6_receive', 'w6_done'];
/** steps counted per messaged instance: the receive node parks (1), is resumed (2), the set_context after it (3) */
export const W6_STEPS = 3;
const MESSAGE_NAME = 'bench_w6_payment';
const TIMER_DURATION = 'P7D';

interface W6Options {
  /** waits parked in all (half timers, half receivers); the first step parks a tenth of them */
  readonly parked: number;
  /** starts in flight at once while parking */
  readonly lanes: number;
  /** messages per second in each latency phase */
  readonly ratePerSecond: number;
  /** length of each latency phase */
  readonly seconds: number;
  readonly drainTimeoutSeconds: number;
  /** the Redis the engine's queues are on, and its key prefix */
  readonly redis: Redis;
  readonly prefix: string;
  /** progress lines (parking 100,000 takes minutes), default none */
  readonly progress?: (line: string) => void;
}

/** What Redis holds at one point of the run. */
interface RedisFootprint {
  /** every key under the engine prefix */
  readonly keys: number;
  /** MEMORY USAGE of those keys, the event streams (capped) left out */
  readonly bytes: number;
  /** MEMORY USAGE of the queues' event streams (BullMQ caps each at 10,000 entries) */
  readonly eventBytes: number;
  /** INFO memory used_memory: every client of that Redis counts */
  readonly usedMemory: number;
  /** delayed jobs of the SLA queue (timer wake-ups within the horizon) */
  readonly slaDelayed: number;
}

interface MessageLatency {
  readonly ratePerSecond: number;
  readonly samples: number;
  /** intended send time -> completed_at of the step after the receive node */
  readonly committed: Summary;
  /** intended send time -> the answer of POST /api/messages */
  readonly call: Summary;
  /** answers other than `delivered` to exactly one instance */
  readonly notDelivered: number;
  /** messaged instances whose next step never committed */
  readonly unseen: number;
}

interface W6Level {
  /** waits parked when it was measured (timers + receivers) */
  readonly parked: number;
  readonly timers: number;
  readonly receivers: number;
  /** wall time to park the waits added at this step (start -> every one waiting) */
  readonly parkSeconds: number;
  /** the instances started per second while parking them */
  readonly startsPerSecond: number;
  readonly redis: RedisFootprint;
  readonly latency: MessageLatency;
}

export interface W6Result {
  readonly before: RedisFootprint;
  readonly levels: readonly W6Level[];
  /** growth between the first and the last step, per wait parked in between */
  readonly perWait: { keys: number; bytes: number; usedMemory: number };
  readonly errors: number;
  /** the instances messaged (completed) */
  readonly messagedIds: string[];
  /** the instances still parked at the end */
  readonly parkedIds: string[];
}

function timerDefinition(name: string) {
  return {
    name,
    nodes: [
      { id: 'w6_timer', nodeType: 'timer', name: 'Wait a week', duration: TIMER_DURATION },
      { id: 'w6_done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { waited: true } } },
    ],
    routes: [{ fromNodeId: 'w6_timer', toNodeId: 'w6_done' }],
  };
}

function receiveDefinition(name: string) {
  return {
    name,
    nodes: [
      { id: 'w6_receive', nodeType: 'receive', name: 'Payment confirmed', messageName: MESSAGE_NAME, correlationKey: 'context.orderId' },
      { id: 'w6_done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { paid: true } } },
    ],
    routes: [{ fromNodeId: 'w6_receive', toNodeId: 'w6_done' }],
  };
}

async function footprint(redis: Redis, prefix: string): Promise<RedisFootprint> {
  const all = await prefixMemory(redis, prefix, (key) => key.endsWith(':events'));
  const events = await prefixMemory(redis, prefix, (key) => !key.endsWith(':events'));
  let keys = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys += found.length;
  } while (cursor !== '0');
  const slaDelayed = await redis.zcard(`${prefix}:${SLA_QUEUE}:delayed`);
  return { keys, bytes: all.bytes, eventBytes: events.bytes, usedMemory: (await readRedisCounters(redis)).usedMemory, slaDelayed };
}

interface Parked {
  readonly id: string;
  readonly kind: 'timer' | 'receive';
  readonly orderId: string;
}

export async function runParkedWaits(s: BenchSession, db: ProbeDb, o: W6Options): Promise<W6Result> {
  const create = async (body: object) => (await s.api.expect<{ id: string }>(201, 'POST', '/api/definitions', s.tokens.admin, body)).id;
  const stamp = Date.now().toString(36);
  const timerDef = await create(timerDefinition(`bench-w6-timer-${stamp}`));
  const receiveDef = await create(receiveDefinition(`bench-w6-receive-${stamp}`));
  let errors = 0;
  const parked: Parked[] = [];
  const messaged = new Set<string>();
  let seq = 0;

  /** start instances until `target` are parked in all, and wait for every first step to have run */
  const parkTo = async (target: number): Promise<{ seconds: number; startsPerSecond: number }> => {
    const t0 = performance.now();
    const from = parked.length;
    const lane = async () => {
      while (seq < target) {
        const i = seq++;
        const kind = i % 2 === 0 ? 'timer' : 'receive';
        const orderId = `w6-${stamp}-${i}`;
        const r = await s.start(kind === 'timer' ? timerDef : receiveDef, { orderId });
        if (r.id) parked.push({ id: r.id, kind, orderId });
        else errors += 1;
      }
    };
    const ticker = setInterval(() => o.progress?.(`W6: ${parked.length.toLocaleString('en-US')} of ${target.toLocaleString('en-US')} started`), 30_000);
    try {
      await Promise.all(Array.from({ length: o.lanes }, lane));
    } finally {
      clearInterval(ticker);
    }
    const startsPerSecond = (parked.length - from) / ((performance.now() - t0) / 1000);
    o.progress?.(`W6: ${parked.length.toLocaleString('en-US')} started (${startsPerSecond.toFixed(0)}/s); waiting for every first step to park`);
    // the worker may run the first steps well behind the starts: wait while they make progress
    const stallMs = Math.max(o.drainTimeoutSeconds, 60) * 1000;
    let lastWaiting = -1;
    let lastProgress = Date.now();
    let nextLog = Date.now() + 30_000;
    for (;;) {
      s.cluster.assertAlive();
      const r = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM workflow_instance_nodes
         WHERE tenant_id = $1 AND node_id IN ('w6_timer', 'w6_receive') AND status = 'waiting' AND instance_id IN (
           SELECT id FROM workflow_instances WHERE tenant_id = $1 AND definition_id IN ($2, $3))`,
        [s.identity.tenantId, timerDef, receiveDef],
      );
      const waiting = Number(r.rows[0]?.n ?? 0);
      if (waiting > lastWaiting) {
        lastWaiting = waiting;
        lastProgress = Date.now();
      }
      if (waiting >= parked.length - messaged.size) break;
      if (Date.now() - lastProgress > stallMs) {
        o.progress?.(`W6: only ${waiting} of ${parked.length - messaged.size} parked, none more for ${stallMs / 1000} s`);
        break;
      }
      if (Date.now() >= nextLog) {
        o.progress?.(`W6: ${waiting.toLocaleString('en-US')} of ${(parked.length - messaged.size).toLocaleString('en-US')} parked`);
        nextLog = Date.now() + 30_000;
      }
      await sleep(250);
    }
    // let the scheduler's SLA sweep (which gives waits within the horizon their delayed job) pass
    await sleep(1000);
    return { seconds: (performance.now() - t0) / 1000, startsPerSecond };
  };

  const measureLatency = async (): Promise<MessageLatency> => {
    const candidates = parked.filter((p) => p.kind === 'receive' && !messaged.has(p.id));
    const n = Math.min(candidates.length, Math.max(1, Math.round(o.ratePerSecond * o.seconds)));
    // a random sample of the parked receivers, spread over the whole index
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [candidates[i], candidates[j]] = [candidates[j] as Parked, candidates[i] as Parked];
    }
    const sample = candidates.slice(0, n);
    const intendedAt = new Map<string, number>();
    const call: number[] = [];
    let notDelivered = 0;
    const sends: Promise<unknown>[] = [];
    const interval = 1000 / o.ratePerSecond;
    const t0 = Date.now() + 50;
    for (let i = 0; i < sample.length; i++) {
      const p = sample[i] as Parked;
      const intended = t0 + i * interval;
      await sleep(Math.max(0, intended - Date.now()));
      s.cluster.assertAlive();
      intendedAt.set(p.id, intended);
      messaged.add(p.id);
      sends.push(
        s.api
          .request<{ status?: string; resumed?: number; instanceIds?: string[] }>('POST', '/api/messages', s.tokens.starter, {
            name: MESSAGE_NAME,
            correlationKey: p.orderId,
            data: { amount: 100 + i },
          })
          .then((res) => {
            call.push(res.receivedAt - intended);
            if (res.status !== 200) errors += 1;
            if (res.status !== 200 || res.body.status !== 'delivered' || res.body.resumed !== 1 || res.body.instanceIds?.[0] !== p.id) notDelivered += 1;
          }),
      );
    }
    await Promise.all(sends);
    const ids = sample.map((p) => p.id);
    await drain(db, ids, o.drainTimeoutSeconds);
    const r = await db.query<{ instance_id: string; done: Date | null }>(
      `SELECT instance_id, completed_at AS done FROM workflow_instance_nodes WHERE instance_id = ANY ($1::uuid[]) AND node_id = 'w6_done' AND status = 'completed'`,
      [ids],
    );
    const committed = r.rows.filter((row) => row.done).map((row) => (row.done as Date).getTime() - (intendedAt.get(row.instance_id) as number));
    return { ratePerSecond: o.ratePerSecond, samples: sample.length, committed: summarize(committed), call: summarize(call), notDelivered, unseen: sample.length - committed.length };
  };

  const before = await footprint(o.redis, o.prefix);
  const levels: W6Level[] = [];
  for (const target of [...new Set([Math.max(2, Math.round(o.parked / 10)), o.parked])]) {
    const park = await parkTo(target);
    const redis = await footprint(o.redis, o.prefix);
    const timers = parked.filter((p) => p.kind === 'timer').length;
    const receivers = parked.filter((p) => p.kind === 'receive' && !messaged.has(p.id)).length;
    const latency = await measureLatency();
    levels.push({
      parked: timers + receivers,
      timers,
      receivers,
      parkSeconds: park.seconds,
      startsPerSecond: park.startsPerSecond,
      redis,
      latency,
    });
  }
  const first = levels[0] as W6Level;
  const last = levels[levels.length - 1] as W6Level;
  const between = Math.max(1, last.parked - first.parked);
  return {
    before,
    levels,
    perWait: {
      keys: (last.redis.keys - first.redis.keys) / between,
      bytes: (last.redis.bytes - first.redis.bytes) / between,
      usedMemory: (last.redis.usedMemory - first.redis.usedMemory) / between,
    },
    errors,
    messagedIds: [...messaged],
    parkedIds: parked.filter((p) => !messaged.has(p.id)).map((p) => p.id),
  };
}

/** Parked waits: each instance running, with exactly one execution, waiting on its timer or message. */
export async function checkParkedWaits(db: ProbeDb, ids: readonly string[]): Promise<Correctness> {
  if (ids.length === 0) return { instances: 0, completed: 0, running: 0, missing: 0, lostSteps: 0, duplicateSteps: 0, badTerminal: 0 };
  const r = await db.query<{ n: string; ok: string; dup: string; missing: string }>(
    `WITH ids AS (SELECT DISTINCT unnest($1::uuid[]) AS id),
     per AS (SELECT ids.id, i.status, count(n.id) AS execs,
                    count(n.id) FILTER (WHERE n.status = 'waiting' AND n.waiting_for IN ('timer', 'message')) AS waiting
             FROM ids LEFT JOIN workflow_instances i ON i.id = ids.id LEFT JOIN workflow_instance_nodes n ON n.instance_id = ids.id
             GROUP BY ids.id, i.status)
     SELECT count(*) AS n, count(*) FILTER (WHERE status = 'running' AND execs = 1 AND waiting = 1) AS ok,
       coalesce(sum(greatest(execs - 1, 0)), 0) AS dup, count(*) FILTER (WHERE status IS NULL OR waiting = 0) AS missing
     FROM per`,
    [ids],
  );
  const row = r.rows[0];
  const missing = Number(row?.missing ?? 0);
  // a parked instance is "complete" for this check when it waits exactly once
  return { instances: Number(row?.n ?? 0), completed: Number(row?.ok ?? 0), running: 0, missing, lostSteps: missing, duplicateSteps: Number(row?.dup ?? 0), badTerminal: 0 };
}

/** The W6 fields of the run's JSON line. */
export function w6Json(w6: W6Result): Record<string, unknown> {
  const last = w6.levels[w6.levels.length - 1];
  return {
    w6Parked: last?.parked ?? 0,
    w6RedisKeysPerWait: round(w6.perWait.keys, 4),
    w6RedisBytesPerWait: round(w6.perWait.bytes, 2),
    w6UsedMemoryBytesPerWait: round(w6.perWait.usedMemory, 2),
    w6SlaDelayedJobs: last?.redis.slaDelayed ?? null,
    w6MessageP50Ms: round(last?.latency.committed.p50 ?? Number.NaN, 1),
    w6MessageP99Ms: round(last?.latency.committed.p99 ?? Number.NaN, 1),
    w6MessageCallP99Ms: round(last?.latency.call.p99 ?? Number.NaN, 1),
    w6Levels: w6.levels.map((l) => ({
      parked: l.parked,
      parkSeconds: round(l.parkSeconds, 1),
      startsPerSec: round(l.startsPerSecond, 0),
      redisKeys: l.redis.keys,
      redisBytes: l.redis.bytes,
      eventStreamBytes: l.redis.eventBytes,
      usedMemory: l.redis.usedMemory,
      slaDelayed: l.redis.slaDelayed,
      messageP50Ms: round(l.latency.committed.p50, 1),
      messageP99Ms: round(l.latency.committed.p99, 1),
      callP99Ms: round(l.latency.call.p99, 1),
      samples: l.latency.samples,
    })),
  };
}

/** The W6 section of the table. */
export function w6Section(w6: W6Result): ReportSection {
  const n = (v: number) => v.toLocaleString('en-US');
  return {
    title: `W6 parked waits (half on a ${TIMER_DURATION} timer, half on receive nodes, parked through the engine)`,
    rows: [
      { label: 'before parking: keys / bytes under the prefix', value: `${n(w6.before.keys)} keys, ${n(w6.before.bytes)} bytes (event streams ${n(w6.before.eventBytes)}, used_memory ${n(w6.before.usedMemory)})` },
      ...w6.levels.flatMap((l) => [
        {
          label: `${n(l.parked)} parked (${n(l.timers)} timers, ${n(l.receivers)} receivers)`,
          value: `${n(l.redis.keys)} keys, ${n(l.redis.bytes)} bytes, ${l.redis.slaDelayed} delayed SLA jobs`,
        },
        { label: '  parked in / starts per second', value: `${fmt(l.parkSeconds, 1)} s, ${fmt(l.startsPerSecond, 0)} /s` },
        { label: '  event streams (capped) / used_memory (every client)', value: `${n(l.redis.eventBytes)} / ${n(l.redis.usedMemory)} bytes` },
        {
          label: `  message -> next step committed p50 / p99`,
          value: `${fmt(l.latency.committed.p50, 1)} / ${fmt(l.latency.committed.p99, 1)} ms (n=${l.latency.samples} at ${l.latency.ratePerSecond}/s)`,
        },
        { label: '  POST /api/messages p50 / p99', value: `${fmt(l.latency.call.p50, 1)} / ${fmt(l.latency.call.p99, 1)} ms` },
        { label: '  not delivered to one / never committed', value: `${l.latency.notDelivered} / ${l.latency.unseen}` },
      ]),
      {
        label: 'Redis per parked wait (last step over the first)',
        value: `${fmt(w6.perWait.keys, 4)} keys, ${fmt(w6.perWait.bytes, 2)} bytes`,
        target: '~0',
        verdict: verdict(w6.perWait.bytes, (v) => v < 16),
      },
      { label: '  used_memory per parked wait', value: fmt(w6.perWait.usedMemory, 2, 'bytes') },
    ],
  };
}
