/**
 * The step use case: run one node job. A duplicate or late job finds its execution no longer
 * runnable and does nothing. I/O service tasks commit a lease, run their handler outside any
 * transaction, and record the result only if the lease still holds. A crash between commit and
 * dispatch loses nothing: the reconciliation sweep re-dispatches executions that waited too long.
 */

import { EngineError, NodeFailedError, TransientError } from '../errors/engine-errors';
import type { ServiceTaskNode, SubWorkflowNode } from '../definition/definition.types';
import type { JsonObject, NodeJob, Plan } from '../runtime/model';
import type { EnginePorts, StoreTx } from '../runtime/ports';
import { failNode, planChildResult, planServiceCompletion, planServiceRetry, planStep, type StepOutcome } from '../runtime/plan-step';
import { PlanBuilder, expressionScope, type OpenExecution } from '../runtime/plan-builder';
import { planAt } from '../runtime/plan-at';
import { inlineStepsOf, instanceAfter, openAfter, type InlineStep } from '../runtime/inline-steps';
import { runInTenant, type Effects } from './effects';
import { decisionsFor, durationsFor, loadStep, type LoadedStep } from './load-step';
import { correlationKeyOf, planMessageReceived, type ReceivedMessage } from '../waits/plan-wait';
import { startInTransaction } from './start-instance';
import { failExecution } from './fail-execution';

export interface ExecuteOptions {
  /** 1 for the first delivery of the job */
  readonly attempt: number;
  /** no retry follows this attempt: a failure now fails the node */
  readonly finalAttempt: boolean;
  readonly signal?: AbortSignal;
  /**
   * Steps this call may write in one transaction, the job's own included (default 1): the steps
   * without I/O that a step readies (a gateway, `set_context`, parking a task) run inline, in the
   * same transaction, up to this many in all; the rest go through the queue.
   */
  readonly maxInlineSteps?: number;
}

/** A step run inline in the transaction of the job's own step. */
export interface InlineStepRun {
  readonly job: NodeJob;
  readonly plan: Plan;
}

export interface ExecuteResult {
  readonly outcome: 'noop' | 'plan' | 'service';
  readonly reason?: string;
  /** the plan of the job's own step */
  readonly plan?: Plan;
  /** the steps that ran inline after it in the same transaction, in order */
  readonly inlineSteps?: readonly InlineStepRun[];
}

const noop = (reason: string): ExecuteResult => ({ outcome: 'noop', reason });

interface StepTx {
  readonly ports: EnginePorts;
  readonly tx: StoreTx;
  readonly effects: Effects;
  readonly job: NodeJob;
  readonly loaded: LoadedStep;
  readonly maxInlineSteps: number;
}

/**
 * Write `plan`, then run inline: the steps without I/O it readies (and those they ready) are planned
 * from the state in memory (the instance stays locked) and written in the same transaction, in
 * the order they were readied, up to `maxInlineSteps` steps in all. Steps in one transaction commit
 * together or not at all, so a crash anywhere replays them all from the job's own step.
 * Everything else readied is dispatched after commit.
 */
