/**
 * Separation of duties through the real API: a refused decision is 403 SEPARATION_OF_DUTIES
 * naming the rule, recorded in the history, whatever roles the actor holds; a task the actor may
 * never decide is not in their queue. Side doors: a starter who holds the approver role, an
 * admin, a claim, a delegation to the starter, a bulk approve that includes an own request.
 */
import { createHarness, type Harness } from '../../testing/engine-harness';
import type { UserClient } from '../../testing/user-client';

let h: Harness;
let admin: UserClient;

beforeAll(async () => {
  h = await createHarness();
  admin = h.as('sod-admin', ['admin']);
});

afterAll(async () => {
  await h.close();
});

const twoStep = (name: string, extra: Record<string, unknown> = {}, first: Record<string, unknown> = {}, second: Record<string, unknown> = {}) => ({
  name,
  nodes: [
    { id: 'manager_approval', nodeType: 'approval', name: 'Manager', approverRole: 'manager', ...first },
    { id: 'finance_approval', nodeType: 'approval', name: 'Finance', approverRole: 'finance', ...second },
  ],
  routes: [{ fromNodeId: 'manager_approval', toNodeId: 'finance_approval' }],
  ...extra,
});

async function refusal(res: { status: number; body: { error: { code: string; details: { rule: string } } } }, rule: string) {
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('SEPARATION_OF_DUTIES');
  expect(res.body.error.details.rule).toBe(rule);
}

describe('notStarter', () => {
  it('refuses the starter who holds the approver role, records the attempt, and keeps the task out of their queue', async () => {
    const definitionId = await admin.define(twoStep('sod-not-starter', {}, { notStarter: true }));
    const starter = h.as('sam-starter', ['manager']);
    const other = h.as('mia-manager', ['manager']);
    const id = await starter.start(definitionId, { amount: 5 });
    const task = await other.taskFor(id);
    expect((await starter.tasks()).some((t) => t.instanceId === id)).toBe(false);

    await refusal(await starter.post(`/api/tasks/${task}/approve`, {}), 'notStarter');
    const history = await admin.history(id);
    const refused = history.find((e) => e.eventType === 'decision_refused');
    expect(refused).toMatchObject({ actorUserId: 'sam-starter', details: { rule: 'notStarter', action: 'approve', nodeId: 'manager_approval' } });
    expect((await admin.instance(id)).nodes[0]?.status).toBe('waiting');
    expect((await admin.get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);

    await other.approve(task);
    // the next approval is parked by a worker after the decision commits: wait for it, then check the whole path
    const after = await admin.until(id, (i) => i.nodes.length === 2 && i.nodes[1]?.status !== 'ready', 'the next approval to be parked');
    expect(after.nodes.map((n) => n.status)).toEqual(['completed', 'waiting']);
  });

  it('binds an admin too, as a definition-wide default, on every entry point', async () => {
    const definitionId = await admin.define(twoStep('sod-admin-default', { notStarter: true }));
    const boss = h.as('bea-boss', ['admin', 'manager', 'finance']);
    const id = await boss.start(definitionId, {});
    const task = await h.as('max-manager', ['manager']).taskFor(id);
    await refusal(await boss.post(`/api/tasks/${task}/approve`, {}), 'notStarter');
    await refusal(await boss.post(`/api/tasks/${task}/reject`, { comments: 'no' }), 'notStarter');
    await refusal(await boss.post(`/api/tasks/${task}/claim`, {}), 'notStarter');
    // handing the task to the starter would make a task its holder may never decide
    await refusal(await admin.post(`/api/tasks/${task}/delegate`, { toUserId: 'bea-boss' }), 'notStarter');
    await refusal(await admin.post(`/api/tasks/${task}/reassign`, { toUserId: 'bea-boss' }), 'notStarter');
    const bulk = await boss.post('/api/tasks/bulk', { action: 'approve', taskIds: [task] });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results).toEqual([expect.objectContaining({ taskId: task, ok: false, status: 403, error: expect.objectContaining({ code: 'SEPARATION_OF_DUTIES' }) })]);
    const refusals = (await admin.history(id)).filter((e) => e.eventType === 'decision_refused');
    expect(refusals.map((e) => e.details.action)).toEqual(['approve', 'reject', 'claim', 'delegate', 'reassign', 'approve']);
  });
});

describe('notDeciderOf and distinctDeciders', () => {
  it('refuses whoever decided the named node, and lets someone else decide', async () => {
    const definitionId = await admin.define(twoStep('sod-not-decider-of', {}, {}, { notDeciderOf: ['manager_approval'] }));
    const both = h.as('bo-both', ['manager', 'finance']);
    const id = await admin.start(definitionId, {});
    await both.approve(await both.taskFor(id));
    const second = await h.as('fay-finance', ['finance']).taskFor(id);
    expect((await both.tasks()).some((t) => t.taskId === second)).toBe(false);
    await refusal(await both.post(`/api/tasks/${second}/approve`, {}), 'notDeciderOf');
    await h.as('fay-finance', ['finance']).approve(second);
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('distinctDeciders across the whole chain', async () => {
    const definitionId = await admin.define(twoStep('sod-distinct', { distinctDeciders: true }));
    const both = h.as('di-both', ['manager', 'finance']);
    const id = await admin.start(definitionId, {});
    await both.approve(await both.taskFor(id));
    const second = await h.as('fi-finance', ['finance']).taskFor(id);
    await refusal(await both.post(`/api/tasks/${second}/approve`, {}), 'distinctDeciders');
  });
});
