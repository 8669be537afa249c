/**
 * Cross-tenant reads for the scheduler's sweeps and the metrics gauges. They run as the read-only
 * role workflow_sweeper with app.system_read = 'on' (its SELECT-only policies need both); every
 * write happens later in the tenant's own transaction, as workflow_app.
 */

import type { Pool } from 'pg';
import type { NodeJob, SlaCheck, SweepSource } from '@wf/engine';
import { inTransaction } from './pg-checkout';
import { hashHistory } from './history-rows';

export async function systemRead<T>(pool: Pool, work: (q: <R extends object>(text: string, params?: unknown[]) => Promise<R[]>) => Promise<T>): Promise<T> {
  return inTransaction(pool, `BEGIN READ ONLY; SELECT set_config('role', 'workflow_sweeper', true), set_config('app.system_read', 'on', true)`, (client) =>
    work(async <R extends object>(text: string, params: unknown[] = []) => (await client.query<R>(text, params)).rows),
  );
}

/**
 * Work whose wake-up call may be lost: ready executions that waited longer than
 * `olderThanSeconds`, I/O steps whose lease ran out (their worker died), and parents still
 * waiting on a child that has ended.
 */
export async function findStaleWork(pool: Pool, now: Date, olderThanSeconds: number, limit: number): Promise<NodeJob[]> {
  // the jobs as they are sent: the first branch names the union's columns
  return systemRead(pool, (q) =>
    q<NodeJob>(
      `(SELECT 'run'::text AS kind, tenant_id AS "tenantId", instance_id AS "instanceId", id AS "executionId", generation
        FROM workflow_instance_nodes
        WHERE status = 'ready' AND ready_at < $3::timestamptz - make_interval(secs => $1) ORDER BY ready_at LIMIT $2)
       UNION ALL
       (SELECT 'run', tenant_id, instance_id, id, generation FROM workflow_instance_nodes
        WHERE status = 'running' AND lease_expires_at < $3::timestamptz ORDER BY lease_expires_at LIMIT $2)
       UNION ALL
       (SELECT 'resume', n.tenant_id, n.instance_id, n.id, n.generation FROM workflow_instance_nodes n
        JOIN workflow_instances c ON c.parent_node_execution_id = n.id
        WHERE n.status = 'waiting' AND n.waiting_for = 'child' AND c.status <> 'running'
          AND c.completed_at < $3::timestamptz - make_interval(secs => $1) LIMIT $2)
       UNION ALL
       (SELECT 'resume', n.tenant_id, n.instance_id, n.id, n.generation FROM workflow_instance_nodes n
        WHERE n.status = 'waiting' AND n.waiting_for = 'message'
          AND EXISTS (SELECT 1 FROM workflow_messages m WHERE m.status = 'delivered' AND m.delivered_to @> ARRAY[n.id]
                      AND m.created_at < $3::timestamptz - make_interval(secs => $1)) LIMIT $2)`,
      [olderThanSeconds, limit, now],
    ),
  );
}

/**
 * Waits (tasks, timers, receive nodes) whose next time-based event (`wake_at`: a deadline, a
 * reminder, a ladder level, a timeout, a timer's due time) meets `wakeSql`.
 */
async function wakingWaits(pool: Pool, wakeSql: string, params: unknown[], limit: number): Promise<SlaCheck[]> {
  return systemRead(pool, (q) =>
    q<SlaCheck>(
      `SELECT n.tenant_id AS "tenantId", n.instance_id AS "instanceId", n.id AS "executionId", n.wake_at AS "dueAt"
       FROM workflow_instance_nodes n
       JOIN workflow_instances i ON i.id = n.instance_id
       WHERE n.status = 'waiting' AND n.wake_at IS NOT NULL AND ${wakeSql} AND i.status = 'running'
       ORDER BY n.wake_at LIMIT $${params.length + 1}`,
      [...params, limit],
    ),
  );
}

/** Waits whose next timer is due (the sweep's safety net for a lost delayed check). */
export async function findDueEscalations(pool: Pool, now: Date, limit: number): Promise<SlaCheck[]> {
  return wakingWaits(pool, 'n.wake_at <= $1::timestamptz', [now], limit);
}

/**
 * Waits whose next timer falls within the next `withinSeconds`: the sweep gives each its
 * delayed job (the job id makes adding one twice harmless).
 */
