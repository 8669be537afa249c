/**
 * The use cases over the in-memory ports: fast, and driven by a test clock instead of real time.
 * The same store semantics hold on Postgres (store-contract).
 */

import { createMemoryEngine, type TestEngine } from '../testing';
import type { Actor } from '../runtime/model';
import { startInstance } from './start-instance';
import { decideTask } from './decide-task';
import { escalateTask } from './escalate-task';
import { escalateDueTasks, scheduleUpcomingDeadlines } from './sweeps';
import { fireCronTrigger, CRON_STARTER } from './fire-cron-trigger';
import { runInTenant } from './effects';
import { ConflictError } from '../errors/engine-errors';

const TENANT = '0e000000-0000-4000-8000-00000000000e';
const max: Actor = { tenantId: TENANT, userId: 'max', roles: ['manager'] };
const cleo: Actor = { tenantId: TENANT, userId: 'cleo', roles: ['cfo'] };
const dora: Actor = { tenantId: TENANT, userId: 'dora', roles: ['director'] };

const PURCHASE_ORDER = {
  name: 'PO',
  escalationEnabled: true,
  escalationRole: 'director',
  nodes: [
    { id: 'manager', nodeType: 'approval', name: 'Manager', approverRole: 'manager', slaHours: 24 },
    { id: 'amount', nodeType: 'gateway', name: 'Amount', conditionExpression: 'context.amount > 10000' },
    { id: 'cfo', nodeType: 'approval', name: 'CFO', approverRole: 'cfo', slaHours: 48 },
    { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { orderStatus: 'approved' } } },
  ],
  routes: [
    { fromNodeId: 'manager', toNodeId: 'amount' },
    { fromNodeId: 'amount', toNodeId: 'cfo', condition: 'true' },
    { fromNodeId: 'amount', toNodeId: 'done', condition: 'false' },
    { fromNodeId: 'cfo', toNodeId: 'done' },
  ],
};

async function waitingTask(e: TestEngine, instanceId: string) {
  const tasks = await e.ports.store.inTenant(TENANT, async (tx) => (await tx.executionsWithStatus(instanceId, 'waiting')).filter((x) => x.waitingFor === 'task'));
  expect(tasks).toHaveLength(1);
  return tasks[0]!;
}

async function statusOf(e: TestEngine, instanceId: string) {
  return (await e.ports.store.inTenant(TENANT, (tx) => tx.lockInstance(instanceId)))?.status;
}

