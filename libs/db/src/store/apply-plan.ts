/**
 * One statement writes a whole instance write (a plan, or the plans of one transaction folded
 * together): data-modifying CTEs for the execution updates, the new executions, closing the
 * rest (on rejection, failure, cancel), the history rows and the instance. One round trip and
 * one statement per instance instead of one per row.
 */

import { EXECUTION_FIELDS, EXECUTION_INSERT_RECORD, EXECUTION_PATCH_RECORD, insertExecutionsSql } from './execution-columns';
import { insertHistorySql } from './history-columns';
import { historyRecordsJson, type InstanceWrite } from './instance-write';

/** `status = x.status, …, ready_at = COALESCE(x.ready_at, n.ready_at)`: the columns a patch writes. */
const PATCH_SET = `${EXECUTION_FIELDS.names.map((c) => `${c} = x.${c}`).join(', ')},
        ready_at = COALESCE(x.ready_at, n.ready_at)`;

export function applyWriteSql(tenantId: string, w: InstanceWrite): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  // Postgres rejects parameters a statement never uses, so these are added on first use.
  const lazy = (value: unknown) => {
    let ref: string | undefined;
    return () => (ref ??= p(value));
  };
  const tenantRef = (() => { const f = lazy(tenantId); return () => `${f()}::uuid`; })();
  const nowRef = (() => { const f = lazy(w.now); return () => `${f()}::timestamptz`; })();
  const instanceId = `${p(w.instanceId)}::uuid`;
  const ctes: string[] = [];

  if (w.updates.length > 0) {
    const rows = JSON.stringify(w.updates.map(EXECUTION_PATCH_RECORD.record));
    ctes.push(`patched AS (
      UPDATE workflow_instance_nodes n SET ${PATCH_SET}
      FROM jsonb_to_recordset(${p(rows)}::jsonb) AS x(${EXECUTION_PATCH_RECORD.recordType})
      WHERE n.id = x.id AND n.instance_id = ${instanceId})`);
  }

  if (w.inserts.length > 0) {
    const rows = JSON.stringify(w.inserts.map(EXECUTION_INSERT_RECORD.record));
    ctes.push(`created AS (
      ${insertExecutionsSql(tenantRef(), instanceId, p(rows))})`);
  }

  if (w.cancelOthers) {
    ctes.push(`closed AS (
      UPDATE workflow_instance_nodes SET status = 'cancelled', completed_at = ${nowRef()}, lease_token = NULL,
        lease_expires_at = NULL, closed_by_failure_from = ${w.status === 'failed' ? 'status' : 'NULL'}
      WHERE instance_id = ${instanceId} AND status IN ('ready', 'running', 'waiting')
        AND NOT (id = ANY (${p(w.updates.map((e) => e.id))}::uuid[])))`);
  }

  if (w.history.length > 0) {
    ctes.push(`logged AS (
      ${insertHistorySql(tenantRef(), instanceId, p(historyRecordsJson(w.history)))})`);
  }

  const text = `WITH ${[
    ...ctes,
    `moved AS (
      UPDATE workflow_instances SET status = ${p(w.status)}::text, context_data = ${p(JSON.stringify(w.contextData))}::jsonb,
        completed_at = ${p(w.completedAt)}::timestamptz,
        open_executions = open_executions + ${p(w.openDelta)}::integer,
        step_count = step_count + ${p(w.stepDelta)}::integer,${w.slaPausedMsDelta > 0 ? `
        sla_paused_ms = sla_paused_ms + ${p(w.slaPausedMsDelta)}::double precision,
        sla_deadline = sla_deadline + make_interval(secs => ${p(w.slaPausedMsDelta / 1000)}::double precision),` : ''}
        version = version + 1, last_history_hash = ${p(w.lastHash)}::text
      WHERE id = ${instanceId})`,
  ].join(',\n')}
  SELECT 1`;
  return { text, params };
}
