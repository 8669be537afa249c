/**
 * One statement writes a whole instance write (a plan, or the plans of one transaction folded
 * together): data-modifying CTEs for the execution updates, the new executions, closing the
 * rest (on rejection, failure, cancel), the history rows and the instance. One round trip and
 * one statement per instance instead of one per row.
 */

import type { ExecutionFields } from '@wf/engine';
import { historyRecordsJson, type InstanceWrite } from './instance-write';

/** The mutable execution columns as JSON fields, and their SQL types (jsonb_to_recordset). */
function executionColumns(e: ExecutionFields) {
  return {
    status: e.status,
    generation: e.generation,
    waiting_for: e.waitingFor,
    lease_token: e.leaseToken,
    lease_expires_at: e.leaseExpiresAt,
    assigned_user_id: e.assignedUserId,
    assigned_role: e.assignedRole,
    escalation_role: e.escalationRole,
    previous_assignees: e.previousAssignees,
    decision: e.decision,
    decided_by: e.decidedBy,
    comments: e.comments,
    output: e.output,
    error: e.error,
    attempts: e.attempts,
    sla_deadline: e.slaDeadline,
    escalated_at: e.escalatedAt,
    sla_breached_at: e.slaBreachedAt,
    closed_by_failure_from: e.closedByFailureFrom,
    started_at: e.startedAt,
    completed_at: e.completedAt,
  };
}
const EXECUTION_COLUMN_NAMES = Object.keys(executionColumns({} as ExecutionFields));
const EXECUTION_COLUMN_TYPES = `status text, generation integer, waiting_for text, lease_token uuid, lease_expires_at timestamptz,
        assigned_user_id text, assigned_role text, escalation_role text, previous_assignees text[],
        decision text, decided_by text, comments text, output jsonb, error jsonb, attempts integer,
        sla_deadline timestamptz, escalated_at timestamptz, sla_breached_at timestamptz, closed_by_failure_from text,
        started_at timestamptz, completed_at timestamptz`;

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
    const rows = w.updates.map((e) => ({ id: e.id, ready_at: e.readyAt, ...executionColumns(e) }));
    ctes.push(`patched AS (
      UPDATE workflow_instance_nodes n SET ${EXECUTION_COLUMN_NAMES.map((c) => `${c} = x.${c}`).join(', ')},
        ready_at = COALESCE(x.ready_at, n.ready_at)
      FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS x(id uuid, ready_at timestamptz, ${EXECUTION_COLUMN_TYPES})
      WHERE n.id = x.id AND n.instance_id = ${instanceId})`);
  }

  if (w.inserts.length > 0) {
    const rows = w.inserts.map((e) => ({ id: e.id, node_id: e.nodeId, node_type: e.nodeType, node_name: e.nodeName, ready_at: e.readyAt, ...executionColumns(e) }));
    ctes.push(`created AS (
      INSERT INTO workflow_instance_nodes (id, tenant_id, instance_id, node_id, node_type, node_name, ready_at, ${EXECUTION_COLUMN_NAMES.join(', ')})
      SELECT x.id, ${tenantRef()}, ${instanceId}, x.node_id, x.node_type, x.node_name, x.ready_at, ${EXECUTION_COLUMN_NAMES.map((c) => `x.${c}`).join(', ')}
      FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS x(id uuid, node_id text, node_type text,
        node_name text, ready_at timestamptz, ${EXECUTION_COLUMN_TYPES}))`);
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
      INSERT INTO workflow_instance_history (id, tenant_id, instance_id, node_execution_id, event_type,
        actor_user_id, details, created_at, prev_hash, hash)
      SELECT x.id, ${tenantRef()}, ${instanceId}, x.node_execution_id, x.event_type, x.actor_user_id, x.details,
        x.created_at, x.prev_hash, x.hash
      FROM jsonb_to_recordset(${p(historyRecordsJson(w.history))}::jsonb) AS x(id uuid, node_execution_id uuid,
        event_type text, actor_user_id text, details jsonb, created_at timestamptz, prev_hash text, hash text))`);
  }

  const text = `WITH ${[
    ...ctes,
    `moved AS (
      UPDATE workflow_instances SET status = ${p(w.status)}::text, context_data = ${p(JSON.stringify(w.contextData))}::jsonb,
        completed_at = ${p(w.completedAt)}::timestamptz,
        open_executions = open_executions + ${p(w.openDelta)}::integer,
        step_count = step_count + ${p(w.stepDelta)}::integer,
        version = version + 1, last_history_hash = ${p(w.lastHash)}::text
      WHERE id = ${instanceId})`,
  ].join(',\n')}
  SELECT 1`;
  return { text, params };
}
