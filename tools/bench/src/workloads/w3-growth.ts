/**
 * W3 growth: instances parked at an approval, as a busy tenant accumulates them.
 * - `seedParked` inserts them in bulk with SQL (as the superuser, past RLS): per instance the
 *   instance row, one waiting task (90 % for one of 100 roles, 10 % for a named user, deadlines
 *   spread over a week so some are overdue, and those already escalated, as the SLA sweep would
 *   have done) and three history rows, in the bench tenant, so they sit in the same task-queue
 *   indexes the engine's own tasks use.
 * - `taskQueueLatency` times `GET /api/tasks/mine?limit=100` for a user holding one of those roles.
 * - `engineParkedMemory` parks instances through the real engine instead and measures the Redis
 *   memory they hold (SQL seeding cannot show what the engine itself puts in Redis).
 */

import type { Redis } from 'ioredis';
import type { ProbeDb } from '../bench-resources';
import { SLA_QUEUE } from '@wf/queue';
import { PARKED_ROLES, type BenchSession } from '../bench-session';
import { prefixMemory, readRedisCounters } from '../resource-meters';
import { sleep, summarize, type Summary } from '../stats';

const SEED_BATCH = 10_000;

export async function seedParked(db: ProbeDb, tenantId: string, definitionId: string, count: number): Promise<number> {
  const t0 = performance.now();
  for (let done = 0; done < count; done += SEED_BATCH) {
    const n = Math.min(SEED_BATCH, count - done);
    await db.query(
      `WITH src AS (
         SELECT gen_random_uuid() AS id, gen_random_uuid() AS exec_id, g,
                now() - random() * interval '7 days' AS t, random() AS r
         FROM generate_series(1, $3::int) g),
       inst AS (
         INSERT INTO workflow_instances (id, tenant_id, definition_id, status, context_data, trigger_type, started_by,
           open_executions, step_count, sla_deadline, started_at, created_at, updated_at)
         SELECT id, $1, $2, 'running',
           jsonb_build_object('amount', (random() * 50000)::int, 'requester', 'user-' || (g % 997), 'costCenter', 'CC-' || (g % 50)),
           'manual', 'user-' || (g % 997), 1, 1, t + interval '72 hours', t, t, t
         FROM src RETURNING id),
       node AS (
         INSERT INTO workflow_instance_nodes (id, tenant_id, instance_id, node_id, node_type, node_name, status, waiting_for,
           assigned_user_id, assigned_role, escalation_role, sla_deadline, escalated_at, ready_at, started_at, created_at, updated_at, wake_at)
         SELECT exec_id, $1, id, 'approve', 'approval', 'Approve', 'waiting', 'task',
           CASE WHEN r < 0.1 THEN 'parked_user_' || (g % $4::int) END,
           CASE WHEN r >= 0.1 THEN 'parked_role_' || (g % $4::int) END,
           'bench_supervisor', t + interval '48 hours',
           CASE WHEN t + interval '48 hours' < now() THEN least(now(), t + interval '48 hours 5 minutes') END,
           t, t, t, t,
           -- as the engine parks them: the next wake is the deadline, until it is breached
           CASE WHEN t + interval '48 hours' >= now() THEN t + interval '48 hours' END
         FROM src RETURNING id)
       INSERT INTO workflow_instance_history (tenant_id, instance_id, node_execution_id, event_type, details, created_at)
       SELECT $1, src.id, CASE WHEN e.k = 'instance_started' THEN NULL ELSE src.exec_id END, e.k,
         jsonb_build_object('nodeId', 'approve'), src.t
       FROM src CROSS JOIN (VALUES ('instance_started'), ('node_started'), ('task_created')) AS e(k)`,
      [tenantId, definitionId, n, PARKED_ROLES],
    );
  }
  // as a maintained database would be: statistics fresh, visibility map set, and no autovacuum
  // pass landing in the middle of the next measurement
  await db.query('VACUUM (ANALYZE) workflow_instances, workflow_instance_nodes, workflow_instance_history');
  return (performance.now() - t0) / 1000;
}