async function writeAndRunInline({ ports, tx, effects, job, loaded, maxInlineSteps }: StepTx, plan: Plan): Promise<ExecuteResult> {
  const { definition } = loaded.state;
  const inlineSteps: InlineStepRun[] = [];
  const runnable: InlineStep[] = [];
  let state = loaded.snap.instance;
  let current = plan;
  let currentJob = job;
  let open: readonly OpenExecution[] | undefined = loaded.state.open;
  for (let written = 1; ; written += 1) {
    const { lastHistoryHash } = await effects.write(tx, current, state);
    effects.emit({ type: 'step_committed', tenantId: job.tenantId, instanceId: job.instanceId, executionId: currentJob.executionId, job: currentJob.kind, inline: written > 1 });
    state = instanceAfter(state, current, lastHistoryHash);
    runnable.push(...inlineStepsOf(definition, current, open));
    open = open && openAfter(open, current);
    const next = written < maxInlineSteps && state.status === 'running' ? runnable.shift() : undefined;
    if (!next) break;
    let step: StepOutcome;
    try {
      const decisions = await decisionsFor(tx, definition, state.id, next.execution);
      const calendars = loaded.state.calendars;
      const durations = await durationsFor(tx, definition, next.execution);
      step = planStep(planAt(ports), {
        definition,
        instance: state,
        execution: next.execution,
        ...(open ? { open } : {}),
        ...(decisions ? { decisions } : {}),
        ...(calendars ? { calendars } : {}),
        ...(durations ? { durations } : {}),
      });
    } catch {
      // a step that cannot be planned is left to its own job, which reports why
      break;
    }
    if (step.kind !== 'plan') break;
    effects.withdraw(next.job);
    inlineSteps.push({ job: next.job, plan: step.plan });
    current = step.plan;
    currentJob = next.job;
  }
  return { outcome: 'plan', plan, ...(inlineSteps.length > 0 ? { inlineSteps } : {}) };
}

interface Claim {
  readonly node: ServiceTaskNode;
  readonly leaseToken: string;
  /** this attempt's number, as Postgres counts them (the claim counted it) */
  readonly attempt: number;
  readonly context: JsonObject;
  readonly scope: { context: JsonObject; instance: JsonObject };
}

/** What a job's handler did inside the first transaction; a claim continues outside it. */
interface FirstTransaction {
  readonly result: ExecuteResult;
  readonly claim?: Claim;
}

interface JobHandler<J extends NodeJob> {
  /** a job of an older generation than the execution's is stale (a resume wakes any generation) */
  readonly matchesGeneration: boolean;
  readonly run: (job: J, step: StepTx) => Promise<FirstTransaction>;
}

/** One handler per kind of job (the shape of Temporal's activator map). */
const JOB_HANDLERS: { readonly [K in NodeJob['kind']]: JobHandler<Extract<NodeJob, { kind: K }>> } = {
  run: { matchesGeneration: true, run: (_job, step) => runExecution(step) },
  resume: { matchesGeneration: false, run: (_job, step) => resumeWait(step) },
};

/** What a waiting execution waited for has come: a child's end, or a message. */
async function resumeWait(step: StepTx): Promise<FirstTransaction> {
  const execution = step.loaded.snap.execution;
  if (execution.waitingFor !== 'message') return resumeParent(step);
  const message = await step.tx.deliveredMessage(execution.id);
  if (!message) return { result: noop('no message delivered to this execution') };
  const plan = planMessageReceived(step.loaded.at, step.loaded.state, message);
  if (!plan) return { result: noop(`execution is ${execution.status}`) };
  return { result: await writeAndRunInline(step, plan) };
}

/** A child ended: the parent's waiting sub_workflow execution takes its result. */
async function resumeParent(step: StepTx): Promise<FirstTransaction> {
  const child = await step.tx.childOf(step.loaded.snap.execution.id);
  if (!child) return { result: noop('no child instance') };
  const out = planChildResult(step.loaded.at, step.loaded.state, child);
  if (out.kind !== 'plan') return { result: noop(out.kind === 'noop' ? out.reason : out.kind) };
  return { result: await writeAndRunInline(step, out.plan) };
}

