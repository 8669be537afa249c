/**
 * Bulk decisions through the real API: POST /api/tasks/bulk with up to 100 task ids and one
 * action. Each task is decided on its own (its own transaction, its own separation-of-duties
 * check) and the answer lists the outcome per task, as acting on it alone would have answered:
 * one refusal never takes the others with it, and never decides a refused one.
 */
import { randomUUID } from 'node:crypto';
import { TENANT_B, createHarness, type Harness } from '../../testing/engine-harness';
import type { UserClient } from '../../testing/user-client';

let h: Harness;
let admin: UserClient;
let approver: UserClient;
let definitionId: string;

beforeAll(async () => {
  h = await createHarness();
  admin = h.as('bk-admin', ['admin']);
  approver = h.as('bk-approver', ['bk-approvers']);
  definitionId = await admin.define({
    name: 'bk-approval',
    notStarter: true,
    nodes: [{ id: 'approve', nodeType: 'approval', name: 'Approve', approverRole: 'bk-approvers' }],
    routes: [],
  });
});

afterAll(async () => {
  await h.close();
});

interface BulkResult {
  taskId: string;
  status: number;
  ok: boolean;
  result?: { status: string; decision?: string };
  error?: { code: string; message: string; details: unknown };
}

async function bulk(as: UserClient, body: object) {
  const res = await as.post('/api/tasks/bulk', body);
  expect(res.status).toBe(200);
  return res.body as { action: string; succeeded: number; failed: number; results: BulkResult[] };
}

/** A waiting approval of a new instance, started by `starter`, as the approver's queue has it. */
async function waitingTask(starter: UserClient = admin): Promise<{ instanceId: string; taskId: string }> {
  const instanceId = await starter.start(definitionId, {});
  return { instanceId, taskId: await h.as('bk-other-approver', ['bk-approvers']).taskFor(instanceId) };
}

const byTask = (results: BulkResult[]) => new Map(results.map((r) => [r.taskId, r]));

