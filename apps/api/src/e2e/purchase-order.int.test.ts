/**
 * The Purchase Order Approval definition end to end, through the real API, worker, Postgres and
 * Redis:
 *
 *   manager_approval --> amount_check --true--> cfo_approval --> complete
 *                                     \--false-------------------^
 */
import { createHarness, type Harness } from '../testing/engine-harness';
import type { UserClient } from '../testing/user-client';
import { purchaseOrderDefinition } from '@wf/runtime/testing';

let h: Harness;
let admin: UserClient;
let manager: UserClient;
let cfo: UserClient;
let definitionId: string;

beforeAll(async () => {
  h = await createHarness();
  admin = h.as('alice-admin', ['admin']);
  manager = h.as('mo-manager', ['manager']);
  cfo = h.as('carla-cfo', ['cfo']);
  definitionId = await admin.define(purchaseOrderDefinition());
});

afterAll(async () => {
  await h.close();
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

async function start(amount: number, as = admin): Promise<string> {
  const res = await as.post('/api/instances', {
    workflowDefinitionId: definitionId,
    contextEntityType: 'purchase_order',
    contextEntityId: `po-${amount}-${Math.random()}`,
    contextData: { amount },
  });
  expect(res.status).toBe(201);
  expect(res.body.status).toBe('running');
  return res.body.id as string;
}

describe('purchase order approval', () => {
  it('routes an amount of 15000 through manager, gateway and CFO to completion', async () => {
    const id = await start(15000);
    const managerTask = await manager.taskFor(id, 'manager_approval');
    expect(await manager.approve(managerTask, 'fine')).toEqual({ taskId: managerTask, instanceId: id, status: 'completed', decision: 'approved' });

    await cfo.approve(await cfo.taskFor(id, 'cfo_approval'));

    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.nodes.map((n) => [n.nodeId, n.status])).toEqual([
      ['manager_approval', 'completed'],
      ['amount_check', 'completed'],
      ['cfo_approval', 'completed'],
      ['complete', 'completed'],
    ]);
    expect(done.contextData).toEqual({ amount: 15000, orderStatus: 'approved' });
    const history = await admin.events(id);
    expect(history[0]).toBe('instance_started');
    expect(history.at(-1)).toBe('instance_completed');
    expect(history.filter((e) => e === 'task_approved')).toHaveLength(2);
  });

  it('skips the CFO for an amount of 5000', async () => {
    const id = await start(5000);
    await manager.approve(await manager.taskFor(id, 'manager_approval'));
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.nodes.map((n) => n.nodeId)).toEqual(['manager_approval', 'amount_check', 'complete']);
  });

  it('ends the instance rejected when the manager rejects', async () => {
    const id = await start(15000);
    const managerTask = await manager.taskFor(id, 'manager_approval');
    expect((await manager.reject(managerTask, 'no budget')).decision).toBe('rejected');
    const done = await admin.finished(id);
    expect(done.status).toBe('rejected');
    expect(done.nodes.map((n) => n.nodeId)).toEqual(['manager_approval']);
    expect(await admin.events(id)).toContain('instance_rejected');
    // a decided task cannot be decided again
    const again = await manager.post(`/api/tasks/${managerTask}/approve`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TASK_NOT_WAITING');
  });

  it('moves a delegated task from the manager queue to the delegate, who alone can decide it', async () => {
    const id = await start(5000);
    const managerTask = await manager.taskFor(id, 'manager_approval');
    const dave = h.as('dave', ['clerk']);
    const delegated = await manager.post(`/api/tasks/${managerTask}/delegate`, { toUserId: 'dave', comments: 'please' });
    expect(delegated.status).toBe(200);
    expect(delegated.body.taskId).toBe(managerTask);
    expect(delegated.body.assignedUserId).toBe('dave');

    const queueOf = async (user: UserClient) => (await user.tasks()).map((t) => t.taskId);
    expect(await queueOf(manager)).not.toContain(managerTask);
    const otherManager = h.as('max-manager', ['manager']);
    expect(await queueOf(otherManager)).not.toContain(managerTask);
    expect(await queueOf(dave)).toEqual([managerTask]);

    // the former holder can still see the instance but may not decide (403); a stranger gets 404
    const approve = `/api/tasks/${managerTask}/approve`;
    expect((await manager.post(approve, {})).status).toBe(403);
    expect((await otherManager.post(approve, {})).status).toBe(404);
    expect((await h.as('eve', ['cfo']).post(approve, {})).status).toBe(404);

    await dave.approve(managerTask);
    expect((await admin.finished(id)).status).toBe('completed');
    expect(await admin.events(id)).toContain('task_delegated');
  });

  it('lets exactly one of twenty concurrent approvals through', async () => {
    const id = await start(5000);
    const task = await manager.taskFor(id, 'manager_approval');
    const answers = await Promise.all(Array.from({ length: 20 }, () => manager.post(`/api/tasks/${task}/approve`, {})));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.nodes.filter((n) => n.nodeId === 'amount_check')).toHaveLength(1);
    const history = await admin.events(id);
    expect(history.filter((e) => e === 'task_approved')).toHaveLength(1);
    expect(history.filter((e) => e === 'instance_completed')).toHaveLength(1);
  });

  it('starts one instance for the same Idempotency-Key twice, and refuses the key with another body', async () => {
    const body = { workflowDefinitionId: definitionId, contextData: { amount: 42 } };
    const startWith = (key: string, as = admin, b: object = body) => as.post('/api/instances', b, { 'Idempotency-Key': key });
    const first = await startWith('po-77');
    const second = await startWith('po-77');
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => startWith('po-78')));
    expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
    expect(concurrent.filter((r) => r.status === 201)).toHaveLength(1);
    const other = await startWith('po-77', admin, { ...body, contextData: { amount: 43 } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const list = await admin.get('/api/instances', { workflowDefinitionId: definitionId, limit: 500 });
    // one instance per key (po-77, po-78), however often each was sent
    expect(list.body.items.filter((i: { contextData: { amount: number } }) => i.contextData.amount === 42)).toHaveLength(2);
  });

  it("scopes an Idempotency-Key to its caller: another user's same key and body starts their own instance", async () => {
    const body = { workflowDefinitionId: definitionId, contextData: { amount: 91, secret: 'alice-only' } };
    const startWith = (as: UserClient) => as.post('/api/instances', body, { 'Idempotency-Key': 'shared-key' });
    const alice = await startWith(admin);
    const bob = h.as('bob-admin', ['admin']);
    const replayByBob = await startWith(bob);
    expect(alice.status).toBe(201);
    expect(replayByBob.status).toBe(201);
    expect(replayByBob.body.id).not.toBe(alice.body.id);
    expect(replayByBob.body.startedBy).toBe('bob-admin');
    const bobAgain = await startWith(bob);
    expect(bobAgain.status).toBe(200);
    expect(bobAgain.body.id).toBe(replayByBob.body.id);
  });

  it('starts by name the latest active version, pinning instances to their version', async () => {
    const v2 = await admin.post('/api/definitions', purchaseOrderDefinition());
    expect(v2.status).toBe(201);
    expect(v2.body.version).toBe(2);
    const byName = await admin.post('/api/instances', { workflowName: 'Purchase Order Approval', contextData: { amount: 1 } });
    expect(byName.status).toBe(201);
    expect(byName.body.workflowVersion).toBe(2);
    expect((await admin.post(`/api/definitions/${v2.body.id}/deactivate`)).body.isActive).toBe(false);
    const afterDeactivate = await admin.post('/api/instances', { workflowName: 'Purchase Order Approval', contextData: { amount: 1 } });
    expect(afterDeactivate.body.workflowVersion).toBe(1);
    const inactive = await admin.post('/api/instances', { workflowDefinitionId: v2.body.id });
    expect(inactive.status).toBe(422);
    await admin.post(`/api/definitions/${v2.body.id}/activate`);
  });
});

