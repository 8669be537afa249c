/**
 * The Store contract: what every implementation of the Store port must do, run against Postgres
 * (libs/db) and against the in-memory store (here), through the use cases that depend on it. A
 * behaviour the in-memory store gets wrong would make the use cases' fast unit tests lie; this
 * suite is what keeps the two the same.
 */

import { ConflictError, NotFoundError } from '../errors/engine-errors';
import type { Actor } from '../runtime/model';
import { startInstance } from '../use-cases/start-instance';
import { decideTask } from '../use-cases/decide-task';
import { cancelInstance } from '../use-cases/cancel-instance';
import { retryInstance } from '../use-cases/retry-instance';
import { failExecution } from '../use-cases/fail-execution';
import { publishEvent } from '../use-cases/publish-event';
import { reconcileStaleWork } from '../use-cases/sweeps';
import { NodeFailedError } from '../errors/engine-errors';
import { createTestEngine, type TestBackend, type TestEngine } from './memory-engine';

const CONTRACT_TENANT_A = '0c000000-0000-4000-8000-00000000000a';
const CONTRACT_TENANT_B = '0d000000-0000-4000-8000-00000000000b';

const admin: Actor = { tenantId: CONTRACT_TENANT_A, userId: 'ada', roles: ['admin'] };
const requester: Actor = { tenantId: CONTRACT_TENANT_A, userId: 'rita', roles: [] };
const manager: Actor = { tenantId: CONTRACT_TENANT_A, userId: 'max', roles: ['manager'] };
const stranger: Actor = { tenantId: CONTRACT_TENANT_A, userId: 'sam', roles: ['clerk'] };

const APPROVAL = {
  name: 'Contract approval',
  nodes: [
    { id: 'ok', nodeType: 'approval', name: 'OK?', approverRole: 'manager' },
    { id: 'mark', nodeType: 'service_task', name: 'Mark', serviceType: 'set_context', serviceConfig: { values: { approved: true } } },
  ],
  routes: [{ fromNodeId: 'ok', toNodeId: 'mark' }],
  triggers: [{ type: 'event', eventType: 'order.created' }],
};

const PARALLEL = {
  name: 'Contract parallel',
  nodes: [
    { id: 'fork', nodeType: 'gateway', name: 'Fork', gatewayType: 'parallel' },
    { id: 'left', nodeType: 'approval', name: 'Left', approverRole: 'manager' },
    { id: 'right', nodeType: 'service_task', name: 'Right', serviceType: 'set_context', serviceConfig: { values: { right: true } } },
    { id: 'join', nodeType: 'gateway', name: 'Join', gatewayType: 'parallel', join: true },
    { id: 'end', nodeType: 'service_task', name: 'End', serviceType: 'set_context', serviceConfig: { values: { joined: true } } },
  ],
  routes: [
    { fromNodeId: 'join', toNodeId: 'end' },
    { fromNodeId: 'fork', toNodeId: 'left' },
    { fromNodeId: 'fork', toNodeId: 'right' },
    { fromNodeId: 'left', toNodeId: 'join' },
    { fromNodeId: 'right', toNodeId: 'join' },
  ],
};

const CHILD = { name: 'Contract child', nodes: [{ id: 'wait', nodeType: 'approval', name: 'Child wait', approverRole: 'manager' }], routes: [] };
const PARENT = { name: 'Contract parent', nodes: [{ id: 'call', nodeType: 'sub_workflow', name: 'Call', subWorkflowName: 'Contract child' }], routes: [] };

export interface StoreFixture extends TestBackend {
  close(): Promise<void>;
}

