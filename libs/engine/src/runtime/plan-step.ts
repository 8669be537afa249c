/**
 * Executing a ready node execution. Pure: the current (locked) state in, a plan out.
 * Tasks park the execution as `waiting`; gateways and service tasks whose handler runs in the
 * transaction (`runsInTransaction`, the engine's own) finish within the step; other service tasks
 * claim a lease and run outside the transaction; sub-workflows start a child instance and wait
 * for it.
 */

import { EngineError, NodeFailedError, serializeError } from '../errors/engine-errors';
import type { ApprovalNode, CompiledDefinition, CompiledNode, ServiceTaskNode, SubWorkflowNode, UserTaskNode } from '../definition/definition.types';
import { evaluateExpression } from '../expressions/cel-expression';
import { slaDeadlineAfter } from '../sla/sla-clock';
import { DEFINITION_BOUNDS } from '../definition/definition.types';
import { NO_WAIT_MARKS, type ExecutionState, type InstanceState, type JsonObject, type Plan } from './model';
import type { PlanAt } from './plan-at';
import type { EngineSettings } from './ports';
import { PlanBuilder, expressionScope, nodeOf, type OpenExecution } from './plan-builder';
import { chooseRoutes, type NodeOutcome } from './routing';
import { applyInTransaction, inTransactionHandlerOf } from './engine-handlers';
import { assertQuorumPossible, taskHolderOf } from '../approvals/task-holder';
import { excludedUsers, type PastDecision } from '../approvals/separation-of-duties';
import type { BusinessCalendar } from '../calendar/business-calendar';
import { calendarOf, planReceiveStep, planTimerStep, type ReceivedMessage } from '../waits/plan-wait';
import { nextWakeAt, pendingWaitEvents } from '../waits/wait-clock';
import { FORECAST_MODEL, forecastFinish, type DurationSample } from '../waits/forecast';

/** The locked state the step planners (and the decision and escalation planners) plan from. */
export interface StepState {
  readonly definition: CompiledDefinition;
  readonly instance: InstanceState;
  readonly execution: ExecutionState;
  /** open executions of the instance, when the definition has joins */
  readonly open?: readonly OpenExecution[];
  /** the instance's decided tasks, when the task to park has rules that read them (`needsPastDecisions`) */
  readonly decisions?: readonly PastDecision[];
  /** the business calendars the definition names, compiled (`calendarOf` fails a node whose calendar is missing) */
  readonly calendars?: ReadonlyMap<string, BusinessCalendar>;
  /** a receive node's step: the buffered message it takes, if one came before it waited */
  readonly message?: ReceivedMessage | null;
  /** a task about to be created: how long its node took lately (the forecast's history) */
  readonly durations?: readonly DurationSample[];
}

/** The settings `planStep` reads. */
export type StepSettings = 'defaultSlaHours' | 'maxStepsPerInstance' | 'maxSubworkflowDepth' | 'leaseMs' | 'escalationEnabled';

/** An I/O step's handler returned. */
export interface ServiceReturned {
  readonly leaseToken: string;
  readonly result: { contextUpdates?: JsonObject; output?: JsonObject };
}

/** An I/O step's attempt that failed but may succeed later. */
export interface ServiceAttemptFailed {
  readonly leaseToken: string;
  readonly error: EngineError;
  /** the attempt's number, as Postgres counts them */
  readonly attempt: number;
}

/** A sub-workflow's child instance as its report finds it: ended, or (a stray report) still running. */
export interface ChildOutcome {
  readonly id: string;
  readonly status: InstanceState['status'];
  readonly contextData: JsonObject;
}

export type StepOutcome =
  | { readonly kind: 'noop'; readonly reason: string }
  | { readonly kind: 'plan'; readonly plan: Plan }
  /** an I/O service task: the plan claims the lease; the handler runs after commit */
  | { readonly kind: 'claim'; readonly plan: Plan; readonly node: ServiceTaskNode; readonly leaseToken: string }
  /** a sub-workflow: start the child in this transaction, then apply `waitPlan(childId)` */
  | { readonly kind: 'start_child'; readonly node: SubWorkflowNode; readonly waitPlan: (childInstanceId: string) => Plan };

/** An execution may run when ready, or when running under a lease that has run out (its worker died). */
export function isRunnable(execution: ExecutionState, now: Date): boolean {
  if (execution.status === 'ready') return true;
  return execution.status === 'running' && execution.leaseExpiresAt !== null && execution.leaseExpiresAt <= now;
}

