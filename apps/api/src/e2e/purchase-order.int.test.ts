/**
 * The Purchase Order Approval definition end to end, through the real API, worker, Postgres and
 * Redis:
 *
 *   manager_approval --> amount_check --true--> cfo_approval --> complete
 *                                     \--false-------------------^
 */
import { createHarness, eventually, type Harness } from '../testing/engine-harness';
import { purchaseOrderDefinition } from '@wf/runtime/testing';

let h: Harness;
let admin: string;
let manager: string;
let cfo: string;
let definitionId: string;

beforeAll(async () => {
  h = await createHarness();
  admin = h.token('alice-admin', ['admin']);
  manager = h.token('mo-manager', ['manager']);
  cfo = h.token('carla-cfo', ['cfo']);
  const res = await h.http().post('/api/definitions').set('Authorization', `Bearer ${admin}`).send(purchaseOrderDefinition());
  expect(res.status).toBe(201);
  definitionId = res.body.id;
});

afterAll(async () => {
  await h.close();
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

async function start(amount: number, token = admin): Promise<string> {
  const res = await h.http().post('/api/instances').set(auth(token)).send({
    workflowDefinitionId: definitionId,
    contextEntityType: 'purchase_order',
    contextEntityId: `po-${amount}-${Math.random()}`,
    contextData: { amount },
  });
  expect(res.status).toBe(201);
  expect(res.body.status).toBe('running');
  return res.body.id as string;
}

/** The waiting task of `instanceId` at `nodeId`, as the holder sees it in their queue. */
async function taskIn(token: string, instanceId: string, taskName: string): Promise<string> {
  return eventually(async () => {
    const res = await h.http().get('/api/tasks/mine').set(auth(token));
    const task = res.body.items.find((t: { instanceId: string; taskName: string }) => t.instanceId === instanceId && t.taskName === taskName);
    return task?.taskId as string | undefined;
  }, 10_000, `${taskName} task of ${instanceId}`);
}

async function finalStatus(instanceId: string): Promise<{ status: string; nodes: { nodeId: string; status: string }[]; contextData: Record<string, unknown> }> {
  return eventually(async () => {
    const res = await h.http().get(`/api/instances/${instanceId}`).set(auth(admin));
    return res.body.status !== 'running' ? res.body : undefined;
  }, 10_000, `instance ${instanceId} to finish`);
}

async function historyOf(instanceId: string): Promise<string[]> {
  const res = await h.http().get(`/api/instances/${instanceId}/history`).set(auth(admin));
  expect(res.status).toBe(200);
  return res.body.items.map((i: { eventType: string }) => i.eventType);
}

describe('purchase order approval', () => {
  it('routes an amount of 15000 through manager, gateway and CFO to completion', async () => {
    const id = await start(15000);
    const managerTask = await taskIn(manager, id, 'Manager Approval');
    const approved = await h.http().post(`/api/tasks/${managerTask}/approve`).set(auth(manager)).send({ comments: 'fine' });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ taskId: managerTask, instanceId: id, status: 'completed', decision: 'approved' });

    const cfoTask = await taskIn(cfo, id, 'CFO Approval');
    expect((await h.http().post(`/api/tasks/${cfoTask}/approve`).set(auth(cfo)).send({})).status).toBe(200);

    const done = await finalStatus(id);
    expect(done.status).toBe('completed');
    expect(done.nodes.map((n) => [n.nodeId, n.status])).toEqual([
      ['manager_approval', 'completed'],
      ['amount_check', 'completed'],
      ['cfo_approval', 'completed'],
      ['complete', 'completed'],
    ]);
    expect(done.contextData).toEqual({ amount: 15000, orderStatus: 'approved' });
    const history = await historyOf(id);
    expect(history[0]).toBe('instance_started');
    expect(history.at(-1)).toBe('instance_completed');
    expect(history.filter((e) => e === 'task_approved')).toHaveLength(2);
  });

  it('skips the CFO for an amount of 5000', async () => {
    const id = await start(5000);
    const managerTask = await taskIn(manager, id, 'Manager Approval');
    expect((await h.http().post(`/api/tasks/${managerTask}/approve`).set(auth(manager)).send({})).status).toBe(200);
    const done = await finalStatus(id);
    expect(done.status).toBe('completed');
    expect(done.nodes.map((n) => n.nodeId)).toEqual(['manager_approval', 'amount_check', 'complete']);
  });

  it('ends the instance rejected when the manager rejects', async () => {
    const id = await start(15000);
    const managerTask = await taskIn(manager, id, 'Manager Approval');
    const rejected = await h.http().post(`/api/tasks/${managerTask}/reject`).set(auth(manager)).send({ comments: 'no budget' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.decision).toBe('rejected');
    const done = await finalStatus(id);
    expect(done.status).toBe('rejected');
    expect(done.nodes.map((n) => n.nodeId)).toEqual(['manager_approval']);
    expect(await historyOf(id)).toContain('instance_rejected');
    // a decided task cannot be decided again
    const again = await h.http().post(`/api/tasks/${managerTask}/approve`).set(auth(manager)).send({});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('TASK_NOT_WAITING');
  });

  it('moves a delegated task from the manager queue to the delegate, who alone can decide it', async () => {
    const id = await start(5000);
    const managerTask = await taskIn(manager, id, 'Manager Approval');
    const dave = h.token('dave', ['clerk']);
    const delegated = await h.http().post(`/api/tasks/${managerTask}/delegate`).set(auth(manager)).send({ toUserId: 'dave', comments: 'please' });
    expect(delegated.status).toBe(200);
    expect(delegated.body.taskId).toBe(managerTask);
    expect(delegated.body.assignedUserId).toBe('dave');

    const managersQueue = await h.http().get('/api/tasks/mine').set(auth(manager));
    expect(managersQueue.body.items.map((t: { taskId: string }) => t.taskId)).not.toContain(managerTask);
    const otherManager = h.token('max-manager', ['manager']);
    const othersQueue = await h.http().get('/api/tasks/mine').set(auth(otherManager));
    expect(othersQueue.body.items.map((t: { taskId: string }) => t.taskId)).not.toContain(managerTask);
    const davesQueue = await h.http().get('/api/tasks/mine').set(auth(dave));
    expect(davesQueue.body.items.map((t: { taskId: string }) => t.taskId)).toEqual([managerTask]);

    // the former holder can still see the instance but may not decide (403); a stranger gets 404
    expect((await h.http().post(`/api/tasks/${managerTask}/approve`).set(auth(manager)).send({})).status).toBe(403);
    expect((await h.http().post(`/api/tasks/${managerTask}/approve`).set(auth(otherManager)).send({})).status).toBe(404);
    expect((await h.http().post(`/api/tasks/${managerTask}/approve`).set(auth(h.token('eve', ['cfo']))).send({})).status).toBe(404);

    expect((await h.http().post(`/api/tasks/${managerTask}/approve`).set(auth(dave)).send({})).status).toBe(200);
    expect((await finalStatus(id)).status).toBe('completed');
    expect(await historyOf(id)).toContain('task_delegated');
  });

  it('lets exactly one of twenty concurrent approvals through', async () => {
    const id = await start(5000);
    const task = await taskIn(manager, id, 'Manager Approval');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => h.http().post(`/api/tasks/${task}/approve`).set(auth(manager)).send({})),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const done = await finalStatus(id);
    expect(done.status).toBe('completed');
    expect(done.nodes.filter((n) => n.nodeId === 'amount_check')).toHaveLength(1);
    const history = await historyOf(id);
    expect(history.filter((e) => e === 'task_approved')).toHaveLength(1);
    expect(history.filter((e) => e === 'instance_completed')).toHaveLength(1);
  });

  it('starts one instance for the same Idempotency-Key twice, and refuses the key with another body', async () => {
    const body = { workflowDefinitionId: definitionId, contextData: { amount: 42 } };
    const first = await h.http().post('/api/instances').set(auth(admin)).set('Idempotency-Key', 'po-77').send(body);
    const second = await h.http().post('/api/instances').set(auth(admin)).set('Idempotency-Key', 'po-77').send(body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => h.http().post('/api/instances').set(auth(admin)).set('Idempotency-Key', 'po-78').send(body)),
    );
    expect(new Set(concurrent.map((r) => r.body.id)).size).toBe(1);
    expect(concurrent.filter((r) => r.status === 201)).toHaveLength(1);
    const other = await h.http().post('/api/instances').set(auth(admin)).set('Idempotency-Key', 'po-77').send({ ...body, contextData: { amount: 43 } });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const list = await h.http().get('/api/instances').query({ workflowDefinitionId: definitionId, limit: 500 }).set(auth(admin));
    // one instance per key (po-77, po-78), however often each was sent
    expect(list.body.items.filter((i: { contextData: { amount: number } }) => i.contextData.amount === 42)).toHaveLength(2);
  });

  it("scopes an Idempotency-Key to its caller: another user's same key and body starts their own instance", async () => {
    const body = { workflowDefinitionId: definitionId, contextData: { amount: 91, secret: 'alice-only' } };
    const alice = await h.http().post('/api/instances').set(auth(admin)).set('Idempotency-Key', 'shared-key').send(body);
    const bob = h.token('bob-admin', ['admin']);
    const replayByBob = await h.http().post('/api/instances').set(auth(bob)).set('Idempotency-Key', 'shared-key').send(body);
    expect(alice.status).toBe(201);
    expect(replayByBob.status).toBe(201);
    expect(replayByBob.body.id).not.toBe(alice.body.id);
    expect(replayByBob.body.startedBy).toBe('bob-admin');
    const bobAgain = await h.http().post('/api/instances').set(auth(bob)).set('Idempotency-Key', 'shared-key').send(body);
    expect(bobAgain.status).toBe(200);
    expect(bobAgain.body.id).toBe(replayByBob.body.id);
  });

  it('starts by name the latest active version, pinning instances to their version', async () => {
    const v2 = await h.http().post('/api/definitions').set(auth(admin)).send(purchaseOrderDefinition());
    expect(v2.status).toBe(201);
    expect(v2.body.version).toBe(2);
    const byName = await h.http().post('/api/instances').set(auth(admin)).send({ workflowName: 'Purchase Order Approval', contextData: { amount: 1 } });
    expect(byName.status).toBe(201);
    expect(byName.body.workflowVersion).toBe(2);
    expect((await h.http().post(`/api/definitions/${v2.body.id}/deactivate`).set(auth(admin))).body.isActive).toBe(false);
    const afterDeactivate = await h.http().post('/api/instances').set(auth(admin)).send({ workflowName: 'Purchase Order Approval', contextData: { amount: 1 } });
    expect(afterDeactivate.body.workflowVersion).toBe(1);
    const inactive = await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: v2.body.id });
    expect(inactive.status).toBe(422);
    await h.http().post(`/api/definitions/${v2.body.id}/activate`).set(auth(admin));
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
    const res = await h.http().post('/api/definitions').set(auth(manager)).send(purchaseOrderDefinition('Nope'));
    expect(res.status).toBe(403);
  });

  it('answers 400 listing every problem of an invalid definition', async () => {
    const res = await h.http().post('/api/definitions').set(auth(admin)).send({
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
