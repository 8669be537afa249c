/**
 * The invariants, read straight from Postgres as the superuser (no RLS in the way) over the
 * instances of one scenario (those whose context carries `chaosScenario`; children inherit it):
 *
 * - every instance reaches exactly one terminal state, except those parked on purpose at a task
 *   nobody decides; it has exactly one `instance_started` and at most one terminal event, which
 *   matches its status;
 * - every step ran once: one execution per node and instance (no workflow loops), exactly one
 *   `node_completed` for each completed execution (none for the others), at most one
 *   `node_started`, task event and escalation per execution;
 * - every side effect happened once: each completed ledger step has its ledger row, no ledger row
 *   belongs to a step that did not complete, no node has two; every completed service step left
 *   its mark in the context;
 * - nothing is left half-done: no `ready` or `running` execution, no instance whose open-execution
 *   counter disagrees with its executions, no broken history hash chain;
 * - everything the API accepted is there: each accepted start exists, each accepted decision is
 *   the task's recorded decision;
 * - no task past its deadline is left unescalated, none is escalated twice, none decided in time
 *   is escalated.
 */

import type { Pool } from 'pg';
import type { AcceptedDecision, AcceptedStart } from '../driver/load-driver';
import { Findings } from './violations';

export interface ScenarioCounts {
  readonly instances: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly parked: number;
  /** completed node executions */
  readonly steps: number;
  readonly ledgerRows: number;
  /** ledger writes the unique key absorbed (a step run again after its worker died) */
  readonly absorbedRepeats: number;
}

export interface InvariantResult {
  readonly counts: ScenarioCounts;
  readonly findings: Findings;
}

const TERMINAL_EVENTS = ['instance_completed', 'instance_rejected', 'instance_failed', 'instance_cancelled'];

/** The scenario's instances: a CTE every query starts from ($1 tenant, $2 scenario). */
const S = `s AS (SELECT * FROM workflow_instances WHERE tenant_id = $1 AND context_data->>'chaosScenario' = $2)`;

