/**
 * The planners without a database: locked state in, plan out.
 *
 *   manager_approval --> amount_check --true--> cfo_approval --> complete
 *                                     \--false-------------------^
 */
import { definition } from '@wf/testkit/definitions';
import { compileDefinition } from '../definition/compile-definition';
import type { CompiledDefinition } from '../definition/definition.types';
import type { Actor, ExecutionState, InstanceState, Plan } from './model';
import { planStart, readyExecutionState } from './plan-start';
import { planLeaseRenewal, planStep, type StepState } from './plan-step';
import { planDecision } from './plan-decision';
import { planCancel, planRetry } from './plan-admin';
import { taskAccess } from './task-access';
import { planEscalation } from './plan-escalation';

const NOW = new Date('2026-01-01T00:00:00Z');
const TENANT = '0a000000-0000-4000-8000-00000000000a';
const settings = { defaultSlaHours: 48, maxStepsPerInstance: 100, maxSubworkflowDepth: 3, escalationEnabled: true, leaseMs: 60_000 };

function compile(raw: unknown): CompiledDefinition {
  const r = compileDefinition(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.definition;
}

const po = compile(
  definition('PO')
    .approval('manager_approval', { name: 'Manager Approval', approverRole: 'manager', slaHours: 24 })
    .gateway('amount_check', 'context.amount > 10000', { name: 'Check Amount' })
    .approval('cfo_approval', { name: 'CFO Approval', approverRole: 'cfo' })
    .setContext('complete', { orderStatus: 'approved' }, { name: 'Complete' })
    .route('manager_approval', 'amount_check')
    .route('amount_check', 'cfo_approval', 'true')
    .route('amount_check', 'complete', 'false')
    .route('cfo_approval', 'complete')
    .with({ slaHours: 72 })
    .build(),
);

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const at = { now: NOW, newId, settings };

function instance(over: Partial<InstanceState> = {}): InstanceState {
  return {
    id: 'inst',
    tenantId: TENANT,
    definitionId: 'def',
    status: 'running',
    contextData: { amount: 15000 },
    startedBy: 'starter',
    triggerType: 'manual',
    parentInstanceId: null,
    parentNodeExecutionId: null,
    depth: 0,
    openExecutions: 1,
    stepCount: 0,
    lastHistoryHash: null,
    slaDeadline: null,
    startedAt: NOW,
    ...over,
  };
}

function execution(nodeId: string, over: Partial<ExecutionState> = {}): ExecutionState {
  const node = po.nodes.get(nodeId)!;
  return { ...readyExecutionState('inst', { id: `exec-${nodeId}`, nodeId, nodeType: node.nodeType, nodeName: node.name, status: 'ready', waitingFor: null, readyAt: NOW }), ...over };
}

function step(inst: InstanceState, exec: ExecutionState, over: Partial<StepState> = {}): Plan {
  const out = planStep(at, { definition: po, instance: inst, execution: exec, ...over });
  if (out.kind !== 'plan') throw new Error(`expected a plan, got ${out.kind}`);
  return out.plan;
}

const manager: Actor = { tenantId: TENANT, userId: 'mo', roles: ['manager'] };

describe('planStart', () => {
  it('creates a running instance with one ready execution of the start node and an SLA deadline', () => {
    const plan = planStart(at, po, { tenantId: TENANT, definitionId: 'def', startedBy: 'u', triggerType: 'manual', contextEntityType: null, contextEntityId: null, contextData: { amount: 1 }, parentInstanceId: null, parentNodeExecutionId: null, depth: 0 });
    expect(plan.instance.status).toBe('running');
    expect(plan.instance.openExecutions).toBe(1);
    expect(plan.instance.slaDeadline?.toISOString()).toBe('2026-01-04T00:00:00.000Z');
    expect(plan.firstExecution.nodeId).toBe('manager_approval');
    expect(plan.enqueue).toEqual([{ kind: 'run', tenantId: TENANT, instanceId: plan.instance.id, executionId: plan.firstExecution.id, generation: 0 }]);
    expect(plan.history.map((h) => h.eventType)).toEqual(['instance_started']);
  });
});

describe('planStep', () => {
  it('parks an approval as a waiting task for its role with the node SLA', () => {
    const plan = step(instance(), execution('manager_approval'));
    expect(plan.executionPatches[0]).toMatchObject({ status: 'waiting', assignedRole: 'manager', assignedUserId: null });
    expect(plan.executionPatches[0]!.slaDeadline?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(plan.instance.openDelta).toBe(0);
    expect(plan.enqueue).toEqual([]);
    expect(plan.history.map((h) => h.eventType)).toEqual(['node_started', 'task_created']);
  });

  it('routes a gateway on true to the CFO and on false to completion', () => {
    const high = step(instance(), execution('amount_check'));
    expect(high.newExecutions.map((e) => e.nodeId)).toEqual(['cfo_approval']);
    const low = step(instance({ contextData: { amount: 5000 } }), execution('amount_check'));
    expect(low.newExecutions.map((e) => e.nodeId)).toEqual(['complete']);
    expect(low.instance.openDelta).toBe(0);
  });

  it('merges set_context values and completes the instance when nothing is left open', () => {
    const plan = step(instance(), execution('complete'));
    expect(plan.instance.contextData).toEqual({ amount: 15000, orderStatus: 'approved' });
    expect(plan.instance.status).toBe('completed');
    expect(plan.instance.completedAt).toEqual(NOW);
    expect(plan.history.map((h) => h.eventType)).toEqual(['node_started', 'node_completed', 'instance_completed']);
  });

  it('does nothing for an execution that is no longer ready, or an instance no longer running', () => {
    expect(planStep(at, { definition: po, instance: instance(), execution: execution('complete', { status: 'completed' }) }).kind).toBe('noop');
    expect(planStep(at, { definition: po, instance: instance({ status: 'cancelled' }), execution: execution('complete') }).kind).toBe('noop');
  });

  it('fails the node and the instance at the step limit', () => {
    const plan = step(instance({ stepCount: 100 }), execution('complete'));
    expect(plan.instance.status).toBe('failed');
    expect(plan.executionPatches[0]).toMatchObject({ status: 'failed', error: expect.objectContaining({ code: 'STEP_LIMIT_EXCEEDED' }) });
    expect(plan.cancelOtherOpenExecutions).toBe(true);
  });

  it('fails the node with a clear error when a gateway expression cannot be evaluated', () => {
    const plan = step(instance({ contextData: {} }), execution('amount_check'));
    expect(plan.instance.status).toBe('failed');
    expect(plan.executionPatches[0]!.error).toMatchObject({ code: 'EXPRESSION_FAILED' });
    expect(plan.history.map((h) => h.eventType)).toEqual(['node_failed', 'instance_failed']);
  });
});

describe('planDecision', () => {
  const waiting = () => execution('manager_approval', { status: 'waiting', assignedRole: 'manager', slaDeadline: NOW });

  it('approves a task and routes on', () => {
    const plan = planDecision(at, { definition: po, instance: instance(), execution: waiting() }, { actor: manager, command: { action: 'approve', comments: 'ok' } });
    expect(plan.executionPatches[0]).toMatchObject({ status: 'completed', decision: 'approved', decidedBy: 'mo', comments: 'ok' });
    expect(plan.newExecutions.map((e) => e.nodeId)).toEqual(['amount_check']);
    expect(plan.history.map((h) => h.eventType)).toEqual(['task_approved', 'node_completed']);
  });

  it('rejects a task without a rejected route: the instance ends rejected', () => {
    const plan = planDecision(at, { definition: po, instance: instance(), execution: waiting() }, { actor: manager, command: { action: 'reject' } });
    expect(plan.instance.status).toBe('rejected');
    expect(plan.newExecutions).toEqual([]);
    expect(plan.history.map((h) => h.eventType)).toEqual(['task_rejected', 'node_completed', 'instance_rejected']);
  });

  it('delegates to a user, remembering who held it', () => {
    const plan = planDecision(at, { definition: po, instance: instance(), execution: waiting() }, { actor: manager, command: { action: 'delegate', toUserId: 'dave' } });
    expect(plan.executionPatches[0]).toMatchObject({ status: 'waiting', assignedUserId: 'dave', previousAssignees: ['mo'] });
    expect(plan.instance.openDelta).toBe(0);
  });

  it('refuses a decided task, complete on an approval, and approve on a user task (409)', () => {
    const state = { definition: po, instance: instance() };
    expect(() => planDecision(at, { ...state, execution: { ...waiting(), status: 'completed' } }, { actor: manager, command: { action: 'approve' } })).toThrow(expect.objectContaining({ code: 'TASK_NOT_WAITING' }));
    expect(() => planDecision(at, { ...state, execution: waiting() }, { actor: manager, command: { action: 'complete', data: {} } })).toThrow(expect.objectContaining({ code: 'WRONG_TASK_ACTION' }));
    expect(() => planDecision(at, { ...state, execution: { ...waiting(), nodeType: 'user_task' } }, { actor: manager, command: { action: 'approve' } })).toThrow(expect.objectContaining({ code: 'WRONG_TASK_ACTION' }));
  });
});

describe('task access', () => {
  const task = (over: Partial<ExecutionState>) => execution('manager_approval', { status: 'waiting', ...over });
  it('lets the assignee, a role holder of an unassigned task, an escalation-role holder once escalated, and an admin act', () => {
    expect(taskAccess(manager, task({ assignedRole: 'manager' }), false)).toBe('act');
    expect(taskAccess(manager, task({ assignedRole: 'manager', assignedUserId: 'dave' }), false)).toBe('none');
    expect(taskAccess(manager, task({ assignedRole: 'manager', assignedUserId: 'dave' }), true)).toBe('see');
    expect(taskAccess({ ...manager, roles: ['director'] }, task({ assignedRole: 'x', escalationRole: 'director', escalatedAt: NOW }), false)).toBe('act');
    expect(taskAccess({ ...manager, roles: ['director'] }, task({ assignedRole: 'x', escalationRole: 'director' }), false)).toBe('none');
    expect(taskAccess({ ...manager, roles: ['admin'] }, task({ assignedUserId: 'dave' }), false)).toBe('act');
  });
});

describe('cancel and retry', () => {
  it('cancels a running instance, closing every open execution', () => {
    const plan = planCancel(at, instance({ openExecutions: 2 }), { actor: manager });
    expect(plan.instance).toMatchObject({ status: 'cancelled', openDelta: -2 });
    expect(plan.cancelOtherOpenExecutions).toBe(true);
    expect(() => planCancel(at, instance({ status: 'completed' }), { actor: manager })).toThrow(expect.objectContaining({ code: 'INSTANCE_NOT_RUNNING' }));
  });

  it('retries failed executions under a new generation', () => {
    const failed = execution('complete', { status: 'failed', generation: 0, error: { code: 'X' } });
    const plan = planRetry(at, { instance: instance({ status: 'failed', openExecutions: 0 }), failed: [failed], closedByFailure: [] }, { actor: manager });
    expect(plan.instance).toMatchObject({ status: 'running', openDelta: 1, completedAt: null });
    expect(plan.executionPatches[0]).toMatchObject({ status: 'ready', generation: 1, error: null });
    expect(plan.enqueue).toEqual([{ kind: 'run', tenantId: TENANT, instanceId: 'inst', executionId: failed.id, generation: 1 }]);
    expect(() => planRetry(at, { instance: instance(), failed: [failed], closedByFailure: [] }, { actor: manager })).toThrow(expect.objectContaining({ code: 'INSTANCE_NOT_FAILED' }));
  });

  it('brings back every execution the failure closed: a waiting task returns to its queue with its deadline watched', () => {
    const failed = execution('complete', { status: 'failed', generation: 0, error: { code: 'X' } });
    const deadline = new Date(NOW.getTime() + 3_600_000);
    const task = execution('manager_approval', { status: 'cancelled', waitingFor: 'task', closedByFailureFrom: 'waiting', slaDeadline: deadline, assignedRole: 'manager' });
    const step = execution('amount_check', { status: 'cancelled', generation: 2, closedByFailureFrom: 'ready' });
    const cancelledByOperator = execution('amount_check', { id: 'exec-cancelled', status: 'cancelled', closedByFailureFrom: null });
    const plan = planRetry(at, { instance: instance({ status: 'failed', openExecutions: 0 }), failed: [failed], closedByFailure: [task, step, cancelledByOperator] }, { actor: manager });
    expect(plan.instance).toMatchObject({ status: 'running', openDelta: 3 });
    const byId = new Map(plan.executionPatches.map((p) => [p.id, p]));
    expect(byId.get(task.id)).toMatchObject({ status: 'waiting', waitingFor: 'task', assignedRole: 'manager', completedAt: null, closedByFailureFrom: null });
    expect(byId.get(step.id)).toMatchObject({ status: 'ready', generation: 3, closedByFailureFrom: null });
    expect(byId.has(cancelledByOperator.id)).toBe(false);
    expect(plan.slaChecks).toEqual([{ tenantId: TENANT, instanceId: 'inst', executionId: task.id, dueAt: deadline }]);
    expect(plan.enqueue).toEqual(
      expect.arrayContaining([
        { kind: 'run', tenantId: TENANT, instanceId: 'inst', executionId: failed.id, generation: 1 },
        { kind: 'run', tenantId: TENANT, instanceId: 'inst', executionId: step.id, generation: 3 },
      ]),
    );
    expect(plan.history[0]!.details).toEqual({ executionIds: [failed.id], restoredExecutionIds: [task.id, step.id] });
  });
});

describe('planEscalation', () => {
  const overdue = (over: Partial<ExecutionState> = {}) =>
    execution('manager_approval', { status: 'waiting', waitingFor: 'task', slaDeadline: new Date(NOW.getTime() - 1000), escalationRole: 'director', ...over });
  const escalationAt = (escalationEnabled: boolean) => ({ now: NOW, newId, settings: { escalationEnabled } });

  it('records the breach without escalating when escalation is off', () => {
    const plan = planEscalation(escalationAt(false), { definition: po, instance: instance(), execution: overdue() })!;
    expect(plan.history.map((e) => e.eventType)).toEqual(['sla_breached']);
    expect(plan.executionPatches[0]).toMatchObject({ slaBreachedAt: NOW, escalatedAt: null });
  });

  it('records the breach once: a recorded or escalated task is left alone', () => {
    expect(planEscalation(escalationAt(false), { definition: po, instance: instance(), execution: overdue({ slaBreachedAt: NOW }) })).toBeNull();
    expect(planEscalation(escalationAt(true), { definition: po, instance: instance(), execution: overdue({ escalatedAt: NOW }) })).toBeNull();
    expect(planEscalation(escalationAt(true), { definition: po, instance: instance(), execution: overdue({ slaDeadline: new Date(NOW.getTime() + 1000) }) })).toBeNull();
  });
});

describe('planLeaseRenewal', () => {
  const token = '00000000-0000-4000-8000-0000000000aa';
  const held = () => execution('amount_check', { status: 'running', leaseToken: token, leaseExpiresAt: new Date(NOW.getTime() + 1000) });
  const renewAt = { now: NOW, newId, settings: { leaseMs: 15_000 } };

  it('extends the lease from now, touching nothing else: no history, no step, no status change', () => {
    const plan = planLeaseRenewal(renewAt, { instance: instance(), execution: held() }, { leaseToken: token });
    expect(plan?.executionPatches).toEqual([expect.objectContaining({ status: 'running', leaseToken: token, leaseExpiresAt: new Date(NOW.getTime() + 15_000) })]);
    expect(plan?.history).toEqual([]);
    expect(plan?.instance).toMatchObject({ status: 'running', stepDelta: 0, openDelta: 0 });
    expect(plan?.enqueue).toEqual([]);
  });

  it('refuses when the lease is another worker\'s, the step is over, or the instance ended', () => {
    expect(planLeaseRenewal(renewAt, { instance: instance(), execution: held() }, { leaseToken: '00000000-0000-4000-8000-0000000000bb' })).toBeNull();
    expect(planLeaseRenewal(renewAt, { instance: instance(), execution: execution('amount_check', { status: 'completed' }) }, { leaseToken: token })).toBeNull();
    expect(planLeaseRenewal(renewAt, { instance: instance({ status: 'cancelled' }), execution: held() }, { leaseToken: token })).toBeNull();
  });
});
