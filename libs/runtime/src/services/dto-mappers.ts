/** Database rows to the API's DTOs: camelCase, ISO timestamps, numbers as numbers. */

import type { DefinitionRow, HistoryRowView, NodeExecutionRowView, TaskRowView } from '@wf/db';
import { hoursRemaining, urgencyOf, type InstanceSummary, type NodeType } from '@wf/engine';
import type { DefinitionDto, HistoryItemDto, InstanceDto, NodeExecutionDto, TaskDto } from './service.types';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toDefinitionDto(r: DefinitionRow): DefinitionDto {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    isActive: r.is_active,
    category: r.category,
    description: r.description,
    startNodeId: r.start_node_id,
    nodes: r.nodes,
    routes: r.routes,
    triggers: r.triggers,
    slaHours: r.sla_hours === null ? null : Number(r.sla_hours),
    escalationEnabled: r.escalation_enabled,
    escalationRole: r.escalation_role,
    contextSchema: r.context_schema,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function toInstanceDto(r: InstanceSummary): InstanceDto {
  return {
    id: r.id,
    status: r.status,
    workflowDefinitionId: r.definitionId,
    workflowName: r.workflowName,
    workflowVersion: r.workflowVersion,
    contextEntityType: r.contextEntityType,
    contextEntityId: r.contextEntityId,
    contextData: r.contextData,
    triggerType: r.triggerType,
    startedBy: r.startedBy,
    parentInstanceId: r.parentInstanceId,
    slaDeadline: iso(r.slaDeadline),
    startedAt: r.startedAt.toISOString(),
    completedAt: iso(r.completedAt),
    cancelReason: r.cancelReason,
  };
}

export function toNodeExecutionDto(r: NodeExecutionRowView): NodeExecutionDto {
  return {
    id: r.id,
    nodeId: r.node_id,
    nodeType: r.node_type as NodeType,
    name: r.node_name,
    status: r.status,
    assignedUserId: r.assigned_user_id,
    assignedRole: r.assigned_role,
    decision: r.decision,
    comments: r.comments,
    attempts: r.attempts,
    error: r.error,
    slaDeadline: iso(r.sla_deadline),
    startedAt: iso(r.started_at),
    completedAt: iso(r.completed_at),
  };
}

export function toHistoryItemDto(r: HistoryRowView): HistoryItemDto {
  return {
    id: r.id,
    eventType: r.event_type,
    nodeExecutionId: r.node_execution_id,
    actorUserId: r.actor_user_id,
    details: r.details,
    createdAt: r.created_at.toISOString(),
  };
}

/** A task as the API shows it; urgency is judged at `now` with the same rule as the queue filter. */
export function toTaskDto(r: TaskRowView, now: Date, urgentThresholdHours: number): TaskDto {
  const deadline = r.sla_deadline;
  return {
    taskId: r.task_id,
    instanceId: r.instance_id,
    workflowName: r.workflow_name,
    taskName: r.task_name,
    nodeType: r.node_type as NodeType,
    urgencyLevel: deadline ? urgencyOf(deadline, now, urgentThresholdHours) : 'NORMAL',
    hoursRemaining: deadline ? hoursRemaining(deadline, now) : null,
    isOverdue: deadline ? deadline.getTime() <= now.getTime() : false,
    slaDeadline: iso(r.sla_deadline),
    assignedUserId: r.assigned_user_id,
    assignedRole: r.assigned_role,
    contextEntityType: r.context_entity_type,
    contextEntityId: r.context_entity_id,
    contextData: r.context_data,
    createdAt: r.created_at.toISOString(),
  };
}