describe('access rules', () => {
  it('answers 401 for a missing, forged or expired token', async () => {
    expect((await h.http().get('/api/definitions')).status).toBe(401);
    expect((await h.http().get('/api/definitions').set('Authorization', 'Bearer not.a.jwt')).status).toBe(401);
    const jwt = await import('jsonwebtoken');
    const forged = jwt.sign({ sub: 'x', tenant: '0a000000-0000-4000-8000-00000000000a', roles: ['admin'] }, 'wrong-secret');
    expect((await h.http().get('/api/definitions').set(auth(forged))).status).toBe(401);
    const expired = jwt.sign({ sub: 'x', tenant: '0a000000-0000-4000-8000-00000000000a', roles: ['admin'], exp: Math.floor(Date.now() / 1000) - 10 }, 'test-secret');
    const res = await h.http().get('/api/definitions').set(auth(expired));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('TOKEN_EXPIRED');
  });

  it('answers 403 to a non-admin creating a definition', async () => {
    const res = await manager.post('/api/definitions', purchaseOrderDefinition('Nope'));
    expect(res.status).toBe(403);
  });

  it('answers 400 listing every problem of an invalid definition', async () => {
    const res = await admin.post('/api/definitions', {
      name: 'Broken',
      nodes: [
        { id: 'a', nodeType: 'approval', name: 'A' },
        { id: 'g', nodeType: 'gateway', name: 'G', conditionExpression: 'context.amount >' },
        { id: 'island', nodeType: 'service_task', name: 'I', serviceType: 'set_context', serviceConfig: { values: {} } },
      ],
      routes: [
        { fromNodeId: 'a', toNodeId: 'g' },
        { fromNodeId: 'g', toNodeId: 'nowhere', condition: 'true' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    const paths = res.body.error.details.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['nodes[0].approverRole', 'nodes[1].conditionExpression', 'routes[1].toNodeId']));
    expect(res.body.error.details.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(res.body.error.details)).toMatch(/island/);
  });
});