export interface TaskQueueResult {
  readonly latency: Summary;
  /** items in the last answer (limit 100) */
  readonly items: number;
  readonly errors: number;
}

/** Sequential requests on an otherwise idle engine, after a few unmeasured ones; `count` or `seconds`, whichever ends first. */
export async function taskQueueLatency(s: BenchSession, count: number, seconds: number): Promise<TaskQueueResult> {
  const times: number[] = [];
  let items = 0;
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  for (let i = -10; i < count && performance.now() < until; i++) {
    const sent = performance.now();
    const res = await s.api.request<{ items: unknown[] }>('GET', '/api/tasks/mine?limit=100', s.tokens.clerk);
    const ms = performance.now() - sent;
    if (res.status !== 200) {
      errors += 1;
      continue;
    }
    items = res.body.items.length;
    if (i >= 0) times.push(ms);
  }
  return { latency: summarize(times), items, errors };
}

export interface EngineParkedMemory {
  readonly parked: number;
  /**
   * keys under the engine prefix, event streams left out (they are capped at 10,000 entries), SLA
   * jobs counted only for the parked instances' own executions
   */
  readonly prefixBytesPerInstance: number;
  readonly prefixKeysPerInstance: number;
  /** INFO memory used_memory delta: every client of that Redis counts */
  readonly usedMemoryBytesPerInstance: number;
}

/** Park `count` instances at their first approval through the API and weigh what Redis holds for them. */
export async function engineParkedMemory(s: BenchSession, db: ProbeDb, redis: Redis, prefix: string, definitionId: string, count: number, timeoutSeconds: number): Promise<EngineParkedMemory & { ids: string[] }> {
  // SLA jobs stay out of the before/after comparison: while this runs, the SLA sweep keeps adding
  // them for the SQL-seeded tasks whose deadlines come near. The parked instances' own SLA jobs,
  // if any, are added back below.
  const skip = (key: string) => key.endsWith(':events') || key.startsWith(`${prefix}:${SLA_QUEUE}:`);
  const before = await prefixMemory(redis, prefix, skip);
  const usedBefore = (await readRedisCounters(redis)).usedMemory;
  const ids: string[] = [];
  for (let i = 0; i < count; i += 16) {
    const batch = await Promise.all(Array.from({ length: Math.min(16, count - i) }, (_, k) => s.start(definitionId, { orderId: `park-${i + k}` })));
    for (const r of batch) if (r.id) ids.push(r.id);
  }
  const until = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < until) {
    const r = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM workflow_instance_nodes WHERE instance_id = ANY ($1::uuid[]) AND status = 'waiting'`,
      [ids],
    );
    if (Number(r.rows[0]?.n ?? 0) >= ids.length) break;
    await sleep(100);
  }
  await sleep(300); // SLA checks are scheduled right after each step's commit
  const after = await prefixMemory(redis, prefix, skip);
  const own = await slaJobsOf(db, redis, prefix, ids);
  const usedAfter = (await readRedisCounters(redis)).usedMemory;
  const parked = Math.max(1, ids.length);
  return {
    parked: ids.length,
    prefixBytesPerInstance: (after.bytes - before.bytes + own.bytes) / parked,
    prefixKeysPerInstance: (after.keys - before.keys + own.keys) / parked,
    usedMemoryBytesPerInstance: (usedAfter - usedBefore) / parked,
    ids,
  };
}

/** The delayed SLA jobs (job id `sla-<execution id>-<due>`) of the executions of these instances. */
async function slaJobsOf(db: ProbeDb, redis: Redis, prefix: string, instanceIds: readonly string[]): Promise<{ bytes: number; keys: number }> {
  const r = await db.query<{ id: string }>(`SELECT id FROM workflow_instance_nodes WHERE instance_id = ANY ($1::uuid[])`, [instanceIds]);
  const executions = new Set(r.rows.map((row) => row.id));
  const jobKey = `${prefix}:${SLA_QUEUE}:sla-`;
  return prefixMemory(redis, `${prefix}:${SLA_QUEUE}`, (key) => !key.startsWith(jobKey) || !executions.has(key.slice(jobKey.length, jobKey.length + 36)));
}
