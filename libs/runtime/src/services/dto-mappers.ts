/**
 * Read models to the API's DTOs. The read models already have the DTOs' camelCase shape; what is
 * left is real work: ISO timestamps, urgency at the caller's clock, and the definition row.
 */

import type { DefinitionRow, HistoryView, NodeExecutionView, TaskView } from '@wf/db';
import { hoursRemaining, urgencyOf, type InstanceSummary } from '@wf/engine';
import type { DefinitionDto, HistoryItemDto, InstanceDto, NodeExecutionDto, TaskDto } from './service.types';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toDefinitionDto(r: DefinitionRow): DefinitionDto {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    isActive: r.isActive,
    category: r.category,
    description: r.description,
    startNodeId: r.startNodeId,
    nodes: r.nodes,
    routes: r.routes,
    triggers: r.triggers,
    slaHours: r.slaHours,
    escalationEnabled: r.escalationEnabled,
    escalationRole: r.escalationRole,
    contextSchema: r.contextSchema,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
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

export function toNodeExecutionDto(r: NodeExecutionView): NodeExecutionDto {
  return { ...r, slaDeadline: iso(r.slaDeadline), startedAt: iso(r.startedAt), completedAt: iso(r.completedAt) };
}

/** The chain's columns (`instanceId`, `prevHash`, `hash`) stay behind: verification reads them. */
export function toHistoryItemDto({ instanceId: _instanceId, prevHash: _prevHash, hash: _hash, ...item }: HistoryView): HistoryItemDto {
  return { ...item, createdAt: item.createdAt.toISOString() };
}

/** A task as the API shows it; urgency is judged at `now` with the same rule as the queue filter. */
export function toTaskDto(r: TaskView, now: Date, urgentThresholdHours: number): TaskDto {
  const deadline = r.slaDeadline;
  return {
    ...r,
    urgencyLevel: deadline ? urgencyOf(deadline, now, urgentThresholdHours) : 'NORMAL',
    hoursRemaining: deadline ? hoursRemaining(deadline, now) : null,
    isOverdue: deadline ? deadline.getTime() <= now.getTime() : false,
    slaDeadline: iso(deadline),
    createdAt: r.createdAt.toISOString(),
  };
}