export async function findUpcomingDeadlines(pool: Pool, now: Date, withinSeconds: number, limit: number): Promise<SlaCheck[]> {
  return wakingWaits(
    pool,
    'n.wake_at > $2::timestamptz AND n.wake_at <= $2::timestamptz + make_interval(secs => $1)',
    [withinSeconds, now],
    limit,
  );
}

/** The sweeps' reads over the sweeper role; the caller's clock says what "now" is. */
export class PgSweepSource implements SweepSource {
  constructor(private readonly pool: Pool) {}

  staleWork(now: Date, olderThanSeconds: number, limit: number): Promise<NodeJob[]> {
    return findStaleWork(this.pool, now, olderThanSeconds, limit);
  }

  dueTasks(now: Date, limit: number): Promise<SlaCheck[]> {
    return findDueEscalations(this.pool, now, limit);
  }

  upcomingDeadlines(now: Date, withinSeconds: number, limit: number): Promise<SlaCheck[]> {
    return findUpcomingDeadlines(this.pool, now, withinSeconds, limit);
  }
}

export interface CronTriggerRow {
  readonly tenantId: string;
  readonly definitionId: string;
  readonly name: string;
  readonly triggers: unknown[];
}

/** The latest active version of every workflow name, in every tenant, that has a cron trigger. */
export async function findCronTriggerDefinitions(pool: Pool): Promise<CronTriggerRow[]> {
  return systemRead(pool, (q) =>
    q<CronTriggerRow>(
      `SELECT tenant_id AS "tenantId", id AS "definitionId", name, triggers FROM (
         SELECT DISTINCT ON (tenant_id, name) tenant_id, id, name, triggers
         FROM workflow_definitions WHERE is_active ORDER BY tenant_id, name, version DESC) latest
       WHERE triggers @> '[{"type": "cron"}]'::jsonb`,
    ),
  );
}

export interface PurgeOutcome {
  /** instances whose history was purged */
  readonly instances: number;
  /** history rows deleted */
  readonly rows: number;
}

/**
 * The retention purge: the history of instances that finished more than `retentionDays` ago,
 * up to `limit` instances per call. The one sanctioned exception to append-only history, done by
 * the owner's SECURITY DEFINER function `workflow_purge_instance_history`, which the sweeper may
 * call and nothing else may. Each purged chain ends in a `history_purged` row hashed here and
 * chained to the purged head, so verification still holds and says the purge happened.
 */
export async function purgeExpiredHistory(pool: Pool, retentionDays: number, now: Date, newId: () => string, limit = 500): Promise<PurgeOutcome> {
  const candidates = await systemRead(pool, (q) =>
    q<{ id: string; last_history_hash: string | null }>(
      `SELECT id, last_history_hash FROM workflow_instances
       WHERE status <> 'running' AND history_purged_at IS NULL AND completed_at < $3::timestamptz - make_interval(days => $1)
       ORDER BY completed_at LIMIT $2`,
      // the engine clock's time; the owner's purge function checks the age again on its own clock
      [retentionDays, limit, now],
    ),
  );
  let instances = 0;
  let rows = 0;
  for (const c of candidates) {
    const [tombstone] = hashHistory(c.id, c.last_history_hash, [
      { eventType: 'history_purged', nodeExecutionId: null, actorUserId: RETENTION_ACTOR, details: { retentionDays } },
    ], now).rows;
    if (!tombstone) continue;
    const deleted = await inTransaction(pool, `BEGIN; SELECT set_config('role', 'workflow_sweeper', true)`, async (client) => {
      const r = await client.query<{ n: number }>(
        `SELECT workflow_purge_instance_history($1, $2, $3, $4, $5, $6::jsonb, $7) AS n`,
        [c.id, retentionDays, c.last_history_hash, tombstone.id, tombstone.createdAt, JSON.stringify(tombstone.details), tombstone.hash],
      );
      return r.rows[0]?.n ?? -1;
    });
    // -1: the instance changed since it was read (a concurrent purge); the next sweep sees it again
    if (deleted < 0) continue;
    instances += 1;
    rows += deleted;
  }
  return { instances, rows };
}

/** The actor of the purge's own history row. */
export const RETENTION_ACTOR = 'system:retention';
