/** Accumulates what one transaction will write; the planners use it to stay declarative. */

import type { CompiledDefinition, CompiledNode } from '../definition/definition.types';
import { mergedContext, type UpdateSource } from './context-limits';
import { joinPredecessors } from './joins';
import type {
  ExecutionPatch,
  ExecutionState,
  HistoryEvent,
  InstanceState,
  InstanceStatus,
  JsonObject,
  NewExecution,
  NodeJob,
  Plan,
  SlaCheck,
} from './model';
import { READY_EXECUTION_FIELDS, isOpenStatus } from './model';

/** An open execution of the instance, as joins need to see it. */
export interface OpenExecution {
  readonly id: string;
  readonly nodeId: string;
  readonly status: ExecutionState['status'];
  readonly waitingFor: ExecutionState['waitingFor'];
}

export interface PlanContext {
  readonly definition?: CompiledDefinition;
  /** every open execution of the instance (needed when the definition has joins) */
  readonly open?: readonly OpenExecution[];
}

export class PlanBuilder {
  private status: InstanceStatus;
  private context: JsonObject;
  private completedAt: Date | null = null;
  private openDelta = 0;
  private stepDelta = 0;
  private slaPausedMsDelta = 0;
  private cancelOthers = false;
  private readonly patches: ExecutionPatch[] = [];
  private readonly created: NewExecution[] = [];
  private readonly events: HistoryEvent[] = [];
  private readonly jobs: NodeJob[] = [];
  private readonly slaChecks: SlaCheck[] = [];
  private readonly joinArrivals = new Set<string>();

  constructor(
    readonly instance: InstanceState,
    readonly now: Date,
    private readonly newId: () => string,
    private readonly ctx: PlanContext = {},
  ) {
    this.status = instance.status;
    this.context = instance.contextData;
  }

  get contextData(): JsonObject {
    return this.context;
  }

  get instanceStatus(): InstanceStatus {
    return this.status;
  }

  /** open executions once this plan is applied */
  get openAfter(): number {
    return this.instance.openExecutions + this.openDelta;
  }

  /** Merge at the top level, held to the context limits (see context-limits). */
  mergeContext(values: JsonObject, source: UpdateSource = 'step'): void {
    this.context = mergedContext(this.context, values, source);
  }

  countStep(): void {
    this.stepDelta += 1;
  }

  patch(execution: ExecutionState, changes: Partial<ExecutionPatch>): void {
    const wasOpen = isOpenStatus(execution.status);
    const next: ExecutionPatch = { ...executionFields(execution), ...changes, id: execution.id };
    if (wasOpen && !isOpenStatus(next.status)) {
      this.openDelta -= 1;
      // a clock-stop wait is over: its time is left out of the instance SLA, and on record
      if (execution.pausesSla && execution.startedAt !== null) {
        const pausedMs = Math.max(0, this.now.getTime() - execution.startedAt.getTime());
        this.slaPausedMsDelta += pausedMs;
        this.events.push({ eventType: 'sla_resumed', nodeExecutionId: execution.id, actorUserId: null, details: { nodeId: execution.nodeId, pausedMs, from: execution.startedAt.toISOString() } });
      }
    }
    if (!wasOpen && isOpenStatus(next.status)) this.openDelta += 1;
    const i = this.patches.findIndex((p) => p.id === execution.id);
    if (i >= 0) this.patches[i] = next;
    else this.patches.push(next);
  }

  /**
   * Route into `node`: a new `ready` execution, enqueued after commit. A join node only records
   * the arrival; `build` decides whether it waits or fires.
   */
  activate(node: CompiledNode, seed?: Pick<NewExecution, 'comments' | 'output'>): void {
    if (node.join) {
      this.joinArrivals.add(node.id);
      return;
    }
    this.create(node, 'ready', seed);
  }

