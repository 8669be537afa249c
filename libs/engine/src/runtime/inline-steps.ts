/**
 * Inline steps: a step without I/O that a plan readies is planned and written in the same
 * transaction, from the state the plan leaves behind worked out in memory, without reading back
 * what the transaction has just written (the instance stays locked throughout). One name for the
 * idea everywhere: `InlineStep`, `inlineStepsOf`, `maxInlineSteps`, `MAX_INLINE_STEPS`.
 */

import type { CompiledDefinition, CompiledNode } from '../definition/definition.types';
import { isOpenStatus, type ExecutionState, type InstanceState, type NodeJob, type Plan } from './model';
import { readyExecutionState } from './plan-start';
import type { OpenExecution } from './plan-builder';
import { inTransactionHandlerOf } from './engine-handlers';

/**
 * Nodes whose step is a database transaction and nothing else: they may run inline. Timers and
 * receive nodes are not among them: a receive node reads the message buffer under its
 * correlation lock, and both load calendars, in their own job.
 */
export function runsWithoutIo(node: CompiledNode | undefined): boolean {
  if (!node) return false;
  if (node.nodeType === 'service_task') return inTransactionHandlerOf(node.serviceType) !== undefined;
  return node.nodeType === 'gateway' || node.nodeType === 'approval' || node.nodeType === 'user_task';
}

/** A ready step a plan left that can be planned and written in the same transaction. */
export interface InlineStep {
  readonly job: NodeJob;
  readonly execution: ExecutionState;
}

/**
 * The steps `plan` readied that may run inline, in the order of its jobs: those of this instance
 * whose node needs no I/O and whose execution's whole state the plan shows (one it created, or a
 * waiting join it released, its node read from `open`, the executions the plan was made against).
 */
export function inlineStepsOf(definition: CompiledDefinition, plan: Plan, open: readonly OpenExecution[] = []): InlineStep[] {
  if (plan.instance.status !== 'running') return [];
  const out: InlineStep[] = [];
  for (const job of plan.enqueue) {
    if (job.kind === 'resume' || job.instanceId !== plan.instance.id) continue;
    const execution = readyExecution(definition, plan, job, open);
    if (execution && runsWithoutIo(definition.nodes.get(execution.nodeId))) out.push({ job, execution });
  }
  return out;
}

function readyExecution(definition: CompiledDefinition, plan: Plan, job: NodeJob, open: readonly OpenExecution[]): ExecutionState | undefined {
  const created = plan.newExecutions.find((e) => e.id === job.executionId && e.status === 'ready');
  if (created) return readyExecutionState(plan.instance.id, created);
  const patch = plan.executionPatches.find((p) => p.id === job.executionId && p.status === 'ready' && p.generation === job.generation);
  const known = patch && open.find((e) => e.id === patch.id);
  if (!patch || !known) return undefined;
  const node = definition.nodes.get(known.nodeId);
  return node ? { ...patch, instanceId: plan.instance.id, nodeId: node.id, nodeType: node.nodeType } : undefined;
}

/** The instance once `plan` is written; `lastHistoryHash` is the chain head the store reports. */
export function instanceAfter(instance: InstanceState, plan: Plan, lastHistoryHash: string | null): InstanceState {
  return {
    ...instance,
    status: plan.instance.status,
    contextData: plan.instance.contextData,
    openExecutions: instance.openExecutions + plan.instance.openDelta,
    stepCount: instance.stepCount + plan.instance.stepDelta,
    lastHistoryHash,
  };
}

/** The instance's open executions once `plan` is written (joins plan against them). */
export function openAfter(open: readonly OpenExecution[], plan: Plan): OpenExecution[] {
  const patched = new Map(plan.executionPatches.map((p) => [p.id, p]));
  const kept = open
    // a plan that closes the rest leaves open only what it patched open itself
    .filter((e) => !plan.cancelOtherOpenExecutions || patched.has(e.id))
    .map((e) => {
      const p = patched.get(e.id);
      return p ? { ...e, status: p.status, waitingFor: p.waitingFor } : e;
    });
  const created = plan.newExecutions.map((e) => ({ id: e.id, nodeId: e.nodeId, status: e.status, waitingFor: e.waitingFor }));
  return [...kept, ...created].filter((e) => isOpenStatus(e.status));
}