export function planStep(at: PlanAt<StepSettings>, state: StepState): StepOutcome {
  const { now, settings } = at;
  const { definition, instance, execution } = state;
  if (!isRunnable(execution, now)) return { kind: 'noop', reason: `execution is ${execution.status}` };
  if (instance.status !== 'running') return { kind: 'noop', reason: `instance is ${instance.status}` };

  const node = nodeOf(definition, execution.nodeId);
  const b = stepBuilder(at, state);
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
        parkTask(b, state, node, settings);
        break;
      case 'gateway':
        b.record(started(execution));
        finishNode(b, definition, node, execution, 'completed', {});
        break;
      case 'service_task': {
        const inTransaction = inTransactionHandlerOf(node.serviceType);
        if (!inTransaction) {
          const leaseToken = at.newId();
          if (execution.attempts === 0 && execution.status === 'ready') b.record(started(execution));
          b.patch(execution, {
            status: 'running',
            leaseToken,
            leaseExpiresAt: new Date(now.getTime() + settings.leaseMs),
            attempts: execution.attempts + 1,
            startedAt: execution.startedAt ?? now,
          });
          return { kind: 'claim', plan: b.build(), node, leaseToken };
        }
        const result = applyInTransaction(inTransaction, node.serviceConfig, b.contextData, expressionScope(b.instance, b.contextData));
        b.record(started(execution));
        if (result.contextUpdates) b.mergeContext(result.contextUpdates);
        finishNode(b, definition, node, execution, 'completed', { output: result.output ?? result.contextUpdates ?? {} });
        break;
      }
      case 'timer':
        planTimerStep(b, state, node);
        break;
      case 'receive':
        planReceiveStep(b, state, node, state.message ?? null);
        break;
      case 'sub_workflow': {
        if (instance.depth + 1 > settings.maxSubworkflowDepth) {
          throw new NodeFailedError(
            'SUBWORKFLOW_DEPTH_EXCEEDED',
            `sub-workflow nesting exceeded WORKFLOW_MAX_SUBWORKFLOW_DEPTH (${settings.maxSubworkflowDepth}): a workflow that calls itself forever?`,
          );
        }
        return {
          kind: 'start_child',
          node,
          waitPlan: (childInstanceId) => {
            b.record({ ...started(execution), details: { nodeId: node.id, nodeType: node.nodeType, childInstanceId } });
            b.patch(execution, { status: 'waiting', waitingFor: 'child', output: { childInstanceId }, startedAt: now });
            return b.build();
          },
        };
      }
    }
  } catch (err) {
    if (!(err instanceof EngineError) || err.kind !== 'node_failed') throw err;
    return { kind: 'plan', plan: failedPlan(at, instance, execution, err) };
  }
  return { kind: 'plan', plan: b.build() };
}

/** The I/O step's handler returned: record its result and route on, if the lease still holds. */
export function planServiceCompletion(at: PlanAt, state: StepState, event: ServiceReturned): StepOutcome {
  const { definition, instance, execution } = state;
  const { result } = event;
  if (execution.status !== 'running' || execution.leaseToken !== event.leaseToken) {
    return { kind: 'noop', reason: 'the lease was lost: another worker took the step over' };
  }
  if (instance.status !== 'running') return { kind: 'noop', reason: `instance is ${instance.status}` };
  const node = nodeOf(definition, execution.nodeId);
  const b = stepBuilder(at, state);
  try {
    if (result.contextUpdates) b.mergeContext(result.contextUpdates);
    finishNode(b, definition, node, execution, 'completed', { output: result.output ?? result.contextUpdates ?? {} });
  } catch (err) {
    if (!(err instanceof EngineError) || err.kind !== 'node_failed') throw err;
    return { kind: 'plan', plan: failedPlan(at, instance, execution, err) };
  }
  return { kind: 'plan', plan: b.build() };
}

/**
 * The I/O step's handler is still at work: extend its lease, so no other worker takes the step
 * over while this one lives. Null when the lease is no longer this worker's.
 */
export function planLeaseRenewal(
  at: PlanAt<'leaseMs'>,
  state: Pick<StepState, 'instance' | 'execution'>,
  event: { readonly leaseToken: string },
): Plan | null {
  const { instance, execution } = state;
  if (execution.status !== 'running' || execution.leaseToken !== event.leaseToken || instance.status !== 'running') return null;
  const b = new PlanBuilder(instance, at.now, at.newId);
  b.patch(execution, { leaseExpiresAt: new Date(at.now.getTime() + at.settings.leaseMs) });
  return b.build();
}

