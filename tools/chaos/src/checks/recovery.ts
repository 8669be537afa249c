/**
 * Faults and how long the engine took to recover from each, measured from Postgres:
 * - recovery: from the fault (or, for an outage, the moment the service was back) to the first
 *   step completed afterwards anywhere in the run;
 * - for a killed or frozen worker: from the signal until each step that worker had in hand (ledger
 *   attempts carry the worker's pid) was run again by another worker or completed, i.e. how long
 *   its work waited for a takeover.
 */

import type { Pool } from 'pg';

export interface Fault {
  readonly scenario: string;
  readonly kind: string;
  readonly target: string;
  /** when the fault began (ms since the epoch) */
  readonly at: number;
  /** when the service came back, for outages */
  restoredAt?: number;
  /** the worker hit, for kills and freezes */
  readonly pid?: number;
}

export interface FaultRecovery {
  readonly fault: Fault;
  /** first completed step after the fault (or its end); null if none */
  readonly recoveryMs: number | null;
  /** steps the hit worker had in hand */
  readonly inHand: number;
  /**
   * the longest wait of those steps until another worker ran it again (or it completed), counted
   * from the last worker fault before that; null when it had none
   */
  readonly inHandResumeMs: number | null;
  /** steps it had in hand that never completed */
  readonly inHandUnfinished: number;
  /** the step that waited longest, with its attempts (for a diagnosis) */
  readonly slowest: string | null;
}

const ts = (ms: number) => ms / 1000;

/**
 * `workerFaultTimes`: when any worker was killed or frozen. A step whose next holder was itself hit
 * waits for that later fault's takeover, so each step's wait counts from the last worker fault
 * before it was taken over.
 */
export async function measureRecovery(db: Pool, tenantId: string, fault: Fault, workerFaultTimes: readonly number[] = []): Promise<FaultRecovery> {
  const from = fault.restoredAt ?? fault.at;
  const first = await db.query<{ first: Date | null }>(
    `SELECT min(completed_at) AS first FROM workflow_instance_nodes
     WHERE tenant_id = $1 AND status = 'completed' AND completed_at > to_timestamp($2::double precision)`,
    [tenantId, ts(from)],
  );
  const firstAt = first.rows[0]?.first ?? null;
  let inHand = 0;
  let inHandResumeMs: number | null = null;
  let inHandUnfinished = 0;
  let slowestId: string | null = null;
  if (fault.pid !== undefined) {
    // per step in hand: the first sign of life after the fault, i.e. another worker running it
    // again (its attempt is noted before the side effect) or its completion
    const rows = await db.query<{ execution_id: string; completed_at: Date | null; resumed_at: Date | null }>(
      `WITH hand AS (
         SELECT DISTINCT a.execution_id FROM chaos_attempts a
         JOIN workflow_instance_nodes n ON n.id = a.execution_id
         WHERE a.pid = $1 AND a.at <= to_timestamp($2::double precision)
           AND (n.completed_at IS NULL OR n.completed_at > to_timestamp($2::double precision)))
       SELECT h.execution_id, n.completed_at,
              LEAST(n.completed_at, (SELECT min(b.at) FROM chaos_attempts b
                                     WHERE b.execution_id = h.execution_id AND b.pid <> $1
                                       AND b.at > to_timestamp($2::double precision))) AS resumed_at
       FROM hand h JOIN workflow_instance_nodes n ON n.id = h.execution_id`,
      [fault.pid, ts(fault.at)],
    );
    inHand = rows.rows.length;
    for (const r of rows.rows) {
      if (!r.completed_at) inHandUnfinished += 1;
      if (!r.resumed_at) continue;
      const resumed = r.resumed_at.getTime();
      const lastHit = Math.max(fault.at, ...workerFaultTimes.filter((t) => t < resumed));
      const wait = resumed - lastHit;
      if (inHandResumeMs === null || wait > inHandResumeMs) slowestId = r.execution_id;
      inHandResumeMs = Math.max(inHandResumeMs ?? 0, wait);
    }
  }
  let slowest: string | null = null;
  if (slowestId) {
    const attempts = await db.query<{ pid: number; attempt: number; at: Date }>(
      `SELECT pid, attempt, at FROM chaos_attempts WHERE execution_id = $1 ORDER BY at`,
      [slowestId],
    );
    const done = await db.query<{ completed_at: Date; node_id: string }>(`SELECT completed_at, node_id FROM workflow_instance_nodes WHERE id = $1`, [slowestId]);
    const rel = (d: Date) => `${d.getTime() - fault.at >= 0 ? '+' : ''}${d.getTime() - fault.at}ms`;
    slowest =
      `${slowestId} ${done.rows[0]?.node_id ?? ''}: ` +
      attempts.rows.map((a) => `attempt ${a.attempt} by pid ${a.pid} at ${rel(a.at)}`).join(', ') +
      (done.rows[0] ? `, completed at ${rel(done.rows[0].completed_at)}` : '');
  }
  return {
    fault,
    slowest,
    recoveryMs: firstAt ? Math.max(0, firstAt.getTime() - from) : null,
    inHand,
    inHandResumeMs,
    inHandUnfinished,
  };
}
