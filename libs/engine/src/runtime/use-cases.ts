/**
 * The use cases over ports: each runs tenant-scoped transactions (lock, plan, apply) and
 * dispatches the ready executions after commit. A crash between commit and dispatch loses
 * nothing: the reconciliation sweep re-dispatches executions that waited too long.
 */

import { EngineError, ForbiddenError, NodeFailedError, NotFoundError, TransientError } from '../errors/engine-errors';
import type { CompiledDefinition, CompiledNode } from '../definition/definition.types';
import type { Actor, InstanceState, JsonObject, NodeJob, Plan, SlaCheck } from './model';
import type { DefinitionRecord, EnginePorts, StoreTx } from './ports';
import { assertDecidable, planDecision, type TaskCommand } from './plan-decision';
import { failNode, planChildResult, planServiceCompletion, planServiceRetry, planStep, type StepOutcome } from './plan-step';
import { PlanBuilder, expressionScope, type OpenExecution } from './plan-builder';
import { inlineStepsOf, instanceAfter, openAfter, type InlineStep } from './inline-steps';
import { hasJoins } from './joins';
import { planEscalation } from './plan-escalation';
import { taskAccess } from './task-access';

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

/** What a transaction leaves to do after commit. */
interface AfterCommit {
  readonly jobs: readonly NodeJob[];
  readonly slaChecks: readonly SlaCheck[];
}

async function dispatchAfterCommit(ports: EnginePorts, after: AfterCommit): Promise<void> {
  await ports.dispatcher.dispatch(after.jobs);
  if (after.slaChecks.length > 0) await ports.dispatcher.scheduleSlaChecks(after.slaChecks);
}

/**
 * Write `plan`, then run inline: the steps without I/O it readies (and those they ready) are planned
 * from the state in memory (the instance stays locked) and written in the same transaction, in
 * the order they were readied, up to `maxInlineSteps` steps in all. Steps in one transaction commit
 * together or not at all, so a crash anywhere replays them all from the job's own step.
 * Everything else readied is dispatched after commit.
 */
async function writeAndRunInline(
  ports: EnginePorts,
  tx: StoreTx,
  ctx: { definition: CompiledDefinition; open?: readonly OpenExecution[] },
  instance: InstanceState,
  plan: Plan,
  maxInlineSteps: number,
): Promise<{ result: ExecuteResult; after: AfterCommit }> {
  const jobs: NodeJob[] = [];
  const slaChecks: SlaCheck[] = [];
  const inlineSteps: InlineStepRun[] = [];
  const runnable: InlineStep[] = [];
  let state = instance;
  let current = plan;
  let open = ctx.open;
  for (let written = 1; ; written += 1) {
    const { lastHistoryHash } = await tx.apply(current, state);
    jobs.push(...current.enqueue);
    slaChecks.push(...current.slaChecks);
    state = instanceAfter(state, current, lastHistoryHash);
    runnable.push(...inlineStepsOf(ctx.definition, current, open));
    open = open && openAfter(open, current);
    const next = written < maxInlineSteps && state.status === 'running' ? runnable.shift() : undefined;
    if (!next) break;
    let step: StepOutcome;
    try {
      step = planStep({ definition: ctx.definition, instance: state, execution: next.execution, now: ports.clock.now(), newId: ports.newId, settings: ports.settings, ...(open ? { open } : {}) });
    } catch {
      // a step that cannot be planned is left to its own job, which reports why
      break;
    }
    if (step.kind !== 'plan') break;
    jobs.splice(jobs.indexOf(next.job), 1);
    inlineSteps.push({ job: next.job, plan: step.plan });
    current = step.plan;
  }
  return { result: { outcome: 'plan', plan, ...(inlineSteps.length > 0 ? { inlineSteps } : {}) }, after: { jobs, slaChecks } };
}

