/** Accumulates what one transaction will write; the planners use it to stay declarative. */

import type { CompiledDefinition, CompiledNode } from '../definition/definition.types';
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
} from './model';

export class PlanBuilder {
  private status: InstanceStatus;
  private context: JsonObject;
  private completedAt: Date | null = null;
  private openDelta = 0;
  private stepDelta = 0;
  private cancelOthers = false;
  private readonly patches: ExecutionPatch[] = [];
  private readonly created: NewExecution[] = [];
  private readonly events: HistoryEvent[] = [];
  private readonly jobs: NodeJob[] = [];

  constructor(
    readonly instance: InstanceState,
    readonly now: Date,
    private readonly newId: () => string,
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

  mergeContext(values: JsonObject): void {
    this.context = { ...this.context, ...values };
  }

  countStep(): void {
    this.stepDelta += 1;
  }

  patch(execution: ExecutionState, changes: Partial<ExecutionPatch>): void {
    const wasOpen = isOpen(execution.status);
    const next: ExecutionPatch = { ...executionFields(execution), ...changes, id: execution.id };
    if (wasOpen && !isOpen(next.status)) this.openDelta -= 1;
    if (!wasOpen && isOpen(next.status)) this.openDelta += 1;
    this.patches.push(next);
  }

  /** A new `ready` execution of `node`, enqueued after commit. */
  activate(node: CompiledNode): string {
    const id = this.newId();
    this.created.push({ id, nodeId: node.id, nodeType: node.nodeType, nodeName: node.name, status: 'ready', readyAt: this.now });
    this.jobs.push({ tenantId: this.instance.tenantId, instanceId: this.instance.id, executionId: id, generation: 0 });
    this.openDelta += 1;
    return id;
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
    this.patch(execution, { status: 'ready', error: null, attempts: 0, completedAt: null, generation });
    this.jobs.push({ tenantId: this.instance.tenantId, instanceId: this.instance.id, executionId: execution.id, generation });
  }

  /** Complete the instance when no execution is left open. */
  completeIfDone(actorUserId: string | null): void {
    if (this.status === 'running' && this.openAfter === 0) {
      this.status = 'completed';
      this.completedAt = this.now;
      this.events.push({ eventType: 'instance_completed', nodeExecutionId: null, actorUserId, details: {} });
    }
  }

  build(): Plan {
    return {
      instance: {
        id: this.instance.id,
        status: this.status,
        contextData: this.context,
        completedAt: this.completedAt,
        openDelta: this.openDelta,
        stepDelta: this.stepDelta,
      },
      executionPatches: this.patches,
      newExecutions: this.created,
      cancelOtherOpenExecutions: this.cancelOthers,
      history: this.events,
      enqueue: this.jobs,
      now: this.now,
    };
  }
}

function isOpen(status: string): boolean {
  return status === 'ready' || status === 'running' || status === 'waiting';
}

function executionFields(e: ExecutionState): Omit<ExecutionPatch, 'id'> {
  return {
    status: e.status,
    generation: e.generation,
    assignedUserId: e.assignedUserId,
    assignedRole: e.assignedRole,
    escalationRole: e.escalationRole,
    previousAssignees: e.previousAssignees,
    decision: e.decision,
    decidedBy: e.decidedBy,
    comments: e.comments,
    output: e.output,
    error: e.error,
    attempts: e.attempts,
    slaDeadline: e.slaDeadline,
    escalatedAt: e.escalatedAt,
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