/** The I/O step failed but may succeed later: release the lease, keep the error, wait for the retry. */
export function planServiceRetry(at: PlanAt, state: Pick<StepState, 'instance' | 'execution'>, event: ServiceAttemptFailed): Plan | null {
  const { instance, execution } = state;
  if (execution.status !== 'running' || execution.leaseToken !== event.leaseToken || instance.status !== 'running') return null;
  const b = new PlanBuilder(instance, at.now, at.newId);
  const error = serializeError(event.error) as unknown as JsonObject;
  b.patch(execution, { status: 'ready', leaseToken: null, leaseExpiresAt: null, error });
  // each failed attempt is in the audit trail, not only the last one
  b.record({ eventType: 'step_attempt_failed', nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: execution.nodeId, attempt: event.attempt, error } });
  return b.build();
}

/** A child instance ended: the parent's waiting sub_workflow execution completes, is rejected or fails. */
export function planChildResult(at: PlanAt, state: StepState, child: ChildOutcome): StepOutcome {
  const { definition, instance, execution } = state;
  if (execution.status !== 'waiting' || execution.waitingFor !== 'child') return { kind: 'noop', reason: `execution is ${execution.status}` };
  if (instance.status !== 'running') return { kind: 'noop', reason: `instance is ${instance.status}` };
  if (child.status === 'running') return { kind: 'noop', reason: 'the child is still running' };
  const node = nodeOf(definition, execution.nodeId);
  const b = stepBuilder(at, state);
  b.countStep();
  try {
    if (child.status === 'completed') {
      // only a sub_workflow waits for a child
      const outputMapping = node.nodeType === 'sub_workflow' ? node.outputMapping : null;
      const updates = outputMapping
        ? Object.fromEntries(Object.entries(outputMapping).map(([key, expr]) => [key, evaluateExpression(expr, { context: child.contextData, instance: { id: child.id } })]))
        : child.contextData;
      b.mergeContext(updates);
      finishNode(b, definition, node, execution, 'completed', { output: { childInstanceId: child.id, childStatus: child.status } });
    } else if (child.status === 'rejected') {
      finishNode(b, definition, node, execution, 'rejected', { output: { childInstanceId: child.id, childStatus: child.status } });
    } else {
      throw new NodeFailedError(
        child.status === 'failed' ? 'SUBWORKFLOW_FAILED' : 'SUBWORKFLOW_CANCELLED',
        `sub-workflow instance ${child.id} ended ${child.status}`,
        { childInstanceId: child.id },
      );
    }
  } catch (err) {
    if (!(err instanceof EngineError) || err.kind !== 'node_failed') throw err;
    return { kind: 'plan', plan: failedPlan(at, instance, execution, err) };
  }
  return { kind: 'plan', plan: b.build() };
}