interface Claim {
  readonly node: CompiledNode;
  readonly leaseToken: string;
  /** this attempt's number, as Postgres counts them (the claim counted it) */
  readonly attempt: number;
  readonly context: JsonObject;
  readonly scope: { context: JsonObject; instance: JsonObject };
}

async function definitionOf(tx: StoreTx, definitionId: string): Promise<DefinitionRecord> {
  const def = await tx.definition(definitionId);
  if (!def) throw new Error(`definition ${definitionId} of a live instance is missing`);
  return def;
}

type LoadedStep = NonNullable<Awaited<ReturnType<typeof loadStep>>>;

/** Lock the step's instance and load what planning needs; null when the job is stale. */
async function loadStep(ports: EnginePorts, tx: StoreTx, job: NodeJob) {
  const snap = await tx.lockStep(job.instanceId, job.executionId);
  if (!snap) return null;
  if (JOB_HANDLERS[job.kind].matchesGeneration && snap.execution.generation !== job.generation) return null;
  const def = await definitionOf(tx, snap.instance.definitionId);
  const open = hasJoins(def.compiled) ? await tx.openExecutions(snap.instance.id) : undefined;
  return {
    snap,
    base: {
      definition: def.compiled,
      instance: snap.instance,
      execution: snap.execution,
      now: ports.clock.now(),
      newId: ports.newId,
      ...(open ? { open } : {}),
    },
  };
}

/** What a job's handler did inside the first transaction; a claim continues outside it. */
interface FirstTransaction {
  readonly result: ExecuteResult;
  readonly claim?: Claim;
  readonly after: AfterCommit;
}

interface JobStep {
  readonly ports: EnginePorts;
  readonly tx: StoreTx;
  readonly loaded: LoadedStep;
  /** write `plan`, then run inline the steps without I/O it readied */
  readonly write: (plan: Plan) => Promise<FirstTransaction>;
}

interface JobHandler<J extends NodeJob> {
  /** a job of an older generation than the execution's is stale (a resume wakes any generation) */
  readonly matchesGeneration: boolean;
  readonly run: (job: J, step: JobStep) => Promise<FirstTransaction>;
}

const NOTHING: AfterCommit = { jobs: [], slaChecks: [] };
const noop = (reason: string): FirstTransaction => ({ result: { outcome: 'noop', reason }, after: NOTHING });

/** One handler per kind of job (the shape of Temporal's activator map). */
const JOB_HANDLERS: { readonly [K in NodeJob['kind']]: JobHandler<Extract<NodeJob, { kind: K }>> } = {
  run: { matchesGeneration: true, run: (_job, step) => runExecution(step) },
  resume: { matchesGeneration: false, run: (_job, step) => resumeParent(step) },
};

/** A child ended: the parent's waiting sub_workflow execution takes its result. */
async function resumeParent({ tx, loaded, write }: JobStep): Promise<FirstTransaction> {
  const child = await tx.childOf(loaded.snap.execution.id);
  if (!child) return noop('no child instance');
  const out = planChildResult(loaded.base, child);
  if (out.kind !== 'plan') return noop(out.kind === 'noop' ? out.reason : out.kind);
  return write(out.plan);
}

