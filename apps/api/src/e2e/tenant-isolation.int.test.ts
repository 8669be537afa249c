/** A second tenant sees nothing of the first through the API: 404 for every object, empty lists. */
import { TENANT_A, TENANT_B, createHarness, type Harness } from '../testing/engine-harness';
import type { UserClient } from '../testing/user-client';
import { purchaseOrderDefinition } from '@wf/runtime/testing';

let h: Harness;
let definitionId: string;
let instanceId: string;
let taskId: string;

beforeAll(async () => {
  h = await createHarness();
  const adminA = h.as('admin-a', ['admin', 'manager'], TENANT_A);
  definitionId = await adminA.define(purchaseOrderDefinition());
  instanceId = await adminA.start(definitionId, { amount: 9 }, { idempotencyKey: 'shared-key' });
  // the sample keeps four eyes: the starter's own order is not in their queue
  taskId = await h.as('manager-a', ['manager'], TENANT_A).taskFor(instanceId);
});

afterAll(() => h.close());

describe('tenant isolation through the API', () => {
  const adminB = (): UserClient => h.as('admin-b', ['admin', 'manager', 'cfo'], TENANT_B);

  it('answers 404 for every object of another tenant', async () => {
    const b = adminB();
    expect((await b.get(`/api/definitions/${definitionId}`)).status).toBe(404);
    expect((await b.post(`/api/definitions/${definitionId}/deactivate`)).status).toBe(404);
    expect((await b.get(`/api/instances/${instanceId}`)).status).toBe(404);
    expect((await b.get(`/api/instances/${instanceId}/history`)).status).toBe(404);
    expect((await b.post(`/api/instances/${instanceId}/cancel`)).status).toBe(404);
    for (const action of ['approve', 'reject']) {
      expect((await b.post(`/api/tasks/${taskId}/${action}`, {})).status).toBe(404);
    }
    expect((await b.post(`/api/tasks/${taskId}/delegate`, { toUserId: 'x' })).status).toBe(404);
    const start = await b.post('/api/instances', { workflowDefinitionId: definitionId });
    expect(start.status).toBe(404);
  });

  it('shows another tenant none of the objects in lists and task queues', async () => {
    const b = adminB();
    expect((await b.get('/api/definitions')).body.items).toEqual([]);
    expect((await b.get('/api/instances')).body.items).toEqual([]);
    expect((await b.get('/api/tasks/mine')).body.items).toEqual([]);
    const byName = await b.post('/api/instances', { workflowName: 'Purchase Order Approval' });
    expect(byName.status).toBe(422);
  });

  it('keeps idempotency keys per tenant', async () => {
    const b = adminB();
    const own = await b.define(purchaseOrderDefinition());
    const res = await b.post('/api/instances', { workflowDefinitionId: own, contextData: { amount: 9 } }, { 'Idempotency-Key': 'shared-key' });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(instanceId);
  });

  it('hides an instance from a user of the same tenant who neither started it nor holds a task in it', async () => {
    const stranger = h.as('stranger', ['clerk'], TENANT_A);
    expect((await stranger.get(`/api/instances/${instanceId}`)).status).toBe(404);
    expect((await stranger.get('/api/instances')).body.items).toEqual([]);
    // a manager holds the role task, so sees the instance
    const manager = h.as('m2', ['manager'], TENANT_A);
    expect((await manager.get(`/api/instances/${instanceId}`)).status).toBe(200);
  });
});