/** Start a sub_workflow's child on the parent's transaction: the child exists exactly when the parent waits for it. */
async function startChild(step: StepTx, node: SubWorkflowNode, waitPlan: (childId: string) => Plan): Promise<Plan> {
  const { ports, tx, effects } = step;
  const { instance: parent, execution } = step.loaded.snap;
  try {
    // depth alone let a parallel fork into two self-calling sub-workflows make 2,047 instances from one request
    const rootInstanceId = await tx.countTreeInstance(parent.id, ports.settings.maxInstancesPerTree);
    if (!rootInstanceId) {
      throw new NodeFailedError(
        'SUBWORKFLOW_TREE_LIMIT_EXCEEDED',
        `the instance tree already holds ${ports.settings.maxInstancesPerTree} instances (WORKFLOW_MAX_INSTANCES_PER_TREE): no further sub-workflow may start in it`,
      );
    }
    const child = await startInTransaction(ports, tx, effects, {
      ...(node.subWorkflowDefinitionId !== null ? { workflowDefinitionId: node.subWorkflowDefinitionId } : { workflowName: node.subWorkflowName }),
      // the child inherits the parent's context and starter
      contextData: parent.contextData,
      startedBy: parent.startedBy,
      triggerType: 'sub_workflow',
      parent: { instanceId: parent.id, nodeExecutionId: execution.id, rootInstanceId, depth: parent.depth + 1 },
    });
    return waitPlan(child.instance.id);
  } catch (err) {
    if (!(err instanceof EngineError) || err.retryable) throw err;
    // the child cannot start (no active version, invalid input): the node fails for good
    const b = new PlanBuilder(parent, step.loaded.at.now, ports.newId);
    b.countStep();
    failNode(b, execution, err instanceof NodeFailedError ? err : new NodeFailedError('SUBWORKFLOW_START_FAILED', `${err.code}: ${err.message}`));
    return b.build();
  }
}

/** A ready execution runs: planned here, or claimed for a handler that runs outside the transaction. */
async function runExecution(step: StepTx): Promise<FirstTransaction> {
  const { tx, effects, loaded } = step;
  const { snap } = loaded;
  const message = await bufferedMessageFor(step);
  const out = planStep(loaded.at, message === undefined ? loaded.state : { ...loaded.state, message });
  switch (out.kind) {
    case 'noop':
      return { result: noop(out.reason) };
    case 'plan':
      return { result: await writeAndRunInline(step, out.plan) };
    case 'claim':
      await effects.write(tx, out.plan, snap.instance);
      return {
        result: { outcome: 'service', plan: out.plan },
        claim: {
          node: out.node,
          leaseToken: out.leaseToken,
          attempt: snap.execution.attempts + 1,
          context: snap.instance.contextData,
          scope: expressionScope(snap.instance, snap.instance.contextData),
        },
      };
    case 'start_child':
      return { result: await writeAndRunInline(step, await startChild(step, out.node, out.waitPlan)) };
  }
}

/**
 * A receive node about to wait: under its correlation lock, the message that came first, taken.
 * Undefined for other steps (and when the key cannot be computed: the step fails, saying why).
 */
async function bufferedMessageFor(step: StepTx): Promise<ReceivedMessage | null | undefined> {
  const { tx, loaded } = step;
  const { instance, execution } = loaded.snap;
  const node = loaded.state.definition.nodes.get(execution.nodeId);
  if (node?.nodeType !== 'receive' || execution.status !== 'ready' || instance.status !== 'running') return undefined;
  let key: string;
  try {
    key = correlationKeyOf(node, expressionScope(instance, instance.contextData));
  } catch {
    return undefined;
  }
  await tx.lockCorrelation(node.messageName, key);
  return tx.takeBufferedMessage(node.messageName, key, execution.id, loaded.at.now);
}

/** `job` to its kind's handler (TypeScript cannot correlate the map's key with the job's type). */
function handlerOf(job: NodeJob): JobHandler<NodeJob> {
  return JOB_HANDLERS[job.kind] as JobHandler<NodeJob>;
}

/** Lock the job's step; null when the job is stale (its execution is gone, or of another generation). */
async function loadJobStep(ports: EnginePorts, tx: StoreTx, job: NodeJob): Promise<LoadedStep | null> {
  const loaded = await loadStep(ports, tx, job);
  if (!loaded) return null;
  if (handlerOf(job).matchesGeneration && loaded.snap.execution.generation !== job.generation) return null;
  return loaded;
}