describe('POST /api/tasks/bulk', () => {
  it('decides the good tasks and answers each refusal on its own: 409 decided, 404 unknown, 403 own request', async () => {
    const good1 = await waitingTask();
    const good2 = await waitingTask();
    const decided = await waitingTask();
    await approver.approve(decided.taskId, 'earlier');
    const own = await waitingTask(approver);
    const unknown = randomUUID();

    const body = await bulk(approver, {
      action: 'approve',
      taskIds: [good1.taskId, decided.taskId, unknown, own.taskId, good2.taskId],
      comments: 'bulk ok',
    });
    expect(body.action).toBe('approve');
    expect(body.succeeded).toBe(2);
    expect(body.failed).toBe(3);
    expect(body.results.map((r) => r.taskId)).toEqual([good1.taskId, decided.taskId, unknown, own.taskId, good2.taskId]);
    const r = byTask(body.results);
    for (const good of [good1, good2]) {
      expect(r.get(good.taskId)).toMatchObject({ ok: true, status: 200, result: { status: 'completed', decision: 'approved' } });
    }
    expect(r.get(decided.taskId)).toMatchObject({ ok: false, status: 409, error: { code: 'TASK_NOT_WAITING' } });
    expect(r.get(unknown)).toMatchObject({ ok: false, status: 404 });
    expect(r.get(own.taskId)).toMatchObject({
      ok: false,
      status: 403,
      error: { code: 'SEPARATION_OF_DUTIES', details: expect.objectContaining({ rule: 'notStarter', userId: approver.user, taskId: own.taskId }) },
    });

    // the good ones decided, with the comments, by the bulk's actor
    for (const good of [good1, good2]) {
      expect((await admin.finished(good.instanceId)).status).toBe('completed');
      expect(await admin.task(good.taskId)).toMatchObject({ decision: 'approved', decidedBy: approver.user, comments: 'bulk ok' });
    }
    // the others untouched: the decided one as it was, the own request still waiting, its refusal on record
    expect(await admin.task(decided.taskId)).toMatchObject({ decision: 'approved', decidedBy: approver.user, comments: 'earlier' });
    expect((await admin.history(decided.instanceId)).filter((e) => e.eventType === 'task_approved')).toHaveLength(1);
    expect((await admin.task(own.taskId)).status).toBe('waiting');
    expect((await admin.instance(own.instanceId)).status).toBe('running');
    const ownHistory = await admin.history(own.instanceId);
    expect(ownHistory.filter((e) => e.eventType === 'decision_refused')).toEqual([
      expect.objectContaining({ actorUserId: approver.user, details: expect.objectContaining({ rule: 'notStarter', action: 'approve' }) }),
    ]);
    expect(ownHistory.some((e) => e.eventType === 'task_approved')).toBe(false);
    // someone else may still decide the own request
    await h.as('bk-other-approver', ['bk-approvers']).approve(own.taskId);
  });

  it('a task that is not the actor\'s is refused on its own, as it would be alone, the rest decided', async () => {
    const theirs = await admin.start(
      await admin.define({ name: 'bk-elsewhere', nodes: [{ id: 'a', nodeType: 'approval', name: 'A', approverRole: 'bk-elsewhere' }], routes: [] }),
      {},
    );
    const theirTask = await h.as('bk-elsewhere-1', ['bk-elsewhere']).taskFor(theirs);
    // a task of another tenant, in the approver's own role there
    const adminB = h.as('bk-admin-b', ['admin'], TENANT_B);
    const otherTenant = await adminB.start(await adminB.define({ name: 'bk-approval-b', nodes: [{ id: 'a', nodeType: 'approval', name: 'A', approverRole: 'bk-approvers' }], routes: [] }), {});
    const otherTenantTask = await h.as('bk-approver-b', ['bk-approvers'], TENANT_B).taskFor(otherTenant);
    const good = await waitingTask();
    const alone = await approver.post(`/api/tasks/${theirTask}/approve`, {});

    const body = await bulk(approver, { action: 'approve', taskIds: [theirTask, otherTenantTask, good.taskId] });
    const r = byTask(body.results);
    expect(r.get(theirTask)).toMatchObject({ ok: false, status: alone.status, error: { code: alone.body.error.code } });
    expect([403, 404]).toContain(alone.status);
    expect(r.get(otherTenantTask)).toMatchObject({ ok: false, status: 404 });
    expect(r.get(good.taskId)).toMatchObject({ ok: true, status: 200 });
    expect((await admin.task(theirTask)).status).toBe('waiting');
    expect((await adminB.task(otherTenantTask)).status).toBe('waiting');
  });

  it('rejects in bulk with the comments', async () => {
    const a = await waitingTask();
    const b = await waitingTask();
    const body = await bulk(approver, { action: 'reject', taskIds: [a.taskId, b.taskId], comments: 'over budget' });
    expect(body).toMatchObject({ action: 'reject', succeeded: 2, failed: 0 });
    for (const t of [a, b]) {
      expect((await admin.finished(t.instanceId)).status).toBe('rejected');
      expect(await admin.task(t.taskId)).toMatchObject({ decision: 'rejected', comments: 'over budget' });
    }
  });

  it('claims and releases role tasks in bulk', async () => {
    const a = await waitingTask();
    const b = await waitingTask();
    const claimed = await bulk(approver, { action: 'claim', taskIds: [a.taskId, b.taskId] });
    expect(claimed).toMatchObject({ succeeded: 2, failed: 0 });
    for (const t of [a, b]) expect(await admin.task(t.taskId)).toMatchObject({ assignedUserId: approver.user, status: 'waiting' });
    // claimed: no longer in the queue of the role's other holders
    const other = await h.as('bk-other-approver', ['bk-approvers']).tasks();
    expect(other.some((t) => t.taskId === a.taskId || t.taskId === b.taskId)).toBe(false);

    const released = await bulk(approver, { action: 'release', taskIds: [a.taskId, b.taskId] });
    expect(released).toMatchObject({ succeeded: 2, failed: 0 });
    for (const t of [a, b]) expect(await admin.task(t.taskId)).toMatchObject({ assignedUserId: null, assignedRole: 'bk-approvers', claimedAt: null });
  });

  it('a quorum task in a bulk approve is one vote, its own outcome (waiting) beside the others', async () => {
    const quorumDef = await admin.define({
      name: 'bk-quorum',
      nodes: [{ id: 'vote', nodeType: 'approval', name: 'Vote', quorum: { voters: { users: [approver.user, 'bk-voter-2', 'bk-voter-3'] }, required: 2 } }],
      routes: [],
    });
    const vote = await admin.start(quorumDef, {});
    const voteTask = await approver.taskFor(vote);
    const good = await waitingTask();
    const body = await bulk(approver, { action: 'approve', taskIds: [voteTask, good.taskId] });
    const r = byTask(body.results);
    expect(r.get(voteTask)).toMatchObject({ ok: true, status: 200, result: { status: 'waiting' } });
    expect(r.get(good.taskId)).toMatchObject({ ok: true, result: { status: 'completed' } });
    // a second bulk: the vote was cast once
    const again = await bulk(approver, { action: 'approve', taskIds: [voteTask] });
    expect(again.results[0]).toMatchObject({ ok: false, status: 409, error: { code: 'ALREADY_VOTED' } });
  });

  it('two approvers bulk-approving the same ten tasks at once: each task decided exactly once', async () => {
    const tasks = await Promise.all(Array.from({ length: 10 }, () => waitingTask()));
    const second = h.as('bk-approver-2', ['bk-approvers']);
    const [a, b] = await Promise.all([
      bulk(approver, { action: 'approve', taskIds: tasks.map((t) => t.taskId) }),
      bulk(second, { action: 'approve', taskIds: [...tasks].reverse().map((t) => t.taskId) }),
    ]);
    expect(a.succeeded + b.succeeded).toBe(10);
    for (const r of [...a.results, ...b.results].filter((x) => !x.ok)) expect(r).toMatchObject({ status: 409, error: { code: 'TASK_NOT_WAITING' } });
    for (const t of tasks) {
      expect((await admin.history(t.instanceId)).filter((e) => e.eventType === 'task_approved')).toHaveLength(1);
      expect((await admin.finished(t.instanceId)).status).toBe('completed');
    }
  });

  it('the same id twice is decided once', async () => {
    const t = await waitingTask();
    const body = await bulk(approver, { action: 'approve', taskIds: [t.taskId, t.taskId] });
    expect(body.results.filter((r) => r.ok)).toHaveLength(1);
    expect((await admin.history(t.instanceId)).filter((e) => e.eventType === 'task_approved')).toHaveLength(1);
  });

  it('takes up to 100 ids, each answered; refuses 101 (400) and none (400), deciding nothing', async () => {
    const hundred = Array.from({ length: 100 }, () => randomUUID());
    const body = await bulk(approver, { action: 'approve', taskIds: hundred });
    expect(body.results).toHaveLength(100);
    expect(body.results.every((r) => r.status === 404 && !r.ok)).toBe(true);
    expect(body).toMatchObject({ succeeded: 0, failed: 100 });

    const good = await waitingTask();
    const tooMany = await approver.post('/api/tasks/bulk', { action: 'approve', taskIds: [good.taskId, ...hundred] });
    expect(tooMany.status).toBe(400);
    expect((await admin.task(good.taskId)).status).toBe('waiting');

    const none = await approver.post('/api/tasks/bulk', { action: 'approve', taskIds: [] });
    expect(none.status).toBe(400);
    const badAction = await approver.post('/api/tasks/bulk', { action: 'complete', taskIds: [good.taskId] });
    expect(badAction.status).toBe(400);
    expect((await admin.task(good.taskId)).status).toBe('waiting');
  });
});