  private create(node: CompiledNode, status: 'ready' | 'waiting', seed?: Pick<NewExecution, 'comments' | 'output'>): string {
    const id = this.newId();
    this.created.push({
      id,
      nodeId: node.id,
      nodeType: node.nodeType,
      nodeName: node.name,
      status,
      waitingFor: status === 'waiting' ? 'join' : null,
      readyAt: this.now,
      ...seed,
    });
    if (status === 'ready') this.jobs.push({ kind: 'run', tenantId: this.instance.tenantId, instanceId: this.instance.id, executionId: id, generation: 0 });
    this.openDelta += 1;
    return id;
  }

  /** A new id, for what a plan creates besides executions (a callback nonce). */
  newIdOf(): string {
    return this.newId();
  }

  /** Watch a task's deadline (escalation). */
  watchDeadline(executionId: string, dueAt: Date): void {
    this.slaChecks.push({ tenantId: this.instance.tenantId, instanceId: this.instance.id, executionId, dueAt });
  }

  record(event: HistoryEvent): void {
    this.events.push(event);
  }

  /** End the instance: every other open execution is closed with it. */
  end(status: Exclude<InstanceStatus, 'running'>, event: HistoryEvent): void {
    this.status = status;
    this.completedAt = this.now;
    this.cancelOthers = true;
    // every execution not patched in this plan is closed by the bulk update
    this.openDelta = -this.instance.openExecutions;
    this.created.length = 0;
    this.jobs.length = 0;
    this.slaChecks.length = 0;
    this.joinArrivals.clear();
    this.events.push(event);
  }

  /** Back to running after a failure (an operator's retry). */
  reopen(): void {
    this.status = 'running';
    this.completedAt = null;
  }

  /** A failed execution made ready again under the next generation, enqueued after commit. */
  retryExecution(execution: ExecutionState): void {
    const generation = execution.generation + 1;
    this.patch(execution, { status: 'ready', error: null, attempts: 0, completedAt: null, generation, leaseToken: null, leaseExpiresAt: null });
    this.jobs.push({ kind: 'run', tenantId: this.instance.tenantId, instanceId: this.instance.id, executionId: execution.id, generation });
  }

  /** An execution another branch's failure closed, back in the state it had (see planRetry). */
  restoreClosedByFailure(execution: ExecutionState): void {
    const from = execution.closedByFailureFrom;
    if (from === 'waiting') {
      this.patch(execution, { status: 'waiting', completedAt: null, closedByFailureFrom: null });
      if (execution.waitingFor === 'task' && execution.slaDeadline) this.watchDeadline(execution.id, execution.slaDeadline);
      // the child may have finished while the parent was failed: its report comes again
      if (execution.waitingFor === 'child') {
        this.jobs.push({ kind: 'resume', tenantId: this.instance.tenantId, instanceId: this.instance.id, executionId: execution.id, generation: 0 });
      }
      return;
    }
    if (from === 'ready' || from === 'running') {
      this.retryExecution({ ...execution, closedByFailureFrom: null });
    }
  }

  /** Complete the instance when no execution is left open. */
  completeIfDone(actorUserId: string | null): void {
    this.settleJoins();
    if (this.status === 'running' && this.openAfter === 0) {
      this.status = 'completed';
      this.completedAt = this.now;
      this.events.push({ eventType: 'instance_completed', nodeExecutionId: null, actorUserId, details: {} });
    }
  }

  /**
   * A join fires once no open execution of the instance can still reach it; until then it waits
   * as one `waiting` execution however many branches arrived.
   */
  private settleJoins(): void {
    const def = this.ctx.definition;
    if (!def || this.status !== 'running') return;
    const patched = new Map(this.patches.map((p) => [p.id, p]));
    const open = (this.ctx.open ?? [])
      .map((e) => ({ ...e, status: patched.get(e.id)?.status ?? e.status }))
      .filter((e) => isOpenStatus(e.status));
    const waitingJoins = new Map(open.filter((e) => e.status === 'waiting' && e.waitingFor === 'join').map((e) => [e.nodeId, e]));
    const positions = [
      ...open.filter((e) => !(e.status === 'waiting' && e.waitingFor === 'join')).map((e) => e.nodeId),
      ...this.created.filter((e) => e.waitingFor !== 'join').map((e) => e.nodeId),
    ];
    for (const joinId of new Set([...this.joinArrivals, ...waitingJoins.keys()])) {
      const node = def.nodes.get(joinId);
      if (!node) continue;
      const preds = joinPredecessors(def, joinId);
      const blocked = positions.some((p) => preds.has(p));
      const waiting = waitingJoins.get(joinId);
      if (blocked) {
        if (!waiting && !this.created.some((e) => e.nodeId === joinId)) this.create(node, 'waiting');
      } else if (waiting) {
        this.patches.push(joinReady(waiting.id));
        this.jobs.push({ kind: 'run', tenantId: this.instance.tenantId, instanceId: this.instance.id, executionId: waiting.id, generation: 0 });
        positions.push(joinId);
      } else {
        this.create(node, 'ready');
        positions.push(joinId);
      }
    }
    this.joinArrivals.clear();
  }