export async function checkInvariants(
  db: Pool,
  tenantId: string,
  scenario: string,
  accepted: readonly AcceptedStart[],
  decisions: readonly AcceptedDecision[],
): Promise<InvariantResult> {
  const f = new Findings();
  const q = async <R extends object>(sql: string, extra: unknown[] = []): Promise<R[]> =>
    (await db.query<R>(`WITH ${S} ${sql}`, [tenantId, scenario, ...extra])).rows;

  // --- terminal states -------------------------------------------------------------------------
  const statusRows = await q<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM s GROUP BY status`);
  const byStatus = Object.fromEntries(statusRows.map((r) => [r.status, r.n]));
  const instances = statusRows.reduce((sum, r) => sum + r.n, 0);

  const parkedRows = await q<{ id: string; parked: boolean }>(
    `SELECT s.id, (coalesce(s.context_data->>'park', '') = 'true' AND EXISTS (
        SELECT 1 FROM workflow_instance_nodes n WHERE n.instance_id = s.id AND n.status = 'waiting' AND n.waiting_for = 'task')) AS parked
     FROM s WHERE s.status = 'running'`,
  );
  const parked = parkedRows.filter((r) => r.parked).length;
  f.add('lost', 'instance still running (not parked at a task)', parkedRows.filter((r) => !r.parked), (r: { id: string }) => r.id);

  const failed = await q<{ id: string; node_id: string; error: unknown }>(
    `SELECT s.id, n.node_id, n.error FROM s JOIN workflow_instance_nodes n ON n.instance_id = s.id
     WHERE s.status IN ('failed', 'cancelled') AND n.status = 'failed'`,
  );
  f.addCount(
    'other',
    'instance failed',
    byStatus['failed'] ?? 0,
    failed.map((r) => `${r.id} at ${r.node_id}: ${JSON.stringify(r.error).slice(0, 160)}`),
  );
  f.addCount('other', 'instance cancelled', byStatus['cancelled'] ?? 0);

  const lifecycle = await q<{ id: string; status: string; started: number; terminal: number; events: string[] | null }>(
    `SELECT s.id, s.status,
            count(h.id) FILTER (WHERE h.event_type = 'instance_started')::int AS started,
            count(h.id) FILTER (WHERE h.event_type = ANY($3))::int AS terminal,
            array_agg(h.event_type) FILTER (WHERE h.event_type = ANY($3)) AS events
     FROM s LEFT JOIN workflow_instance_history h ON h.instance_id = s.id
     GROUP BY s.id, s.status`,
    [TERMINAL_EVENTS],
  );
  const id = (r: { id: string }) => r.id;
  f.add('duplicated', 'instance_started twice', lifecycle.filter((r) => r.started > 1), id);
  f.add('lost', 'instance_started missing', lifecycle.filter((r) => r.started === 0), id);
  f.add('duplicated', 'terminal event twice', lifecycle.filter((r) => r.terminal > 1), (r: { id: string; events: string[] }) => `${r.id}: ${r.events.join(',')}`);
  f.add('lost', 'terminal event missing', lifecycle.filter((r) => r.status !== 'running' && r.terminal === 0), (r: { id: string; status: string }) => `${r.id} (${r.status})`);
  f.add(
    'other',
    'terminal event does not match status',
    lifecycle.filter((r) => r.terminal === 1 && (r.status === 'running' || r.events?.[0] !== `instance_${r.status}`)),
    (r: { id: string; status: string; events: string[] }) => `${r.id}: ${r.status} vs ${r.events.join(',')}`,
  );

  // --- one execution per node, one history trail per execution ---------------------------------
  const twice = await q<{ instance_id: string; node_id: string; n: number }>(
    `SELECT n.instance_id, n.node_id, count(*)::int AS n FROM workflow_instance_nodes n JOIN s ON s.id = n.instance_id
     GROUP BY n.instance_id, n.node_id HAVING count(*) > 1`,
  );
  f.add('duplicated', 'node executed twice in one instance', twice, (r: { instance_id: string; node_id: string; n: number }) => `${r.instance_id}/${r.node_id} x${r.n}`);

  const trails = await q<{
    id: string;
    node_id: string;
    node_type: string;
    status: string;
    nc: number;
    ns: number;
    tc: number;
    td: number;
    sb: number;
    te: number;
  }>(
    `, h AS (
       SELECT h.node_execution_id AS id,
              count(*) FILTER (WHERE h.event_type = 'node_completed')::int AS nc,
              count(*) FILTER (WHERE h.event_type = 'node_started')::int AS ns,
              count(*) FILTER (WHERE h.event_type = 'task_created')::int AS tc,
              count(*) FILTER (WHERE h.event_type IN ('task_approved', 'task_rejected', 'task_completed'))::int AS td,
              count(*) FILTER (WHERE h.event_type = 'sla_breached')::int AS sb,
              count(*) FILTER (WHERE h.event_type = 'task_escalated')::int AS te
       FROM workflow_instance_history h JOIN s ON s.id = h.instance_id
       WHERE h.node_execution_id IS NOT NULL GROUP BY h.node_execution_id)
     SELECT n.id, n.node_id, n.node_type, n.status,
            coalesce(h.nc, 0) AS nc, coalesce(h.ns, 0) AS ns, coalesce(h.tc, 0) AS tc,
            coalesce(h.td, 0) AS td, coalesce(h.sb, 0) AS sb, coalesce(h.te, 0) AS te
     FROM workflow_instance_nodes n JOIN s ON s.id = n.instance_id LEFT JOIN h ON h.id = n.id`,
  );
  type Trail = (typeof trails)[number];
  const ex = (r: Trail) => `${r.id} ${r.node_id} (${r.status})`;
  const isTask = (r: Trail) => r.node_type === 'approval' || r.node_type === 'user_task';
  f.add('duplicated', 'node_completed twice', trails.filter((r) => r.nc > 1), ex);
  f.add('lost', 'node_completed missing for a completed execution', trails.filter((r) => r.status === 'completed' && r.nc === 0), ex);
  f.add('other', 'node_completed for an execution that is not completed', trails.filter((r) => r.status !== 'completed' && r.nc > 0), ex);
  f.add('duplicated', 'node_started twice', trails.filter((r) => r.ns > 1), ex);
  f.add('lost', 'node_started missing for a completed execution', trails.filter((r) => r.status === 'completed' && r.ns === 0), ex);
  f.add('duplicated', 'task_created twice', trails.filter((r) => r.tc > 1), ex);
  f.add('duplicated', 'task decided twice', trails.filter((r) => r.td > 1), ex);
  f.add('lost', 'decision event missing for a completed task', trails.filter((r) => isTask(r) && r.status === 'completed' && r.td === 0), ex);
  f.add('duplicated', 'sla_breached twice', trails.filter((r) => r.sb > 1), ex);
  f.add('duplicated', 'task_escalated twice', trails.filter((r) => r.te > 1), ex);
  f.add('lost', 'execution left ready or running', trails.filter((r) => r.status === 'ready' || r.status === 'running'), ex);
  const steps = trails.filter((r) => r.status === 'completed').length;

  // --- half-written state -----------------------------------------------------------------------
  const counters = await q<{ id: string; status: string; open_executions: number; open: number; total: number }>(
    `SELECT s.id, s.status, s.open_executions,
            count(n.id) FILTER (WHERE n.status IN ('ready', 'running', 'waiting'))::int AS open,
            count(n.id)::int AS total
     FROM s LEFT JOIN workflow_instance_nodes n ON n.instance_id = s.id
     GROUP BY s.id, s.status, s.open_executions`,
  );
  type Counter = (typeof counters)[number];
  const ctr = (r: Counter) => `${r.id} (${r.status}) counter ${r.open_executions}, open ${r.open}`;
  f.add('other', 'open-execution counter disagrees with executions', counters.filter((r) => r.open_executions !== r.open), ctr);
  f.add('other', 'finished instance with open executions', counters.filter((r) => r.status !== 'running' && r.open > 0), ctr);
  f.add('lost', 'instance without any execution (half-written)', counters.filter((r) => r.total === 0), ctr);

  const chains = await q<{ instance_id: string; broken: number }>(
    `SELECT instance_id, count(*)::int AS broken FROM (
       SELECT h.instance_id, h.prev_hash, lag(h.hash) OVER (PARTITION BY h.instance_id ORDER BY h.seq) AS expected
       FROM workflow_instance_history h JOIN s ON s.id = h.instance_id) x
     WHERE x.prev_hash IS DISTINCT FROM x.expected GROUP BY instance_id`,
  );
  f.add('other', 'history hash chain broken (a gap or an interleaved write)', chains, (r: { instance_id: string; broken: number }) => `${r.instance_id}: ${r.broken} link(s)`);
  const heads = await q<{ id: string }>(
    `SELECT s.id FROM s WHERE s.last_history_hash IS DISTINCT FROM (
       SELECT h.hash FROM workflow_instance_history h WHERE h.instance_id = s.id ORDER BY h.seq DESC LIMIT 1)`,
  );
  f.add('other', 'instance history head is not its last history row', heads, id);

  // --- side effects ---------------------------------------------------------------------------
  const missingLedger = await q<{ id: string; node_id: string }>(
    `SELECT n.id, n.node_id FROM workflow_instance_nodes n JOIN s ON s.id = n.instance_id
     WHERE n.node_id LIKE 'ledger\\_%' AND n.status = 'completed'
       AND NOT EXISTS (SELECT 1 FROM chaos_ledger l WHERE l.execution_id = n.id)`,
  );
  f.add('lost', 'completed ledger step without its ledger row', missingLedger, (r: { id: string; node_id: string }) => `${r.id} ${r.node_id}`);
  const orphans = await q<{ execution_id: string; status: string | null }>(
    `SELECT l.execution_id, n.status FROM chaos_ledger l JOIN s ON s.id = l.instance_id
     LEFT JOIN workflow_instance_nodes n ON n.id = l.execution_id
     WHERE n.status IS DISTINCT FROM 'completed'`,
  );
  f.add('other', 'ledger row for a step that did not complete', orphans, (r: { execution_id: string; status: string | null }) => `${r.execution_id} (${r.status ?? 'no execution'})`);
  const doubleLedger = await q<{ instance_id: string; node_id: string; n: number }>(
    `SELECT l.instance_id, l.node_id, count(*)::int AS n FROM chaos_ledger l JOIN s ON s.id = l.instance_id
     GROUP BY l.instance_id, l.node_id HAVING count(*) > 1`,
  );
  f.add('duplicated', 'ledger side effect twice for one node', doubleLedger, (r: { instance_id: string; node_id: string; n: number }) => `${r.instance_id}/${r.node_id} x${r.n}`);
  const [ledgerStats] = await q<{ rows: number; repeats: number }>(
    `SELECT (SELECT count(*)::int FROM chaos_ledger l JOIN s ON s.id = l.instance_id) AS rows,
            (SELECT count(*)::int FROM chaos_ledger_repeats r JOIN chaos_ledger l ON l.execution_id = r.execution_id
               JOIN s ON s.id = l.instance_id) AS repeats`,
  );
  const marks = await q<{ id: string; node_id: string; instance_id: string }>(
    `SELECT n.id, n.node_id, n.instance_id FROM workflow_instance_nodes n JOIN s ON s.id = n.instance_id
     WHERE n.node_type = 'service_task' AND n.status = 'completed' AND NOT (s.context_data ? n.node_id)`,
  );
  f.add('lost', 'completed service step left no mark in the context', marks, (r: { node_id: string; instance_id: string }) => `${r.instance_id}/${r.node_id}`);

  // --- what the API accepted ------------------------------------------------------------------
  const mine = accepted.filter((a) => a.scenario === scenario);
  if (mine.length > 0) {
    const found = await q<{ id: string }>(`SELECT id FROM workflow_instances WHERE id = ANY($3::uuid[])`, [mine.map((a) => a.instanceId)]);
    const present = new Set(found.map((r) => r.id));
    f.add('lost', 'accepted start missing from Postgres', mine.filter((a) => !present.has(a.instanceId)), (a: AcceptedStart) => `${a.key} -> ${a.instanceId}`);
  }
  const decided = decisions.filter((d) => d.scenario === scenario);
  if (decided.length > 0) {
    const rows = await q<{ id: string; decision: string | null; status: string }>(
      `SELECT id, decision, status FROM workflow_instance_nodes WHERE id = ANY($3::uuid[])`,
      [decided.map((d) => d.taskId)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    f.add(
      'lost',
      'accepted decision not recorded',
      decided.filter((d) => byId.get(d.taskId)?.decision !== d.decision),
      (d: AcceptedDecision) => `${d.taskId}: answered ${d.decision}, recorded ${byId.get(d.taskId)?.decision ?? 'nothing'}`,
    );
  }

  // --- deadlines --------------------------------------------------------------------------------
  const deadlines = await q<{ id: string; status: string; due: boolean; in_time: boolean; sb: number; te: number }>(
    `SELECT n.id, n.status, (n.status = 'waiting' AND n.sla_deadline < now() - interval '3 seconds') AS due,
            (n.status = 'completed' AND n.completed_at < n.sla_deadline) AS in_time,
            (SELECT count(*)::int FROM workflow_instance_history h WHERE h.node_execution_id = n.id AND h.event_type = 'sla_breached') AS sb,
            (SELECT count(*)::int FROM workflow_instance_history h WHERE h.node_execution_id = n.id AND h.event_type = 'task_escalated') AS te
     FROM workflow_instance_nodes n JOIN s ON s.id = n.instance_id JOIN workflow_definitions d ON d.id = s.definition_id
     WHERE d.escalation_enabled AND n.node_type IN ('approval', 'user_task')`,
  );
  type Deadline = (typeof deadlines)[number];
  const dl = (r: Deadline) => `${r.id} (${r.status}) sla_breached ${r.sb}, task_escalated ${r.te}`;
  f.add('lost', 'task past its deadline not escalated', deadlines.filter((r) => r.due && (r.sb === 0 || r.te === 0)), dl);
  f.add('other', 'task decided before its deadline was escalated', deadlines.filter((r) => r.in_time && (r.sb > 0 || r.te > 0)), dl);

  return {
    counts: {
      instances,
      byStatus,
      parked,
      steps,
      ledgerRows: ledgerStats?.rows ?? 0,
      absorbedRepeats: ledgerStats?.repeats ?? 0,
    },
    findings: f,
  };
}