export async function executeNode(ports: EnginePorts, job: NodeJob, opts: ExecuteOptions = { attempt: 1, finalAttempt: true }): Promise<ExecuteResult> {
  const maxInlineSteps = Math.max(1, opts.maxInlineSteps ?? 1);
  const first = await runInTenant(ports, job.tenantId, async (tx, effects): Promise<FirstTransaction> => {
    const loaded = await loadJobStep(ports, tx, job);
    if (!loaded) return { result: noop('execution not found or stale generation') };
    return handlerOf(job).run(job, { ports, tx, effects, job, loaded, maxInlineSteps });
  });
  if (!first.claim) return first.result;
  return runService(ports, job, first.claim, { ...opts, maxInlineSteps });
}

async function runService(ports: EnginePorts, job: NodeJob, claim: Claim, opts: ExecuteOptions & { maxInlineSteps: number }): Promise<ExecuteResult> {
  const { serviceType } = claim.node;
  const handler = ports.handlers.get(serviceType);
  let result;
  const abort = new AbortController();
  const outer = opts.signal;
  if (outer) {
    if (outer.aborted) abort.abort(outer.reason);
    else outer.addEventListener('abort', () => abort.abort(outer.reason), { once: true });
  }
  // the handler is told to stop once its lease is lost: its result would be refused anyway
  const stopRenewing = handler
    ? ports.leases.track(job, claim.leaseToken, () => abort.abort(new Error('the lease was lost: another worker took the step over')))
    : async () => undefined;
  try {
    if (!handler) throw new NodeFailedError('HANDLER_UNAVAILABLE', `no handler is registered for service type "${serviceType}" in this worker`);
    result = await handler.execute({
      tenantId: job.tenantId,
      instanceId: job.instanceId,
      executionId: job.executionId,
      nodeId: claim.node.id,
      config: claim.node.serviceConfig,
      context: claim.context,
      scope: claim.scope,
      attempt: claim.attempt,
      signal: abort.signal,
    });
  } catch (raw) {
    await stopRenewing();
    const err = raw instanceof EngineError ? raw : new TransientError('HANDLER_ERROR', (raw as Error)?.message ?? String(raw));
    // the queue's attempt count can be reset (a job removed in Bull Board, then re-dispatched);
    // the count in Postgres cannot
    const attemptsLeft = ports.settings.maxAttempts === undefined || claim.attempt < ports.settings.maxAttempts;
    if (err.retryable && !opts.finalAttempt && attemptsLeft) {
      await runInTenant(ports, job.tenantId, async (tx, effects) => {
        const snap = await tx.lockStep(job.instanceId, job.executionId);
        const plan = snap && planServiceRetry(planAt(ports), snap, { leaseToken: claim.leaseToken, error: err, attempt: claim.attempt });
        if (snap && plan) await effects.write(tx, plan, snap.instance);
      });
      throw err;
    }
    const final = err.retryable
      ? new NodeFailedError(err.code, `${err.message} (after ${claim.attempt} attempt${claim.attempt === 1 ? '' : 's'})`, err.details)
      : err;
    await failExecution(ports, job, final, claim.leaseToken);
    throw new NodeFailedError(final.code, final.message, final.details);
  }
  await stopRenewing();

  return runInTenant(ports, job.tenantId, async (tx, effects): Promise<ExecuteResult> => {
    const loaded = await loadJobStep(ports, tx, job);
    if (!loaded) return noop('execution vanished');
    const out = planServiceCompletion(loaded.at, loaded.state, { leaseToken: claim.leaseToken, result });
    if (out.kind !== 'plan') return noop(out.kind === 'noop' ? out.reason : out.kind);
    return writeAndRunInline({ ports, tx, effects, job, loaded, maxInlineSteps: opts.maxInlineSteps }, out.plan);
  });
}
