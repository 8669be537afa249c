/**
 * Dynamic approvers through the real API: `approverExpression` / `assigneeExpression`, a CEL
 * expression over the context giving a user id, `{ "role": … }` or `{ "userId": … }`, evaluated
 * when the task is created ("the requester's manager": context.requester.managerId). An empty or
 * invalid result fails the node with a clear error instead of creating a task nobody holds; the
 * expression is type-checked when the definition is saved.
 */
import { createHarness, type Harness } from '../../testing/engine-harness';
import type { InstanceView, UserClient } from '../../testing/user-client';

let h: Harness;
let admin: UserClient;

beforeAll(async () => {
  h = await createHarness();
  admin = h.as('dyn-admin', ['admin']);
});

afterAll(async () => {
  await h.close();
});

const approvalBy = (name: string, approverExpression: string, extra: Record<string, unknown> = {}) => ({
  name,
  nodes: [{ id: 'approve', nodeType: 'approval', name: 'Approve', approverExpression }],
  routes: [],
  ...extra,
});

const userTaskBy = (name: string, assigneeExpression: string) => ({
  name,
  nodes: [{ id: 'fill', nodeType: 'user_task', name: 'Fill in', assigneeExpression }],
  routes: [],
});

/** A task of the instance in the operator view (every open task of the tenant). */
async function openTasksOf(instanceId: string) {
  const res = await admin.get('/api/tasks', { limit: 500 });
  expect(res.status).toBe(200);
  return (res.body.items as { instanceId: string; taskId: string }[]).filter((t) => t.instanceId === instanceId);
}

async function failedWith(instanceId: string, codes: readonly string[]): Promise<InstanceView> {
  const failed = await admin.finished(instanceId);
  expect(failed.status).toBe('failed');
  const node = failed.nodes.find((n) => n.status === 'failed');
  expect(node).toBeDefined();
  expect(codes).toContain(node!.error?.code);
  expect(node!.error?.message).toEqual(expect.any(String));
  expect(failed.nodes.filter((n) => n.status === 'waiting')).toEqual([]);
  expect(await openTasksOf(instanceId)).toEqual([]);
  return failed;
}

