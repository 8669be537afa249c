/**
 * One statement writes a whole plan: data-modifying CTEs for the execution updates, the new
 * executions, closing the rest (on rejection, failure, cancel), the history rows and the instance.
 * One round trip per step instead of one per row.
 */

import type { Plan } from '@wf/engine';

export interface HashedHistoryRow {
  id: string;
  nodeExecutionId: string | null;
  eventType: string;
  actorUserId: string | null;
  details: unknown;
  createdAt: Date;
  prevHash: string | null;
  hash: string;
}

export function applyPlanSql(
  tenantId: string,
  plan: Plan,
  history: readonly HashedHistoryRow[],
  lastHash: string | null,
): { text: string; params: unknown[] } {
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
  const nowRef = (() => { const f = lazy(plan.now); return () => `${f()}::timestamptz`; })();
  const instanceId = `${p(plan.instance.id)}::uuid`;
  const ctes: string[] = [];

  if (plan.executionPatches.length > 0) {
    const rows = plan.executionPatches.map((e) => ({
      id: e.id,
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
      started_at: e.startedAt,
      completed_at: e.completedAt,
    }));
    ctes.push(`patched AS (
      UPDATE workflow_instance_nodes n SET status = x.status, generation = x.generation,
        ready_at = CASE WHEN x.status = 'ready' THEN ${nowRef()} ELSE n.ready_at END,
        waiting_for = x.waiting_for, lease_token = x.lease_token, lease_expires_at = x.lease_expires_at,
        assigned_user_id = x.assigned_user_id,
        assigned_role = x.assigned_role, escalation_role = x.escalation_role,
        previous_assignees = x.previous_assignees, decision = x.decision, decided_by = x.decided_by,
        comments = x.comments, output = x.output, error = x.error, attempts = x.attempts,
        sla_deadline = x.sla_deadline, escalated_at = x.escalated_at, started_at = x.started_at,
        completed_at = x.completed_at
      FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS x(id uuid, status text, generation integer, waiting_for text, lease_token uuid, lease_expires_at timestamptz,
        assigned_user_id text, assigned_role text, escalation_role text, previous_assignees text[],
        decision text, decided_by text, comments text, output jsonb, error jsonb, attempts integer,
        sla_deadline timestamptz, escalated_at timestamptz, started_at timestamptz, completed_at timestamptz)
      WHERE n.id = x.id AND n.instance_id = ${instanceId})`);
  }

  if (plan.newExecutions.length > 0) {
    const rows = plan.newExecutions.map((e) => ({
      id: e.id,
      node_id: e.nodeId,
      node_type: e.nodeType,
      node_name: e.nodeName,
      status: e.status,
      waiting_for: e.waitingFor,
      ready_at: e.readyAt,
    }));
    ctes.push(`created AS (
      INSERT INTO workflow_instance_nodes (id, tenant_id, instance_id, node_id, node_type, node_name, status, waiting_for, ready_at)
      SELECT x.id, ${tenantRef()}, ${instanceId}, x.node_id, x.node_type, x.node_name, x.status, x.waiting_for, x.ready_at
      FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS x(id uuid, node_id text, node_type text,
        node_name text, status text, waiting_for text, ready_at timestamptz))`);
  }

  if (plan.cancelOtherOpenExecutions) {
    ctes.push(`closed AS (
      UPDATE workflow_instance_nodes SET status = 'cancelled', completed_at = ${nowRef()}, lease_token = NULL,
        lease_expires_at = NULL
      WHERE instance_id = ${instanceId} AND status IN ('ready', 'running', 'waiting')
        AND NOT (id = ANY (${p(plan.executionPatches.map((e) => e.id))}::uuid[])))`);
  }

  if (history.length > 0) {
    const rows = history.map((h) => ({
      id: h.id,
      node_execution_id: h.nodeExecutionId,
      event_type: h.eventType,
      actor_user_id: h.actorUserId,
      details: h.details,
      created_at: h.createdAt,
      prev_hash: h.prevHash,
      hash: h.hash,
    }));
    ctes.push(`logged AS (
      INSERT INTO workflow_instance_history (id, tenant_id, instance_id, node_execution_id, event_type,
        actor_user_id, details, created_at, prev_hash, hash)
      SELECT x.id, ${tenantRef()}, ${instanceId}, x.node_execution_id, x.event_type, x.actor_user_id, x.details,
        x.created_at, x.prev_hash, x.hash
      FROM jsonb_to_recordset(${p(JSON.stringify(rows))}::jsonb) AS x(id uuid, node_execution_id uuid,
        event_type text, actor_user_id text, details jsonb, created_at timestamptz, prev_hash text, hash text))`);
  }

  const i = plan.instance;
  const text = `WITH ${[
    ...ctes,
    `moved AS (
      UPDATE workflow_instances SET status = ${p(i.status)}::text, context_data = ${p(JSON.stringify(i.contextData))}::jsonb,
        completed_at = ${p(i.completedAt)}::timestamptz,
        open_executions = open_executions + ${p(i.openDelta)}::integer,
        step_count = step_count + ${p(i.stepDelta)}::integer,
        version = version + 1, last_history_hash = ${p(lastHash)}::text
      WHERE id = ${instanceId})`,
  ].join(',\n')}
  SELECT 1`;
  return { text, params };
}
