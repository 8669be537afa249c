/**
 * Executing a ready node execution. Pure: the current (locked) state in, a plan out.
 * Tasks park the execution as `waiting`; gateways and `set_context` finish within the step.
 */

import { EngineError, NodeFailedError, serializeError } from '../errors/engine-errors';
import type { CompiledDefinition, CompiledNode } from '../definition/definition.types';
import { addHours } from '../sla/sla-clock';
import type { EngineSettings } from './ports';
import type { ExecutionState, InstanceState, JsonObject, Plan } from './model';
import { PlanBuilder, expressionScope, nodeOf } from './plan-builder';
import { chooseRoutes, type NodeOutcome } from './routing';

export interface StepInput {
  readonly definition: CompiledDefinition;
  readonly instance: InstanceState;
  readonly execution: ExecutionState;
  readonly now: Date;
  readonly newId: () => string;
  readonly settings: EngineSettings;
}

export type StepOutcome =
  | { readonly kind: 'noop'; readonly reason: string }
  | { readonly kind: 'plan'; readonly plan: Plan }
  /** the node needs I/O outside the transaction (http_call, plugins...) */
  | { readonly kind: 'external'; readonly node: CompiledNode };

/** Service types whose whole effect is computed inside the step transaction. */
const PURE_SERVICE_TYPES = new Set(['set_context']);

export function planStep(input: StepInput): StepOutcome {
  const { definition, instance, execution, now, settings } = input;
  if (execution.status !== 'ready') return { kind: 'noop', reason: `execution is ${execution.status}` };
  if (instance.status !== 'running') return { kind: 'noop', reason: `instance is ${instance.status}` };

  const node = nodeOf(definition, execution.nodeId);
  const b = new PlanBuilder(instance, now, input.newId);
  b.countStep();

  if (instance.stepCount + 1 > settings.maxStepsPerInstance) {
    failNode(b, execution, new NodeFailedError(
      'STEP_LIMIT_EXCEEDED',
      `instance exceeded WORKFLOW_MAX_STEPS_PER_INSTANCE (${settings.maxStepsPerInstance}) steps: a loop that never ends?`,
    ));
    return { kind: 'plan', plan: b.build() };
  }

  try {
    switch (node.nodeType) {
      case 'approval':
      case 'user_task':
        parkTask(b, definition, node, execution, settings);
        break;
      case 'gateway':
        b.record(started(execution));
        finishNode(b, definition, node, execution, 'completed', {});
        break;
      case 'service_task': {
        if (!node.serviceType || !PURE_SERVICE_TYPES.has(node.serviceType)) return { kind: 'external', node };
        const values = (node.serviceConfig['values'] ?? {}) as JsonObject;
        b.record(started(execution));
        b.mergeContext(values);
        finishNode(b, definition, node, execution, 'completed', { output: values });
        break;
      }
      case 'sub_workflow':
        return { kind: 'external', node };
    }
  } catch (err) {
    if (!(err instanceof EngineError) || err.kind !== 'node_failed') throw err;
    return { kind: 'plan', plan: failedPlan(instance, execution, now, input.newId, err) };
  }
  return { kind: 'plan', plan: b.build() };
}

function parkTask(
  b: PlanBuilder,
  def: CompiledDefinition,
  node: CompiledNode,
  execution: ExecutionState,
  settings: EngineSettings,
): void {
  const isApproval = node.nodeType === 'approval';
  const assignedUserId = isApproval ? node.approverUserId : node.assigneeUserId;
  const assignedRole = isApproval ? node.approverRole : node.assigneeRole;
  const slaDeadline = addHours(b.now, node.slaHours ?? settings.defaultSlaHours);
  b.patch(execution, {
    status: 'waiting',
    assignedUserId,
    assignedRole,
    escalationRole: node.escalationRole ?? def.escalationRole,
    slaDeadline,
    startedAt: b.now,
  });
  b.record(started(execution));
  b.record({
    eventType: 'task_created',
    nodeExecutionId: execution.id,
    actorUserId: null,
    details: { nodeId: node.id, assignedUserId, assignedRole, slaDeadline: slaDeadline.toISOString() },
  });
}

/**
 * Mark the execution finished with `outcome`, then route on. A rejection with no `"rejected"`
 * route ends the instance as rejected.
 */
export function finishNode(
  b: PlanBuilder,
  def: CompiledDefinition,
  node: CompiledNode,
  execution: ExecutionState,
  outcome: NodeOutcome,
  changes: { output?: JsonObject; decision?: 'approved' | 'rejected' | 'completed'; decidedBy?: string; comments?: string | null },
  actorUserId: string | null = null,
): void {
  const routes = chooseRoutes(node, outcome, expressionScope(b.instance, b.contextData));
  b.patch(execution, {
    status: 'completed',
    output: changes.output ?? execution.output,
    decision: changes.decision ?? execution.decision,
    decidedBy: changes.decidedBy ?? execution.decidedBy,
    comments: changes.comments !== undefined ? changes.comments : execution.comments,
    startedAt: execution.startedAt ?? b.now,
    completedAt: b.now,
  });
  b.record({
    eventType: 'node_completed',
    nodeExecutionId: execution.id,
    actorUserId,
    details: { nodeId: node.id, outcome, routes: routes.map((r) => r.toNodeId) },
  });
  if (outcome === 'rejected' && routes.length === 0) {
    b.end('rejected', { eventType: 'instance_rejected', nodeExecutionId: execution.id, actorUserId, details: { nodeId: node.id } });
    return;
  }
  for (const route of routes) b.activate(nodeOf(def, route.toNodeId));
  b.completeIfDone(actorUserId);
}

/** Fail the execution and the instance with a recorded error. */
export function failNode(b: PlanBuilder, execution: ExecutionState, err: EngineError): void {
  const error = serializeError(err) as unknown as JsonObject;
  b.patch(execution, { status: 'failed', error, startedAt: execution.startedAt ?? b.now, completedAt: b.now });
  b.record({ eventType: 'node_failed', nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: execution.nodeId, error } });
  b.end('failed', { eventType: 'instance_failed', nodeExecutionId: execution.id, actorUserId: null, details: { error } });
}

function failedPlan(instance: InstanceState, execution: ExecutionState, now: Date, newId: () => string, err: EngineError): Plan {
  const b = new PlanBuilder(instance, now, newId);
  b.countStep();
  failNode(b, execution, err);
  return b.build();
}

function started(execution: ExecutionState) {
  return {
    eventType: 'node_started' as const,
    nodeExecutionId: execution.id,
    actorUserId: null,
    details: { nodeId: execution.nodeId, nodeType: execution.nodeType },
  };
}