export function describeStoreContract(name: string, setup: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let e: TestEngine;
    let approvalId: string;

    beforeAll(async () => {
      fixture = await setup();
      e = createTestEngine(fixture);
      approvalId = (await e.define(CONTRACT_TENANT_A, APPROVAL)).id;
      await e.define(CONTRACT_TENANT_A, PARALLEL);
      await e.define(CONTRACT_TENANT_A, CHILD);
      await e.define(CONTRACT_TENANT_A, PARENT);
    });
    afterAll(() => fixture.close());

    const start = (cmd: { workflowName?: string; workflowDefinitionId?: string; idempotencyKey?: string; contextData?: Record<string, unknown> }, by: Actor = requester) =>
      startInstance(e.ports, by.tenantId, { startedBy: by.userId, triggerType: 'manual', ...cmd });
    const read = (actor: Actor, id: string) => e.ports.store.inTenant(actor.tenantId, (tx) => tx.visibleInstance(actor, id));
    const taskOf = async (instanceId: string) =>
      e.ports.store.inTenant(CONTRACT_TENANT_A, async (tx) => (await tx.executionsWithStatus(instanceId, 'waiting')).filter((x) => x.waitingFor === 'task'));

    it('writes a start as the instance, its first ready execution and its view', async () => {
      const { instance, created } = await start({ workflowName: APPROVAL.name, contextData: { amount: 5 } });
      expect(created).toBe(true);
      const job = e.queued.find((j) => j.instanceId === instance.id);
      expect(job).toMatchObject({ kind: 'run', tenantId: CONTRACT_TENANT_A, generation: 0 });
      const snap = await e.ports.store.inTenant(CONTRACT_TENANT_A, (tx) => tx.lockStep(instance.id, job!.executionId));
      expect(snap?.instance).toMatchObject({ status: 'running', openExecutions: 1, stepCount: 0, contextData: { amount: 5 } });
      expect(snap?.execution).toMatchObject({ status: 'ready', nodeId: 'ok', attempts: 0 });
      expect(await read(requester, instance.id)).toMatchObject({ workflowName: APPROVAL.name, workflowVersion: 1, startedBy: 'rita', cancelReason: null });
      await e.drain();
    });

    it('answers a repeated idempotency key with the first instance, and refuses it with another body', async () => {
      const first = await start({ workflowName: APPROVAL.name, idempotencyKey: 'k-1', contextData: { n: 1 } });
      const again = await start({ workflowName: APPROVAL.name, idempotencyKey: 'k-1', contextData: { n: 1 } });
      expect(again).toMatchObject({ created: false, instance: { id: first.instance.id } });
      await expect(start({ workflowName: APPROVAL.name, idempotencyKey: 'k-1', contextData: { n: 2 } })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
      await expect(start({ workflowName: APPROVAL.name, idempotencyKey: 'k-1', contextData: { n: 2 } })).rejects.toBeInstanceOf(ConflictError);
      // the key is the caller's: another user's same key starts a new instance
      const other = await start({ workflowName: APPROVAL.name, idempotencyKey: 'k-1', contextData: { n: 1 } }, manager);
      expect(other.created).toBe(true);
      await e.drain();
    });

    it('shows an instance to its starter, participants and admins only, and nothing across tenants', async () => {
      const { instance } = await start({ workflowName: APPROVAL.name });
      await e.drain();
      expect(await read(requester, instance.id)).not.toBeNull();
      expect(await read(manager, instance.id)).not.toBeNull(); // the task's role
      expect(await read(admin, instance.id)).not.toBeNull();
      expect(await read(stranger, instance.id)).toBeNull();
      const otherTenantAdmin: Actor = { ...admin, tenantId: CONTRACT_TENANT_B };
      expect(await read(otherTenantAdmin, instance.id)).toBeNull();
      const [task] = await taskOf(instance.id);
      expect(await e.ports.store.inTenant(CONTRACT_TENANT_B, (tx) => tx.lockTask(task!.id))).toBeNull();
      await expect(startInstance(e.ports, CONTRACT_TENANT_B, { workflowDefinitionId: approvalId, startedBy: 'x', triggerType: 'manual' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('runs a decision to the end: the task, the step after it and the finished instance', async () => {
      const { instance } = await start({ workflowName: APPROVAL.name });
      await e.drain();
      const [task] = await taskOf(instance.id);
      expect(task).toMatchObject({ nodeId: 'ok', assignedRole: 'manager' });
      expect(await e.ports.store.inTenant(CONTRACT_TENANT_A, (tx) => tx.participates(instance.id, stranger))).toBe(false);
      await decideTask(e.ports, manager, task!.id, { action: 'approve' });
      await e.drain();
      const done = await read(admin, instance.id);
      expect(done).toMatchObject({ status: 'completed', contextData: { approved: true } });
      expect(done?.completedAt).toBeInstanceOf(Date);
      expect(e.events).toContainEqual({ type: 'instance_finished', tenantId: CONTRACT_TENANT_A, instanceId: instance.id, status: 'completed' });
      await expect(decideTask(e.ports, manager, task!.id, { action: 'approve' })).rejects.toBeInstanceOf(ConflictError);
    });

    it('rolls a failed transaction back whole', async () => {
      const { instance } = await start({ workflowName: APPROVAL.name });
      await e.drain();
      await expect(
        e.ports.store.inTenant(CONTRACT_TENANT_A, async (tx) => {
          await tx.recordCancelReason(instance.id, 'never');
          await tx.lockInstance(instance.id);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect((await read(admin, instance.id))?.cancelReason).toBeNull();
    });

    it('cancels an instance with its running child, and keeps the reason', async () => {
      const { instance } = await start({ workflowName: PARENT.name });
      await e.drain();
      const children = await e.ports.store.inTenant(CONTRACT_TENANT_A, (tx) => tx.runningChildren(instance.id));
      expect(children).toHaveLength(1);
      await expect(cancelInstance(e.ports, stranger, instance.id)).rejects.toBeInstanceOf(NotFoundError);
      const cancelled = await cancelInstance(e.ports, requester, instance.id, 'no longer needed');
      expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'no longer needed' });
      expect(await read(admin, children[0]!)).toMatchObject({ status: 'cancelled', cancelReason: `parent instance ${instance.id} was cancelled` });
      expect(await e.ports.store.inTenant(CONTRACT_TENANT_A, (tx) => tx.runningChildren(instance.id))).toEqual([]);
      await e.drain();
    });

    it('counts a tree of instances up to its limit', async () => {
      const { instance } = await start({ workflowName: APPROVAL.name });
      const counts = await e.ports.store.inTenant(CONTRACT_TENANT_A, async (tx) => [
        await tx.countTreeInstance(instance.id, 3),
        await tx.countTreeInstance(instance.id, 3),
        await tx.countTreeInstance(instance.id, 3),
      ]);
      expect(counts).toEqual([instance.id, instance.id, null]);
      await e.drain();
    });

    it('closes the other branches when one fails, and brings them back on retry', async () => {
      const { instance } = await start({ workflowName: PARALLEL.name });
      // the fork readies both branches; the left one parks its task, the right one stays ready
      await e.step();
      expect(e.queued).toHaveLength(2);
      await e.step();
      const left = (await taskOf(instance.id))[0]!;
      const ready = await e.ports.store.inTenant(CONTRACT_TENANT_A, (tx) => tx.executionsWithStatus(instance.id, 'ready'));
      const right = ready.find((x) => x.nodeId === 'right');
      expect(right).toBeDefined();
      const failed = await failExecution(e.ports, { kind: 'run', tenantId: CONTRACT_TENANT_A, instanceId: instance.id, executionId: right!.id, generation: right!.generation }, new NodeFailedError('BROKEN', 'broken on purpose'));
      expect(failed).toBe(true);
      await e.drain(); // the right branch's job finds its execution failed: nothing
      const closed = await e.ports.store.inTenant(CONTRACT_TENANT_A, (tx) => tx.executionsWithStatus(instance.id, 'cancelled'));
      expect(closed.find((x) => x.id === left.id)).toMatchObject({ closedByFailureFrom: 'waiting' });
      expect((await read(admin, instance.id))?.status).toBe('failed');

      await retryInstance(e.ports, admin, instance.id);
      expect((await taskOf(instance.id)).map((x) => x.id)).toEqual([left.id]);
      await e.drain();
      await decideTask(e.ports, manager, left.id, { action: 'approve' });
      await e.drain();
      expect((await read(admin, instance.id))?.status).toBe('completed');
    });

    it('starts the latest active version of every listening workflow on an event', async () => {
      const second = await e.define(CONTRACT_TENANT_A, APPROVAL);
      const { startedInstanceIds } = await publishEvent(e.ports, requester, { eventType: 'order.created', idempotencyKey: 'evt-1' });
      expect(startedInstanceIds).toHaveLength(1);
      expect((await read(admin, startedInstanceIds[0]!))?.definitionId).toBe(second.id);
      const again = await publishEvent(e.ports, requester, { eventType: 'order.created', idempotencyKey: 'evt-1' });
      expect(again.startedInstanceIds).toEqual(startedInstanceIds);
      expect(await publishEvent(e.ports, { ...requester, tenantId: CONTRACT_TENANT_B }, { eventType: 'order.created' })).toEqual({ startedInstanceIds: [] });
      await e.drain();
    });

    it('finds ready work whose job was lost, at the clock the caller gives', async () => {
      const { instance } = await start({ workflowName: APPROVAL.name });
      e.queued.splice(0, e.queued.length); // the job is lost
      expect(await reconcileStaleWork(e.ports, { olderThanSeconds: 60, limit: 500 })).toBe(0);
      e.clock.advance(61_000);
      await reconcileStaleWork(e.ports, { olderThanSeconds: 60, limit: 500 });
      expect(e.queued.map((j) => j.instanceId)).toContain(instance.id);
      await e.drain();
      expect(await taskOf(instance.id)).toHaveLength(1);
    });
  });
}