/** A ready execution runs: planned here, or claimed for a handler that runs outside the transaction. */
async function runExecution({ ports, tx, loaded, write }: JobStep): Promise<FirstTransaction> {
  const { snap, base } = loaded;
  const step = planStep({ ...base, settings: ports.settings });
  switch (step.kind) {
    case 'noop':
      return noop(step.reason);
    case 'plan':
      return write(step.plan);
    case 'claim':
      await tx.apply(step.plan, snap.instance);
      return {
        result: { outcome: 'service', plan: step.plan },
        after: NOTHING,
        claim: {
          node: step.node,
          leaseToken: step.leaseToken,
          attempt: snap.execution.attempts + 1,
          context: snap.instance.contextData,
          scope: expressionScope(snap.instance, snap.instance.contextData),
        },
      };
    case 'start_child': {
      let plan: Plan;
      let childJobs: readonly NodeJob[] = [];
      try {
        const child = await ports.children.start(tx, { parent: snap.instance, execution: snap.execution, node: step.node }, base.now);
        plan = step.waitPlan(child.instanceId);
        childJobs = child.enqueue;
      } catch (err) {
        if (!(err instanceof EngineError) || err.retryable) throw err;
        // the child cannot start (no active version, invalid input): the node fails for good
        const b = new PlanBuilder(snap.instance, base.now, ports.newId);
        b.countStep();
        failNode(b, snap.execution, err instanceof NodeFailedError ? err : new NodeFailedError('SUBWORKFLOW_START_FAILED', `${err.code}: ${err.message}`));
        plan = b.build();
      }
      const run = await write(plan);
      return { ...run, after: { ...run.after, jobs: [...run.after.jobs, ...childJobs] } };
    }
  }
}

/** `job` to its kind's handler (TypeScript cannot correlate the map's key with the job's type). */
function handle(job: NodeJob, step: JobStep): Promise<FirstTransaction> {
  const handler = JOB_HANDLERS[job.kind] as JobHandler<NodeJob>;
  return handler.run(job, step);
}

/**
 * Run one node job. A duplicate or late job finds its execution no longer runnable and does
 * nothing. I/O service tasks commit a lease, run their handler outside any transaction, and record
 * the result only if the lease still holds.
 */
export async function executeNode(
  ports: EnginePorts,
  job: NodeJob,
  opts: ExecuteOptions = { attempt: 1, finalAttempt: true },
): Promise<ExecuteResult> {
  const maxInlineSteps = Math.max(1, opts.maxInlineSteps ?? 1);
  const first = await ports.store.inTenant(job.tenantId, async (tx): Promise<FirstTransaction> => {
    const loaded = await loadStep(ports, tx, job);
    if (!loaded) return noop('execution not found or stale generation');
    const write = (plan: Plan) => writeAndRunInline(ports, tx, loaded.base, loaded.snap.instance, plan, maxInlineSteps);
    return handle(job, { ports, tx, loaded, write });
  });
  await dispatchAfterCommit(ports, first.after);
  if (!first.claim) return first.result;
  return runService(ports, job, first.claim, { ...opts, maxInlineSteps });
}

