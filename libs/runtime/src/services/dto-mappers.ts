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
    notStarter: r.policies.notStarter ?? false,
    distinctDeciders: r.policies.distinctDeciders ?? false,
    managerRole: r.policies.managerRole ?? null,
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
    slaPausedHours: Math.round((r.slaPausedMs / 3_600_000) * 100) / 100,
  };
}

/**
 * An execution as the instance detail shows it; a waiting receive node's callback URL comes from
 * `callbackUrlOf` (its nonce never leaves this function otherwise).
 */
export function toNodeExecutionDto(
  r: NodeExecutionView,
  callbackUrlOf?: (executionId: string, nonce: string) => string,
): NodeExecutionDto {
  const { waitingFor, wakeAt, messageName, correlationKey, callbackNonce, atRiskAt, ...rest } = r;
  const waiting = r.status === 'waiting' && waitingFor !== null;
  return {
    ...rest,
    slaDeadline: iso(r.slaDeadline),
    startedAt: iso(r.startedAt),
    completedAt: iso(r.completedAt),
    atRiskAt: iso(atRiskAt),
    wait: waiting
      ? {
        waitingFor,
        wakeAt: iso(wakeAt),
        dueAt: waitingFor === 'timer' ? iso(wakeAt) : null,
        messageName,
        correlationKey,
        callbackUrl: waitingFor === 'message' && callbackNonce !== null && callbackUrlOf ? callbackUrlOf(r.id, callbackNonce) : null,
      }
      : null,
  };
}

/** The chain's columns (`instanceId`, `prevHash`, `hash`) stay behind: verification reads them. */
export function toHistoryItemDto({ instanceId: _instanceId, prevHash: _prevHash, hash: _hash, ...item }: HistoryView): HistoryItemDto {
  return { ...item, createdAt: item.createdAt.toISOString() };
}

/** A task as the API shows it; urgency is judged at `now` with the same rule as the queue filter. */
export function toTaskDto(r: TaskView, now: Date, urgentThresholdHours: number, onBehalfOf: string | null = null): TaskDto {
  const deadline = r.slaDeadline;
  return {
    ...r,
    urgencyLevel: deadline ? urgencyOf(deadline, now, urgentThresholdHours, r.atRiskAt !== null) : 'NORMAL',
    hoursRemaining: deadline ? hoursRemaining(deadline, now) : null,
    isOverdue: deadline ? deadline.getTime() <= now.getTime() : false,
    slaDeadline: iso(deadline),
    claimedAt: iso(r.claimedAt),
    atRiskAt: iso(r.atRiskAt),
    onBehalfOf,
    createdAt: r.createdAt.toISOString(),
  };
}

export { iso };