  build(): Plan {
    const finished = this.instance.status === 'running' && this.status !== 'running';
    if (finished && this.instance.parentInstanceId && this.instance.parentNodeExecutionId) {
      // the parent's sub_workflow execution resumes in its own transaction
      this.jobs.push({
        tenantId: this.instance.tenantId,
        instanceId: this.instance.parentInstanceId,
        executionId: this.instance.parentNodeExecutionId,
        generation: 0,
        kind: 'resume',
      });
    }
    return {
      instance: {
        id: this.instance.id,
        status: this.status,
        contextData: this.context,
        completedAt: this.completedAt,
        openDelta: this.openDelta,
        stepDelta: this.stepDelta,
        slaPausedMsDelta: this.slaPausedMsDelta,
      },
      executionPatches: this.patches,
      newExecutions: this.created,
      cancelOtherOpenExecutions: this.cancelOthers,
      history: this.events,
      enqueue: this.jobs,
      slaChecks: this.slaChecks,
      now: this.now,
    };
  }
}

/** A waiting join released: a fresh ready execution (nothing else was ever set on it). */
function joinReady(id: string): ExecutionPatch {
  return { ...READY_EXECUTION_FIELDS, id };
}


function executionFields(e: ExecutionState): Omit<ExecutionPatch, 'id'> {
  return {
    status: e.status,
    generation: e.generation,
    waitingFor: e.waitingFor,
    leaseToken: e.leaseToken,
    leaseExpiresAt: e.leaseExpiresAt,
    assignedUserId: e.assignedUserId,
    assignedRole: e.assignedRole,
    escalationRole: e.escalationRole,
    previousAssignees: e.previousAssignees,
    candidateUsers: e.candidateUsers,
    excludedUsers: e.excludedUsers,
    claimedAt: e.claimedAt,
    votes: e.votes,
    decision: e.decision,
    decidedBy: e.decidedBy,
    onBehalfOf: e.onBehalfOf,
    pausesSla: e.pausesSla,
    forecastFinishAt: e.forecastFinishAt,
    atRiskAt: e.atRiskAt,
    wakeAt: e.wakeAt,
    waitMarks: e.waitMarks,
    messageName: e.messageName,
    correlationKey: e.correlationKey,
    callbackNonce: e.callbackNonce,
    comments: e.comments,
    output: e.output,
    error: e.error,
    attempts: e.attempts,
    slaDeadline: e.slaDeadline,
    escalatedAt: e.escalatedAt,
    slaBreachedAt: e.slaBreachedAt,
    closedByFailureFrom: e.closedByFailureFrom,
    startedAt: e.startedAt,
    completedAt: e.completedAt,
  };
}

/** The variables expressions see: `{ context, instance }`. */
export function expressionScope(instance: InstanceState, context: JsonObject): { context: JsonObject; instance: JsonObject } {
  return {
    context,
    instance: {
      id: instance.id,
      startedBy: instance.startedBy,
      triggerType: instance.triggerType,
      startedAt: instance.startedAt.toISOString(),
    },
  };
}

export function nodeOf(def: CompiledDefinition, nodeId: string): CompiledNode {
  const node = def.nodes.get(nodeId);
  // A pinned version never loses a node, so this is a bug, not bad input.
  if (!node) throw new Error(`node ${nodeId} is not in the definition`);
  return node;
}
