/** A second tenant sees nothing of the first through the API: 404 for every object, empty lists. */
import { TENANT_A, TENANT_B, createHarness, eventually, type Harness } from '../testing/engine-harness';
import { purchaseOrderDefinition } from '@wf/runtime/testing';

let h: Harness;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
let definitionId: string;
let instanceId: string;
let taskId: string;

beforeAll(async () => {
  h = await createHarness();
  const adminA = h.token('admin-a', ['admin', 'manager'], TENANT_A);
  definitionId = (await h.http().post('/api/definitions').set(auth(adminA)).send(purchaseOrderDefinition())).body.id;
  instanceId = (await h.http().post('/api/instances').set(auth(adminA)).set('Idempotency-Key', 'shared-key').send({ workflowDefinitionId: definitionId, contextData: { amount: 9 } })).body.id;
  taskId = await eventually(async () => {
    const res = await h.http().get('/api/tasks/mine').set(auth(adminA));
    return res.body.items[0]?.taskId as string | undefined;
  });
});

afterAll(() => h.close());

describe('tenant isolation through the API', () => {
  const adminB = () => h.token('admin-b', ['admin', 'manager', 'cfo'], TENANT_B);

  it('answers 404 for every object of another tenant', async () => {
    const t = auth(adminB());
    expect((await h.http().get(`/api/definitions/${definitionId}`).set(t)).status).toBe(404);
    expect((await h.http().post(`/api/definitions/${definitionId}/deactivate`).set(t)).status).toBe(404);
    expect((await h.http().get(`/api/instances/${instanceId}`).set(t)).status).toBe(404);
    expect((await h.http().get(`/api/instances/${instanceId}/history`).set(t)).status).toBe(404);
    expect((await h.http().post(`/api/instances/${instanceId}/cancel`).set(t)).status).toBe(404);
    for (const action of ['approve', 'reject']) {
      expect((await h.http().post(`/api/tasks/${taskId}/${action}`).set(t).send({})).status).toBe(404);
    }
    expect((await h.http().post(`/api/tasks/${taskId}/delegate`).set(t).send({ toUserId: 'x' })).status).toBe(404);
    const start = await h.http().post('/api/instances').set(t).send({ workflowDefinitionId: definitionId });
    expect(start.status).toBe(404);
  });

  it('shows another tenant none of the objects in lists and task queues', async () => {
    const t = auth(adminB());
    expect((await h.http().get('/api/definitions').set(t)).body.items).toEqual([]);
    expect((await h.http().get('/api/instances').set(t)).body.items).toEqual([]);
    expect((await h.http().get('/api/tasks/mine').set(t)).body.items).toEqual([]);
    const byName = await h.http().post('/api/instances').set(t).send({ workflowName: 'Purchase Order Approval' });
    expect(byName.status).toBe(422);
  });

  it('keeps idempotency keys per tenant', async () => {
    const t = auth(adminB());
    const own = (await h.http().post('/api/definitions').set(t).send(purchaseOrderDefinition())).body.id;
    const res = await h.http().post('/api/instances').set(t).set('Idempotency-Key', 'shared-key').send({ workflowDefinitionId: own, contextData: { amount: 9 } });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(instanceId);
  });

  it('hides an instance from a user of the same tenant who neither started it nor holds a task in it', async () => {
    const stranger = h.token('stranger', ['clerk'], TENANT_A);
    expect((await h.http().get(`/api/instances/${instanceId}`).set(auth(stranger))).status).toBe(404);
    expect((await h.http().get('/api/instances').set(auth(stranger))).body.items).toEqual([]);
    // a manager holds the role task, so sees the instance
    const manager = h.token('m2', ['manager'], TENANT_A);
    expect((await h.http().get(`/api/instances/${instanceId}`).set(auth(manager))).status).toBe(200);
  });
});