describe('the expression names who holds the task', () => {
  it("the requester's manager gets the approval, and nobody else does", async () => {
    const definitionId = await admin.define(approvalBy('dyn-manager', 'context.requester.managerId'));
    const requester = h.as('dyn-emp-1', ['employee']);
    const manager = h.as('dyn-mgr-1', []);
    const otherManager = h.as('dyn-mgr-2', ['manager', 'employee']);
    const id = await requester.start(definitionId, { requester: { id: 'dyn-emp-1', managerId: 'dyn-mgr-1' } });

    const task = await manager.taskFor(id, 'approve');
    const detail = await manager.task(task);
    expect(detail).toMatchObject({ assignedUserId: 'dyn-mgr-1', assignedRole: null });
    expect(detail.allowedActions).toEqual(expect.arrayContaining(['approve', 'reject']));
    expect((await otherManager.tasks()).some((t) => t.instanceId === id)).toBe(false);
    expect((await requester.tasks()).some((t) => t.instanceId === id)).toBe(false);
    expect([403, 404]).toContain((await otherManager.post(`/api/tasks/${task}/approve`, {})).status);
    expect([403, 404]).toContain((await requester.post(`/api/tasks/${task}/approve`, {})).status);

    const created = (await admin.history(id)).find((e) => e.eventType === 'task_created');
    expect(created?.details).toMatchObject({ nodeId: 'approve', assignedUserId: 'dyn-mgr-1', assignedRole: null });

    await manager.approve(task);
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('evaluates the expression when the task is created: two instances, two managers', async () => {
    const definitionId = await admin.define(approvalBy('dyn-per-instance', 'context.requester.managerId'));
    const a = await admin.start(definitionId, { requester: { managerId: 'dyn-mgr-a' } });
    const b = await admin.start(definitionId, { requester: { managerId: 'dyn-mgr-b' } });
    const mgrA = h.as('dyn-mgr-a', []);
    const mgrB = h.as('dyn-mgr-b', []);
    await mgrA.taskFor(a);
    await mgrB.taskFor(b);
    expect((await mgrA.tasks()).some((t) => t.instanceId === b)).toBe(false);
    expect((await mgrB.tasks()).some((t) => t.instanceId === a)).toBe(false);
  });

  it('reads the context as it is when the task is created, not as it was at the start', async () => {
    const definitionId = await admin.define({
      name: 'dyn-after-form',
      nodes: [
        { id: 'request', nodeType: 'user_task', name: 'Request', assigneeRole: 'dyn-requester' },
        { id: 'approve', nodeType: 'approval', name: 'Approve', approverExpression: 'context.approver' },
      ],
      routes: [{ fromNodeId: 'request', toNodeId: 'approve' }],
    });
    const requester = h.as('dyn-req-1', ['dyn-requester']);
    const id = await requester.start(definitionId, { approver: 'dyn-first-choice' });
    await requester.complete(await requester.taskFor(id, 'request'), { approver: 'dyn-second-choice' });
    const chosen = h.as('dyn-second-choice', []);
    await chosen.approve(await chosen.taskFor(id, 'approve'));
    expect((await h.as('dyn-first-choice', []).tasks()).some((t) => t.instanceId === id)).toBe(false);
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('a { "role": … } result gives the task to the role', async () => {
    const definitionId = await admin.define(approvalBy('dyn-role', '{"role": context.department + "-lead"}'));
    const id = await admin.start(definitionId, { department: 'finance' });
    const lead = h.as('dyn-fin-lead', ['finance-lead']);
    const task = await lead.taskFor(id, 'approve');
    expect(await lead.task(task)).toMatchObject({ assignedUserId: null, assignedRole: 'finance-lead' });
    expect((await h.as('dyn-hr-lead', ['hr-lead']).tasks()).some((t) => t.instanceId === id)).toBe(false);
    await lead.approve(task);
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('a { "userId": … } result on a user task gives it to that user', async () => {
    const definitionId = await admin.define(userTaskBy('dyn-user-task', '{"userId": context.owner}'));
    const id = await admin.start(definitionId, { owner: 'dyn-owner-1' });
    const owner = h.as('dyn-owner-1', []);
    const task = await owner.taskFor(id, 'fill');
    expect(await owner.task(task)).toMatchObject({ assignedUserId: 'dyn-owner-1', assignedRole: null });
    await owner.complete(task, { done: true });
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('a conditional expression: a role above a threshold, the manager below it', async () => {
    const definitionId = await admin.define(
      approvalBy('dyn-conditional', 'context.amount > 1000 ? {"role": "dyn-cfo"} : {"userId": context.requester.managerId}'),
    );
    const big = await admin.start(definitionId, { amount: 5000, requester: { managerId: 'dyn-mgr-c' } });
    const small = await admin.start(definitionId, { amount: 10, requester: { managerId: 'dyn-mgr-c' } });
    const cfo = h.as('dyn-cfo-1', ['dyn-cfo']);
    const manager = h.as('dyn-mgr-c', []);
    await cfo.taskFor(big);
    await manager.taskFor(small);
    expect((await cfo.tasks()).some((t) => t.instanceId === small)).toBe(false);
    expect((await manager.tasks()).some((t) => t.instanceId === big)).toBe(false);
  });
});

describe('an expression that gives nobody fails the node instead of creating a task', () => {
  it('an empty string: ASSIGNEE_EXPRESSION_EMPTY', async () => {
    const definitionId = await admin.define(approvalBy('dyn-empty', 'context.requester.managerId'));
    const id = await admin.start(definitionId, { requester: { managerId: '' } });
    const failed = await failedWith(id, ['ASSIGNEE_EXPRESSION_EMPTY']);
    expect(failed.nodes[0]?.error?.message).toMatch(/approverExpression/);
    expect((await admin.events(id))).toContain('node_failed');
    expect((await admin.events(id))).not.toContain('task_created');
  });

  it('a missing key: the expression fails (EXPRESSION_FAILED), no task', async () => {
    const definitionId = await admin.define(approvalBy('dyn-missing', 'context.requester.managerId'));
    const id = await admin.start(definitionId, { requester: { id: 'dyn-emp-9' } });
    await failedWith(id, ['EXPRESSION_FAILED', 'ASSIGNEE_EXPRESSION_EMPTY']);
    expect((await admin.events(id))).not.toContain('task_created');
  });

  it('a null: ASSIGNEE_EXPRESSION_EMPTY', async () => {
    const definitionId = await admin.define(userTaskBy('dyn-null', 'context.owner'));
    const id = await admin.start(definitionId, { owner: null });
    await failedWith(id, ['ASSIGNEE_EXPRESSION_EMPTY']);
  });

  it('a map of another shape, or a number at run time: ASSIGNEE_EXPRESSION_INVALID', async () => {
    const shape = await admin.define(approvalBy('dyn-bad-map', '{"team": context.team}'));
    await failedWith(await admin.start(shape, { team: 'ops' }), ['ASSIGNEE_EXPRESSION_INVALID']);
    const number = await admin.define(approvalBy('dyn-number', 'context.approver'));
    await failedWith(await admin.start(number, { approver: 42 }), ['ASSIGNEE_EXPRESSION_INVALID']);
    const blankRole = await admin.define(approvalBy('dyn-blank-role', '{"role": context.role}'));
    await failedWith(await admin.start(blankRole, { role: '' }), ['ASSIGNEE_EXPRESSION_INVALID', 'ASSIGNEE_EXPRESSION_EMPTY']);
  });
});

describe('type-checked when the definition is saved', () => {
  async function refused(definition: object, path: string | RegExp) {
    const res = await admin.post('/api/definitions', definition);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: typeof path === 'string' ? path : expect.stringMatching(path) })]));
  }

  it('refuses an int result under a contextSchema', async () => {
    const contextSchema = {
      type: 'object',
      properties: { requester: { type: 'object', properties: { level: { type: 'integer' }, managerId: { type: 'string' } } } },
    };
    await refused(approvalBy('dyn-int', 'context.requester.level', { contextSchema }), 'nodes[0].approverExpression');
    // the same schema with a string field saves, bare or in a map
    expect(await admin.define(approvalBy('dyn-string-ok', 'context.requester.managerId', { contextSchema }))).toEqual(expect.any(String));
    expect(await admin.define(approvalBy('dyn-map-ok', '{"userId": context.requester.managerId}', { contextSchema }))).toEqual(expect.any(String));
  });

  it('refuses a map whose role or user id is an int under a contextSchema (map<string, int> is no holder)', async () => {
    const contextSchema = { type: 'object', properties: { requester: { type: 'object', properties: { level: { type: 'integer' } } } } };
    await refused(approvalBy('dyn-int-role', '{"role": context.requester.level}', { contextSchema }), 'nodes[0].approverExpression');
    await refused(userTaskBy('dyn-int-user', '{"userId": 7}'), 'nodes[0].assigneeExpression');
  });

  it('refuses a bool expression, a number literal and a syntax error, on approvals and user tasks', async () => {
    await refused(approvalBy('dyn-bool', '1 == 1'), 'nodes[0].approverExpression');
    await refused(approvalBy('dyn-literal', '42'), 'nodes[0].approverExpression');
    await refused(approvalBy('dyn-list', '["a", "b"]'), 'nodes[0].approverExpression');
    await refused(userTaskBy('dyn-bool-user-task', 'true'), 'nodes[0].assigneeExpression');
    await refused(approvalBy('dyn-syntax', 'context.requester.('), 'nodes[0].approverExpression');
    await refused(approvalBy('dyn-blank', '  '), 'nodes[0].approverExpression');
  });

  it('refuses an expression beside a fixed approver', async () => {
    await refused(
      { name: 'dyn-both', nodes: [{ id: 'approve', nodeType: 'approval', name: 'A', approverRole: 'x', approverExpression: 'context.m' }], routes: [] },
      /^nodes\[0\]\./,
    );
    await refused(
      { name: 'dyn-both-ut', nodes: [{ id: 'fill', nodeType: 'user_task', name: 'F', assigneeRole: 'x', assigneeExpression: 'context.m' }], routes: [] },
      /^nodes\[0\]\./,
    );
  });
});
