/**
 * Waiting for a scenario to settle after its faults: every instance ended (or parked on purpose
 * at a task nobody decides), no execution ready or running, no deadline due but unescalated, and
 * every queue drained.
 */

import type { Pool } from 'pg';
import { sleep } from '../infra/run-command';
import { describeCounts, pendingJobs, queueCounts, type QueueLocation } from './queue-probe';

export interface SettleResult {
  readonly settled: boolean;
  readonly ms: number;
  /** what was still open when it gave up (or `settled`) */
  readonly state: string;
}

interface OpenWork {
  running: number;
  busy: number;
  due: number;
}

async function openWork(db: Pool, tenantId: string, scenario: string): Promise<OpenWork> {
  const { rows } = await db.query<OpenWork>(
    `WITH s AS (SELECT * FROM workflow_instances WHERE tenant_id = $1 AND context_data->>'chaosScenario' = $2)
     SELECT
       (SELECT count(*)::int FROM s WHERE s.status = 'running' AND NOT (coalesce(s.context_data->>'park', '') = 'true' AND EXISTS (
          SELECT 1 FROM workflow_instance_nodes n WHERE n.instance_id = s.id AND n.status = 'waiting' AND n.waiting_for = 'task'))) AS running,
       (SELECT count(*)::int FROM workflow_instance_nodes n JOIN s ON s.id = n.instance_id WHERE n.status IN ('ready', 'running')) AS busy,
       (SELECT count(*)::int FROM workflow_instance_nodes n JOIN s ON s.id = n.instance_id JOIN workflow_definitions d ON d.id = s.definition_id
         WHERE n.status = 'waiting' AND n.waiting_for = 'task' AND d.escalation_enabled AND n.escalated_at IS NULL
           AND n.sla_deadline < now()) AS due`,
    [tenantId, scenario],
  );
  return rows[0] as OpenWork;
}

export async function waitForSettle(opts: {
  db: Pool;
  tenantId: string;
  scenario: string;
  queues: QueueLocation;
  timeoutMs: number;
}): Promise<SettleResult> {
  const started = Date.now();
  let state = 'not checked yet';
  while (Date.now() - started < opts.timeoutMs) {
    try {
      const work = await openWork(opts.db, opts.tenantId, opts.scenario);
      const counts = await queueCounts(opts.queues);
      const jobs = pendingJobs(counts);
      state = `running ${work.running}, ready/running executions ${work.busy}, due unescalated ${work.due}, queues: ${describeCounts(counts)}`;
      if (work.running === 0 && work.busy === 0 && work.due === 0 && jobs === 0) {
        return { settled: true, ms: Date.now() - started, state: 'settled' };
      }
    } catch (err) {
      state = `could not check: ${(err as Error).message}`;
    }
    await sleep(500);
  }
  return { settled: false, ms: Date.now() - started, state };
}
