/** Starting an instance: the row, its first ready execution and the first history entry. */

import type { CompiledDefinition } from '../definition/definition.types';
import { slaDeadlineAfter } from '../sla/sla-clock';
import { DEFINITION_BOUNDS } from '../definition/definition.types';
import type { ExecutionState, InstanceState, JsonObject, NewExecution, NodeJob, HistoryEvent, TriggerType } from './model';
import type { PlanAt } from './plan-at';
import { nodeOf } from './plan-builder';
import { READY_EXECUTION_FIELDS } from './model';

export interface StartRequest {
  readonly tenantId: string;
  readonly definitionId: string;
  readonly startedBy: string;
  readonly triggerType: TriggerType;
  readonly contextEntityType: string | null;
  readonly contextEntityId: string | null;
  readonly contextData: JsonObject;
  readonly parentInstanceId: string | null;
  readonly parentNodeExecutionId: string | null;
  readonly depth: number;
}

export interface NewInstance extends InstanceState {
  readonly contextEntityType: string | null;
  readonly contextEntityId: string | null;
}

export interface StartPlan {
  readonly instance: NewInstance;
  readonly firstExecution: NewExecution;
  readonly history: readonly HistoryEvent[];
  readonly enqueue: readonly NodeJob[];
  readonly now: Date;
}

/** `def` is the version started (its state); `req`, who starts it and with what. */
export function planStart(at: PlanAt, def: CompiledDefinition, req: StartRequest): StartPlan {
  const { now, newId } = at;
  const instanceId = newId();
  const start = nodeOf(def, def.startNodeId);
  const firstExecution: NewExecution = {
    id: newId(),
    nodeId: start.id,
    nodeType: start.nodeType,
    nodeName: start.name,
    status: 'ready',
    waitingFor: null,
    readyAt: now,
  };
  const instance: NewInstance = {
    id: instanceId,
    tenantId: req.tenantId,
    definitionId: req.definitionId,
    status: 'running',
    contextData: req.contextData,
    startedBy: req.startedBy,
    triggerType: req.triggerType,
    parentInstanceId: req.parentInstanceId,
    parentNodeExecutionId: req.parentNodeExecutionId,
    depth: req.depth,
    openExecutions: 1,
    stepCount: 0,
    lastHistoryHash: null,
    slaDeadline: def.slaHours !== null ? slaDeadlineAfter(now, def.slaHours, DEFINITION_BOUNDS.maxSlaHours) : null,
    startedAt: now,
    contextEntityType: req.contextEntityType,
    contextEntityId: req.contextEntityId,
  };
  return {
    instance,
    firstExecution,
    history: [
      {
        eventType: 'instance_started',
        nodeExecutionId: null,
        actorUserId: req.startedBy,
        details: { triggerType: req.triggerType, startNodeId: start.id },
      },
    ],
    enqueue: [{ kind: 'run', tenantId: req.tenantId, instanceId, executionId: firstExecution.id, generation: 0 }],
    now,
  };
}

/** Placeholder state of an execution that has just been created (used by tests and adapters). */
export function readyExecutionState(instanceId: string, e: NewExecution): ExecutionState {
  return {
    id: e.id,
    instanceId,
    nodeId: e.nodeId,
    nodeType: e.nodeType,
    ...READY_EXECUTION_FIELDS,
    comments: e.comments ?? null,
    output: e.output ?? null,
  };
}