function parkTask(
  b: PlanBuilder,
  state: StepState,
  node: ApprovalNode | UserTaskNode,
  settings: Pick<EngineSettings, 'defaultSlaHours' | 'escalationEnabled'>,
): void {
  const { definition: def, execution } = state;
  const holder = taskHolderOf(node, expressionScope(b.instance, b.contextData));
  const calendar = calendarOf(state, node.calendar);
  const hours = Math.min(node.slaHours ?? settings.defaultSlaHours, DEFINITION_BOUNDS.maxSlaHours);
  // with a calendar, slaHours are working hours
  const slaDeadline = calendar ? calendar.addBusinessTime(b.now, Math.round(hours * 3_600_000)) : slaDeadlineAfter(b.now, hours, DEFINITION_BOUNDS.maxSlaHours);
  const excluded = excludedUsers(node.separation, {
    startedBy: b.instance.startedBy,
    nodeId: node.id,
    decisions: state.decisions ?? [],
  });
  if (node.nodeType === 'approval') assertQuorumPossible(node, holder.candidates, excluded);
  // at risk from the start when the node usually takes longer than the deadline leaves
  const forecast = forecastFinish(b.now, state.durations ?? [], calendar);
  const atRisk = forecast !== null && forecast.finishAt > slaDeadline;
  // clock-stop: a round sent back for rework waits for the requester, not for the process
  const clockStops = node.nodeType === 'user_task' && node.pausesSla && execution.output?.revision !== undefined;
  // always watched: a breach is recorded even where escalation is off; reminders, ladder and timeout may come first
  const parked = { ...execution, waitingFor: 'task' as const, startedAt: b.now, slaDeadline, slaBreachedAt: null, escalatedAt: null, waitMarks: NO_WAIT_MARKS };
  const quorum = node.nodeType === 'approval' && node.quorum !== null;
  const wakeAt = nextWakeAt(pendingWaitEvents(parked, { ...node, escalations: settings.escalationEnabled && !quorum ? node.escalations : [] }, calendar)) ?? slaDeadline;
  b.patch(execution, {
    status: 'waiting',
    waitingFor: 'task',
    assignedUserId: holder.userId,
    assignedRole: holder.role,
    candidateUsers: holder.candidates,
    excludedUsers: excluded,
    escalationRole: node.escalationRole ?? def.escalationRole,
    slaDeadline,
    startedAt: b.now,
    wakeAt,
    waitMarks: NO_WAIT_MARKS,
    pausesSla: clockStops,
    forecastFinishAt: forecast?.finishAt ?? null,
    atRiskAt: atRisk ? b.now : null,
  });
  b.watchDeadline(execution.id, wakeAt);
  if (clockStops) b.record({ eventType: 'sla_paused', nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: node.id, reason: 'back with the requester for rework' } });
  b.record(started(execution));
  b.record({
    eventType: 'task_created',
    nodeExecutionId: execution.id,
    actorUserId: null,
    details: {
      nodeId: node.id,
      assignedUserId: holder.userId,
      assignedRole: holder.role,
      slaDeadline: slaDeadline.toISOString(),
      ...(holder.candidates.length > 0 ? { candidateUsers: [...holder.candidates] } : {}),
      ...(excluded.length > 0 ? { excludedUsers: excluded } : {}),
      ...(execution.comments !== null && execution.output?.revision ? { revision: execution.output.revision } : {}),
    },
  });
  if (atRisk && forecast) {
    b.record({
      eventType: 'sla_at_risk',
      nodeExecutionId: execution.id,
      actorUserId: null,
      details: { nodeId: node.id, forecastFinishAt: forecast.finishAt.toISOString(), slaDeadline: slaDeadline.toISOString(), samples: forecast.samples, model: FORECAST_MODEL },
    });
  }
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
  changes: {
    output?: JsonObject;
    decision?: 'approved' | 'rejected' | 'completed';
    decidedBy?: string;
    onBehalfOf?: string | null;
    comments?: string | null;
  },
  actorUserId: string | null = null,
): void {
  const routes = chooseRoutes(node, outcome, expressionScope(b.instance, b.contextData));
  b.patch(execution, {
    status: 'completed',
    waitingFor: null,
    leaseToken: null,
    leaseExpiresAt: null,
    error: null,
    output: changes.output ?? execution.output,
    decision: changes.decision ?? execution.decision,
    decidedBy: changes.decidedBy ?? execution.decidedBy,
    onBehalfOf: changes.onBehalfOf !== undefined ? changes.onBehalfOf : execution.onBehalfOf,
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
  b.patch(execution, {
    status: 'failed',
    waitingFor: null,
    leaseToken: null,
    leaseExpiresAt: null,
    error,
    startedAt: execution.startedAt ?? b.now,
    completedAt: b.now,
  });
  b.record({ eventType: 'node_failed', nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: execution.nodeId, error } });
  b.end('failed', { eventType: 'instance_failed', nodeExecutionId: execution.id, actorUserId: null, details: { error } });
}

/** The builder of a plan over a step's state, joins seen through `open`. */
export function stepBuilder(at: PlanAt, state: Pick<StepState, 'definition' | 'instance' | 'open'>): PlanBuilder {
  return new PlanBuilder(state.instance, at.now, at.newId, { definition: state.definition, ...(state.open ? { open: state.open } : {}) });
}

function failedPlan(at: PlanAt, instance: InstanceState, execution: ExecutionState, err: EngineError): Plan {
  const b = new PlanBuilder(instance, at.now, at.newId);
  b.countStep();
  failNode(b, execution, err);
  return b.build();
}

function started(execution: ExecutionState) {
  return {
    eventType: 'node_started' as const,
    nodeExecutionId: execution.id,
    actorUserId: null,
    details: { nodeId: execution.nodeId, nodeType: execution.nodeType } as JsonObject,
  };
}