async function runService(ports: EnginePorts, job: NodeJob, claim: Claim, opts: ExecuteOptions): Promise<ExecuteResult> {
  const serviceType = claim.node.serviceType ?? '';
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
      await ports.store.inTenant(job.tenantId, async (tx) => {
        const snap = await tx.lockStep(job.instanceId, job.executionId);
        const plan = snap && planServiceRetry(snap.instance, snap.execution, claim.leaseToken, err, claim.attempt, ports.clock.now(), ports.newId);
        if (snap && plan) await tx.apply(plan, snap.instance);
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

  const done = await ports.store.inTenant(job.tenantId, async (tx): Promise<{ result: ExecuteResult; after?: AfterCommit }> => {
    const loaded = await loadStep(ports, tx, job);
    if (!loaded) return { result: { outcome: 'noop', reason: 'execution vanished' } };
    const out = planServiceCompletion(loaded.base, claim.leaseToken, result);
    if (out.kind !== 'plan') return { result: { outcome: 'noop', reason: out.kind === 'noop' ? out.reason : out.kind } };
    return writeAndRunInline(ports, tx, loaded.base, loaded.snap.instance, out.plan, opts.maxInlineSteps ?? 1);
  });
  if (done.after) await dispatchAfterCommit(ports, done.after);
  return done.result;
}

async function lockActionableTask(tx: StoreTx, actor: Actor, taskId: string, action: TaskCommand['action']) {
  const snap = await tx.lockTask(taskId);
  if (!snap) throw new NotFoundError('Task', taskId);
  const holds = taskAccess(actor, snap.execution, false) === 'act';
  const access = holds ? 'act' : taskAccess(actor, snap.execution, await tx.participates(snap.instance.id, actor));
  if (access === 'none') throw new NotFoundError('Task', taskId);
  if (access === 'see') throw new ForbiddenError(`task ${taskId} is not assigned to you`, 'NOT_TASK_ASSIGNEE');
  assertDecidable(snap.instance, snap.execution, action);
  return snap;
}

/** The checks a decision makes before reading its body: 404, 403, 409. */
export async function checkTask(ports: EnginePorts, actor: Actor, taskId: string, action: TaskCommand['action']): Promise<void> {
  await ports.store.inTenant(actor.tenantId, (tx) => lockActionableTask(tx, actor, taskId, action));
}

/**
 * Decide a task. Concurrent decisions serialise on the instance lock; all but the first find the
 * task no longer `waiting` (409).
 */
export async function decideTask(
  ports: EnginePorts,
  actor: Actor,
  taskId: string,
  command: TaskCommand,
  validate?: (def: DefinitionRecord, snap: { nodeId: string }) => void,
): Promise<{ instanceId: string; plan: Plan }> {
  const result = await ports.store.inTenant(actor.tenantId, async (tx) => {
    const snap = await lockActionableTask(tx, actor, taskId, command.action);
    const def = await definitionOf(tx, snap.instance.definitionId);
    validate?.(def, { nodeId: snap.execution.nodeId });
    const open = hasJoins(def.compiled) ? await tx.openExecutions(snap.instance.id) : undefined;
    const plan = planDecision(
      { definition: def.compiled, instance: snap.instance, task: snap.execution, actor, now: ports.clock.now(), newId: ports.newId, ...(open ? { open } : {}) },
      command,
    );
    await tx.apply(plan, snap.instance);
    return { instanceId: snap.instance.id, plan };
  });
  await ports.dispatcher.dispatch(result.plan.enqueue);
  return result;
}

/**
 * Fail a ready or running execution for good (a handler's unrecoverable error, retries
 * exhausted): the execution and its instance become `failed`, with the error recorded. With a
 * lease token, only while that lease still holds.
 */
export async function failExecution(ports: EnginePorts, job: NodeJob, error: EngineError, leaseToken?: string): Promise<boolean> {
  const jobs = await ports.store.inTenant(job.tenantId, async (tx) => {
    const snap = await tx.lockStep(job.instanceId, job.executionId);
    if (!snap || snap.execution.generation !== job.generation) return null;
    if (snap.instance.status !== 'running') return null;
    const e = snap.execution;
    if (leaseToken !== undefined ? e.status !== 'running' || e.leaseToken !== leaseToken : e.status !== 'ready' && e.status !== 'running') {
      return null;
    }
    const b = new PlanBuilder(snap.instance, ports.clock.now(), ports.newId);
    failNode(b, e, error);
    const plan = b.build();
    await tx.apply(plan, snap.instance);
    return plan.enqueue;
  });
  if (jobs) await ports.dispatcher.dispatch(jobs);
  return jobs !== null;
}

/**
 * Record the breach of a task whose deadline passed, escalating it where escalation is on (from
 * its delayed job or the scheduler's sweep). True when it did either.
 */
export async function escalateTask(ports: EnginePorts, check: { tenantId: string; instanceId: string; executionId: string }): Promise<boolean> {
  return ports.store.inTenant(check.tenantId, async (tx) => {
    const snap = await tx.lockStep(check.instanceId, check.executionId);
    if (!snap) return false;
    const def = await definitionOf(tx, snap.instance.definitionId);
    const plan = planEscalation({
      definition: def.compiled,
      instance: snap.instance,
      task: snap.execution,
      now: ports.clock.now(),
      newId: ports.newId,
      escalationEnabled: ports.settings.escalationEnabled,
    });
    if (!plan) return false;
    await tx.apply(plan, snap.instance);
    return true;
  });
}