describe('use cases over in-memory ports', () => {
  it('runs a purchase order above the threshold through manager and CFO to completion', async () => {
    const e = createMemoryEngine();
    const def = await e.define(TENANT, PURCHASE_ORDER);
    const { instance } = await startInstance(e.ports, TENANT, { workflowDefinitionId: def.id, contextData: { amount: 15000 }, startedBy: 'rita', triggerType: 'manual' });
    await e.drain();
    const manager = await waitingTask(e, instance.id);
    expect(manager.nodeId).toBe('manager');
    await decideTask(e.ports, max, manager.id, { action: 'approve' });
    await e.drain();
    const cfo = await waitingTask(e, instance.id);
    expect(cfo.nodeId).toBe('cfo');
    await decideTask(e.ports, cleo, cfo.id, { action: 'approve' });
    await e.drain();
    expect(await statusOf(e, instance.id)).toBe('completed');
    expect(e.store.history(TENANT, instance.id).map((h) => h.eventType)).toEqual([
      'instance_started',
      'node_started',
      'task_created',
      'task_approved',
      'node_completed',
      'node_started',
      'node_completed',
      'node_started',
      'task_created',
      'task_approved',
      'node_completed',
      'node_started',
      'node_completed',
      'instance_completed',
    ]);
  });

  it('lets only the first of two concurrent decisions through', async () => {
    const e = createMemoryEngine();
    const def = await e.define(TENANT, PURCHASE_ORDER);
    const { instance } = await startInstance(e.ports, TENANT, { workflowDefinitionId: def.id, contextData: { amount: 5 }, startedBy: 'rita', triggerType: 'manual' });
    await e.drain();
    const task = await waitingTask(e, instance.id);
    const results = await Promise.allSettled([
      decideTask(e.ports, max, task.id, { action: 'approve' }),
      decideTask(e.ports, max, task.id, { action: 'reject' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect(e.store.history(TENANT, instance.id).filter((h) => h.eventType === 'task_approved' || h.eventType === 'task_rejected')).toHaveLength(1);
  });

  it('runs a duplicate job as a no-op', async () => {
    const e = createMemoryEngine();
    const def = await e.define(TENANT, PURCHASE_ORDER);
    await startInstance(e.ports, TENANT, { workflowDefinitionId: def.id, contextData: { amount: 5 }, startedBy: 'rita', triggerType: 'manual' });
    const job = e.queued[0]!;
    e.queued.push({ ...job });
    const [first, second] = await e.drain();
    expect(first?.outcome).toBe('plan');
    expect(second).toMatchObject({ outcome: 'noop' });
  });

  it('hands effects over only after commit: a failed transaction sends nothing', async () => {
    const e = createMemoryEngine();
    const def = await e.define(TENANT, PURCHASE_ORDER);
    await expect(
      runInTenant(e.ports, TENANT, async (tx, effects) => {
        effects.send([{ kind: 'run', tenantId: TENANT, instanceId: def.id, executionId: def.id, generation: 0 }]);
        await tx.lockInstance(def.id);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(e.queued).toEqual([]);
  });

  it('keeps a committed change when the queue is away, and says so in an effects_deferred event', async () => {
    const e = createMemoryEngine();
    const def = await e.define(TENANT, PURCHASE_ORDER);
    const ports = { ...e.ports, dispatcher: { ...e.ports.dispatcher, dispatch: async () => Promise.reject(new Error('Redis is down')) } };
    const { instance, created } = await startInstance(ports, TENANT, { workflowDefinitionId: def.id, startedBy: 'rita', triggerType: 'manual' });
    expect(created).toBe(true);
    expect(await statusOf(e, instance.id)).toBe('running');
    expect(e.events).toContainEqual({ type: 'effects_deferred', what: 'jobs', count: 1, error: 'Redis is down' });
    // the listeners still hear what happened
    expect(e.events.some((ev) => ev.type === 'instance_started' && ev.instanceId === instance.id)).toBe(true);
  });

  it('starts a child on the parent transaction, and fails the node for good when the child cannot start', async () => {
    const e = createMemoryEngine();
    await e.define(TENANT, { name: 'Child', nodes: [{ id: 'c', nodeType: 'approval', name: 'C', approverRole: 'manager' }], routes: [] });
    const parent = await e.define(TENANT, { name: 'Parent', nodes: [{ id: 'call', nodeType: 'sub_workflow', name: 'Call', subWorkflowName: 'Child' }], routes: [] });
    const { instance } = await startInstance(e.ports, TENANT, { workflowDefinitionId: parent.id, contextData: { x: 1 }, startedBy: 'rita', triggerType: 'manual' });
    await e.drain();
    const [child] = await e.ports.store.inTenant(TENANT, (tx) => tx.runningChildren(instance.id));
    expect(child).toBeDefined();
    const started = e.events.filter((ev) => ev.type === 'instance_started');
    expect(started.map((ev) => ev.type === 'instance_started' && ev.triggerType)).toEqual(['manual', 'sub_workflow']);

    const orphan = await e.define(TENANT, { name: 'Orphan', nodes: [{ id: 'call', nodeType: 'sub_workflow', name: 'Call', subWorkflowName: 'Nobody' }], routes: [] });
    const second = await startInstance(e.ports, TENANT, { workflowDefinitionId: orphan.id, startedBy: 'rita', triggerType: 'manual' });
    await e.drain();
    expect(await statusOf(e, second.instance.id)).toBe('failed');
    const failed = e.store.history(TENANT, second.instance.id).find((h) => h.eventType === 'node_failed');
    expect(JSON.stringify(failed?.details)).toContain('NO_ACTIVE_VERSION');
  });

  it('starts one instance per cron tick however often the tick fires', async () => {
    const e = createMemoryEngine();
    const def = await e.define(TENANT, { ...PURCHASE_ORDER, name: 'Nightly', triggers: [{ type: 'cron', cron: '0 2 * * *' }] });
    const at = new Date(Date.UTC(2026, 0, 6, 2, 0, 0, 120));
    const first = await fireCronTrigger(e.ports, { tenantId: TENANT, definitionId: def.id, index: 0, at });
    const late = await fireCronTrigger(e.ports, { tenantId: TENANT, definitionId: def.id, index: 0, at: new Date(at.getTime() + 700) });
    expect(first.created).toBe(true);
    expect(late).toMatchObject({ created: false, instance: { id: first.instance.id, startedBy: CRON_STARTER } });
    const fired = e.events.filter((ev) => ev.type === 'trigger_fired');
    expect(fired.map((ev) => ev.type === 'trigger_fired' && ev.created)).toEqual([true, false]);
  });
});

describe('deadlines on a test clock', () => {
  async function parkedTask(e: TestEngine) {
    const def = await e.define(TENANT, PURCHASE_ORDER);
    const { instance } = await startInstance(e.ports, TENANT, { workflowDefinitionId: def.id, contextData: { amount: 5 }, startedBy: 'rita', triggerType: 'manual' });
    await e.drain();
    return { instance, task: await waitingTask(e, instance.id) };
  }

  it('escalates an overdue task exactly once, however many sweeps and delayed checks see it', async () => {
    const e = createMemoryEngine();
    const { instance, task } = await parkedTask(e);
    expect(e.slaChecks).toEqual([{ tenantId: TENANT, instanceId: instance.id, executionId: task.id, dueAt: task.slaDeadline }]);
    expect(await escalateDueTasks(e.ports, { limit: 500 })).toBe(0);
    e.clock.advance(24 * 3600_000 + 1);
    const check = { tenantId: TENANT, instanceId: instance.id, executionId: task.id };
    const outcomes = [
      await escalateDueTasks(e.ports, { limit: 500 }),
      await escalateDueTasks(e.ports, { limit: 500 }),
      await escalateTask(e.ports, check),
      await escalateTask(e.ports, check),
    ];
    expect(outcomes).toEqual([1, 0, false, false]);
    const events = e.store.history(TENANT, instance.id).map((h) => h.eventType);
    expect(events.filter((t) => t === 'sla_breached')).toHaveLength(1);
    expect(events.filter((t) => t === 'task_escalated')).toHaveLength(1);
    expect(e.events.filter((ev) => ev.type === 'task_escalated')).toEqual([{ type: 'task_escalated', tenantId: TENANT, instanceId: instance.id, executionId: task.id, escalated: true }]);
    // the escalation role may now decide it
    await decideTask(e.ports, dora, task.id, { action: 'approve' });
    await e.drain();
    expect(await statusOf(e, instance.id)).toBe('completed');
  });

  it('never escalates a task decided before its deadline', async () => {
    const e = createMemoryEngine();
    const { instance, task } = await parkedTask(e);
    e.clock.advance(3600_000);
    await decideTask(e.ports, max, task.id, { action: 'approve' });
    await e.drain();
    e.clock.advance(48 * 3600_000);
    expect(await escalateDueTasks(e.ports, { limit: 500 })).toBe(0);
    expect(await escalateTask(e.ports, { tenantId: TENANT, instanceId: instance.id, executionId: task.id })).toBe(false);
    expect(e.store.history(TENANT, instance.id).map((h) => h.eventType)).not.toContain('sla_breached');
  });

  it('schedules a delayed check only once the deadline comes within the horizon', async () => {
    const e = createMemoryEngine();
    const { task } = await parkedTask(e);
    e.slaChecks.length = 0;
    expect(await scheduleUpcomingDeadlines(e.ports, { horizonSeconds: 3600, limit: 500 })).toBe(0);
    e.clock.advance(23 * 3600_000 + 1);
    expect(await scheduleUpcomingDeadlines(e.ports, { horizonSeconds: 3600, limit: 500 })).toBe(1);
    expect(e.slaChecks.map((c) => c.executionId)).toEqual([task.id]);
  });

  it('records the breach without escalating where the definition does not escalate', async () => {
    const e = createMemoryEngine();
    const def = await e.define(TENANT, { ...PURCHASE_ORDER, name: 'Quiet', escalationEnabled: false });
    const { instance } = await startInstance(e.ports, TENANT, { workflowDefinitionId: def.id, contextData: { amount: 5 }, startedBy: 'rita', triggerType: 'manual' });
    await e.drain();
    e.clock.advance(25 * 3600_000);
    expect(await escalateDueTasks(e.ports, { limit: 500 })).toBe(1);
    const events = e.store.history(TENANT, instance.id).map((h) => h.eventType);
    expect(events).toContain('sla_breached');
    expect(events).not.toContain('task_escalated');
  });
});
