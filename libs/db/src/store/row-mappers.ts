/** Rows to domain state. Column lists live beside their mappers so they cannot drift apart. */

import type { Decision, ExecutionState, ExecutionStatus, InstanceState, InstanceStatus, JsonObject, NodeType, TriggerType, WaitingFor } from '@wf/engine';

export const INSTANCE_COLUMNS = `id, tenant_id, definition_id, status, context_data, started_by, trigger_type,
  parent_instance_id, parent_node_execution_id, depth, open_executions, step_count, last_history_hash, sla_deadline, started_at`;

export interface InstanceRow {
  id: string;
  tenant_id: string;
  definition_id: string;
  status: InstanceStatus;
  context_data: JsonObject;
  started_by: string;
  trigger_type: TriggerType;
  parent_instance_id: string | null;
  parent_node_execution_id: string | null;
  depth: number;
  open_executions: number;
  step_count: number;
  last_history_hash: string | null;
  sla_deadline: Date | null;
  started_at: Date;
}

export function toInstanceState(r: InstanceRow): InstanceState {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    definitionId: r.definition_id,
    status: r.status,
    contextData: r.context_data,
    startedBy: r.started_by,
    triggerType: r.trigger_type,
    parentInstanceId: r.parent_instance_id,
    parentNodeExecutionId: r.parent_node_execution_id,
    depth: r.depth,
    openExecutions: r.open_executions,
    stepCount: r.step_count,
    lastHistoryHash: r.last_history_hash,
    slaDeadline: r.sla_deadline,
    startedAt: r.started_at,
  };
}

export const EXECUTION_COLUMNS = `id, instance_id, node_id, node_type, generation, status, waiting_for, lease_token,
  lease_expires_at, assigned_user_id,
  assigned_role, escalation_role, previous_assignees, decision, decided_by, comments, output, error, attempts,
  sla_deadline, escalated_at, sla_breached_at, closed_by_failure_from, started_at, completed_at`;

export interface ExecutionRow {
  id: string;
  instance_id: string;
  node_id: string;
  node_type: NodeType;
  generation: number;
  status: ExecutionStatus;
  waiting_for: WaitingFor | null;
  lease_token: string | null;
  lease_expires_at: Date | null;
  assigned_user_id: string | null;
  assigned_role: string | null;
  escalation_role: string | null;
  previous_assignees: string[];
  decision: Decision | null;
  decided_by: string | null;
  comments: string | null;
  output: JsonObject | null;
  error: JsonObject | null;
  attempts: number;
  sla_deadline: Date | null;
  escalated_at: Date | null;
  sla_breached_at: Date | null;
  closed_by_failure_from: 'ready' | 'running' | 'waiting' | null;
  started_at: Date | null;
  completed_at: Date | null;
}

export function toExecutionState(r: ExecutionRow): ExecutionState {
  return {
    id: r.id,
    instanceId: r.instance_id,
    nodeId: r.node_id,
    nodeType: r.node_type,
    generation: r.generation,
    status: r.status,
    waitingFor: r.waiting_for,
    leaseToken: r.lease_token,
    leaseExpiresAt: r.lease_expires_at,
    assignedUserId: r.assigned_user_id,
    assignedRole: r.assigned_role,
    escalationRole: r.escalation_role,
    previousAssignees: r.previous_assignees ?? [],
    decision: r.decision,
    decidedBy: r.decided_by,
    comments: r.comments,
    output: r.output,
    error: r.error,
    attempts: r.attempts,
    slaDeadline: r.sla_deadline,
    escalatedAt: r.escalated_at,
    slaBreachedAt: r.sla_breached_at,
    closedByFailureFrom: r.closed_by_failure_from,
    startedAt: r.started_at,
    completedAt: r.completed_at,
  };
}
