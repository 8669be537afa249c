/**
 * Reading tasks and instances through the real API (issue 16): GET /api/tasks/:id for whoever may
 * see the task; the operator view GET /api/tasks (admins: every open task of the tenant) with its
 * filters and cursor paging; the comment thread of an instance (append-only, in the hash-chained
 * history); GET /api/instances filtered by business key, starter and time ranges. Side doors:
 * another tenant (404), a non-admin on the operator view (403), a user who may not see the task.
 */
import type { Response } from 'supertest';
import type { CommentDto, InstanceDto, TaskDto } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { TENANT_B, createHarness, sqlAsOwner, type Harness } from '../../testing/engine-harness';
import type { UserClient } from '../../testing/user-client';

const HOUR = 3_600_000;

let h: Harness;
let admin: UserClient;
const clock = new OffsetClock();

beforeAll(async () => {
  h = await createHarness({ clock });
  admin = h.as('tv-admin', ['admin']);
});

afterAll(async () => {
  await h.close();
});

function outcome(res: Response): { status: number; code: string | undefined } {
  return { status: res.status, code: (res.body as { error?: { code?: string } }).error?.code };
}

const approval = (name: string, node: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  nodes: [{ id: 'review', nodeType: 'approval', name: 'Review', ...node }],
  routes: [],
  ...extra,
});

describe('GET /api/tasks/:id', () => {
  it('shows a waiting task to its holder: the task, its node\'s rules, and what the holder may do', async () => {
    const definitionId = await admin.define(approval('tv-task-read', { approverRole: 'tv-reviewer', slaHours: 10, notStarter: true, managerRole: 'tv-lead' }));
    const starter = h.as('tv-starter', []);
    const rex = h.as('tv-rex', ['tv-reviewer']);
    const id = await starter.start(definitionId, { amount: 12 }, { contextEntityType: 'purchase_order', contextEntityId: 'PO-7' });
    const taskId = await rex.taskFor(id);

    const task = await rex.task(taskId);
    expect(task).toMatchObject({
      taskId,
      instanceId: id,
      workflowName: 'tv-task-read',
      workflowVersion: 1,
      taskName: 'Review',
      nodeId: 'review',
      nodeType: 'approval',
      status: 'waiting',
      instanceStatus: 'running',
      startedBy: 'tv-starter',
      assignedUserId: null,
      assignedRole: 'tv-reviewer',
      claimedAt: null,
      urgencyLevel: 'NORMAL',
      isOverdue: false,
      decision: null,
      decidedBy: null,
      separationOfDuties: { notStarter: true, notDeciderOf: [], distinctDeciders: false },
      actingFor: null,
      contextEntityType: 'purchase_order',
      contextEntityId: 'PO-7',
      contextData: { amount: 12 },
    });
    expect(task.slaDeadline).not.toBeNull();
    expect([...task.allowedActions].sort()).toEqual(['approve', 'claim', 'delegate', 'reject']);

    // the starter sees their request's task, may do nothing with it (notStarter)
    expect((await starter.task(taskId)).allowedActions).toEqual([]);
    // the node's manager sees it and may only reassign it
    expect((await h.as('tv-lee', ['tv-lead']).task(taskId)).allowedActions).toEqual(['reassign']);
  });

  it('answers 404 to whoever may not see the task: a user of the tenant outside it, anyone of another tenant', async () => {
    const definitionId = await admin.define(approval('tv-task-hidden', { approverRole: 'tv-reviewer' }));
    const id = await admin.start(definitionId, {});
    const taskId = await h.as('tv-rex', ['tv-reviewer']).taskFor(id);

    expect(outcome(await h.as('tv-nobody', ['tv-other-role']).get(`/api/tasks/${taskId}`))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(outcome(await h.as('tv-rex', ['tv-reviewer'], TENANT_B).get(`/api/tasks/${taskId}`))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(outcome(await h.as('tv-admin', ['admin'], TENANT_B).get(`/api/tasks/${taskId}`))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(outcome(await admin.get('/api/tasks/not-a-uuid')).status).toBe(400);
  });

  it('shows a decided task as decided, with nothing left to do', async () => {
    const definitionId = await admin.define(approval('tv-task-decided', { approverUserId: 'tv-dora' }));
    const dora = h.as('tv-dora', []);
    const id = await admin.start(definitionId, {});
    const taskId = await dora.taskFor(id);
    await dora.approve(taskId, 'fine');
    await admin.finished(id);

    const task = await dora.task(taskId);
    expect(task).toMatchObject({ status: 'completed', instanceStatus: 'completed', decision: 'approved', decidedBy: 'tv-dora', comments: 'fine', allowedActions: [], urgencyLevel: null });
    expect(task.completedAt).not.toBeNull();
    expect((await admin.task(taskId)).allowedActions).toEqual([]);
  });

  it('shows a user task with its form', async () => {
    const formSchema = { type: 'object', properties: { note: { type: 'string' } }, required: ['note'] };
    const definitionId = await admin.define({
      name: 'tv-task-form',
      nodes: [{ id: 'fill', nodeType: 'user_task', name: 'Fill in', assigneeRole: 'tv-clerk', formSchema }],
      routes: [],
    });
    const id = await admin.start(definitionId, {});
    const clerk = h.as('tv-cleo', ['tv-clerk']);
    const task = await clerk.task(await clerk.taskFor(id));
    expect(task).toMatchObject({ nodeType: 'user_task', formSchema, quorum: null });
    expect([...task.allowedActions].sort()).toEqual(['claim', 'complete', 'delegate']);
  });
});

describe('the operator view GET /api/tasks', () => {
  /** every open task of the tenant, through every page */
  async function all(query: Record<string, string | number>, limit = 500): Promise<{ items: TaskDto[]; pages: number }> {
    const items: TaskDto[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await admin.get('/api/tasks', { ...query, limit, ...(cursor ? { cursor } : {}) });
      if (res.status !== 200) throw new Error(`GET /api/tasks ${JSON.stringify(query)}: ${res.status} ${JSON.stringify(res.body)}`);
      const body = res.body as { items: TaskDto[]; nextCursor: string | null };
      items.push(...body.items);
      cursor = body.nextCursor;
      pages += 1;
      if (pages > 200) throw new Error('paging did not end');
    } while (cursor !== null);
    return { items, pages };
  }

  const ids = (tasks: readonly TaskDto[]) => tasks.map((t) => t.taskId).sort();

  /** name → task id of the tasks seeded below */
  const seeded: Record<string, string> = {};
  let backdated: string;

  beforeAll(async () => {
    const alpha = await admin.define(approval('tv-ops-alpha', { approverRole: 'tv-buyer', slaHours: 1 }));
    const beta = await admin.define(approval('tv-ops-beta', { approverUserId: 'tv-una', slaHours: 3 }));
    const gamma = await admin.define({
      name: 'tv-ops-gamma',
      nodes: [
        { id: 'vote', nodeType: 'approval', name: 'Vote', quorum: { voters: { users: ['tv-vic', 'tv-una'] }, required: 1 }, slaHours: 100 },
      ],
      routes: [],
    });
    const buyer = h.as('tv-bea', ['tv-buyer']);
    const una = h.as('tv-una', []);
    for (const n of [1, 2, 3]) {
      const id = await admin.start(alpha, {}, { contextEntityType: 'order', contextEntityId: `ORD-${n}` });
      seeded[`alpha${n}`] = await buyer.taskFor(id);
    }
    for (const n of [1, 2]) {
      const id = await admin.start(beta, {}, { contextEntityType: 'invoice', contextEntityId: `INV-${n}` });
      seeded[`beta${n}`] = await una.taskFor(id);
    }
    const g = await admin.start(gamma, {}, { contextEntityType: 'order', contextEntityId: 'ORD-1' });
    seeded['gamma'] = await h.as('tv-vic', []).taskFor(g);
    // one alpha task claimed: assigned to its claimer now
    await buyer.act(seeded['alpha3'] as string, 'claim');
    // one task created long ago (the row's creation time is the database's, not the engine clock's)
    backdated = seeded['beta2'] as string;
    await sqlAsOwner(h.db.url, `UPDATE workflow_instance_nodes SET created_at = now() - interval '30 hours' WHERE id = $1`, [backdated]);
    // alpha's one-hour deadlines pass; beta's three hours are then urgent, gamma's hundred normal
    clock.advance(1.5 * HOUR);
  });

  it('is for admins: anyone else is refused 403 ADMIN_REQUIRED, whatever roles they hold', async () => {
    expect(outcome(await h.as('tv-bea', ['tv-buyer']).get('/api/tasks'))).toEqual({ status: 403, code: 'ADMIN_REQUIRED' });
    expect(outcome(await h.as('tv-una', []).get('/api/tasks', { assignee: 'tv-una' }))).toEqual({ status: 403, code: 'ADMIN_REQUIRED' });
  });

  it('shows every open task of the tenant, once, and none of another tenant', async () => {
    const { items } = await all({});
    expect(new Set(ids(items)).size).toBe(items.length);
    expect(ids(items)).toEqual(expect.arrayContaining(Object.values(seeded)));
    const otherTenant = (await h.as('tv-admin-b', ['admin'], TENANT_B).get('/api/tasks', { limit: 500 })).body as { items: TaskDto[] };
    expect(otherTenant.items.filter((t) => Object.values(seeded).includes(t.taskId))).toEqual([]);
  });

  it('pages through with a small limit, visiting every task once, in the order of one big page', async () => {
    const whole = await all({});
    const paged = await all({}, 2);
    expect(paged.pages).toBeGreaterThanOrEqual(Math.ceil(whole.items.length / 2));
    expect(paged.items.map((t) => t.taskId)).toEqual(whole.items.map((t) => t.taskId));
    const filtered = await all({ workflowName: 'tv-ops-alpha' }, 1);
    expect(filtered.items.map((t) => t.taskId).sort()).toEqual([seeded['alpha1'], seeded['alpha2'], seeded['alpha3']].sort());
    expect(filtered.pages).toBeGreaterThanOrEqual(3);
  });

  it('each filter narrows to exactly the tasks that match it', async () => {
    const { items: everything } = await all({});
    const now = clock.now().getTime();
    const holds = (t: TaskDto, user: string) => t.assignedUserId === user || (t.assignedUserId === null && t.candidateUsers.includes(user));
    const cases: [Record<string, string | number>, (t: TaskDto) => boolean, string[]][] = [
      [{ workflowName: 'tv-ops-alpha' }, (t) => t.workflowName === 'tv-ops-alpha', ['alpha1', 'alpha2', 'alpha3']],
      [{ nodeId: 'vote' }, (t) => t.nodeId === 'vote', ['gamma']],
      [{ role: 'tv-buyer' }, (t) => t.assignedRole === 'tv-buyer', ['alpha1', 'alpha2', 'alpha3']],
      [{ assignee: 'tv-una' }, (t) => holds(t, 'tv-una'), ['beta1', 'beta2', 'gamma']],
      [{ assignee: 'tv-bea' }, (t) => holds(t, 'tv-bea'), ['alpha3']],
      [{ urgencyLevel: 'OVERDUE' }, (t) => t.urgencyLevel === 'OVERDUE', ['alpha1', 'alpha2', 'alpha3']],
      [{ urgencyLevel: 'URGENT' }, (t) => t.urgencyLevel === 'URGENT', ['beta1', 'beta2']],
      [{ urgencyLevel: 'NORMAL' }, (t) => t.urgencyLevel === 'NORMAL', ['gamma']],
      [{ overdue: 'true' }, (t) => t.isOverdue, ['alpha1', 'alpha2', 'alpha3']],
      [{ overdue: 'false' }, (t) => !t.isOverdue, ['beta1', 'beta2', 'gamma']],
      [{ contextEntityId: 'ORD-1' }, (t) => t.contextEntityId === 'ORD-1', ['alpha1', 'gamma']],
      [{ contextEntityType: 'invoice' }, (t) => t.contextEntityType === 'invoice', ['beta1', 'beta2']],
      [{ contextEntityType: 'order', contextEntityId: 'ORD-2' }, (t) => t.contextEntityType === 'order' && t.contextEntityId === 'ORD-2', ['alpha2']],
      [{ olderThanHours: 24 }, (t) => now - Date.parse(t.createdAt) >= 24 * HOUR, ['beta2']],
      [{ workflowName: 'tv-ops-alpha', overdue: 'true', role: 'tv-buyer', assignee: 'tv-bea' }, (t) => t.workflowName === 'tv-ops-alpha' && t.isOverdue && holds(t, 'tv-bea'), ['alpha3']],
    ];
    const wrong: string[] = [];
    for (const [query, matches, mine] of cases) {
      const { items } = await all(query);
      const want = ids(everything.filter(matches));
      const got = ids(items);
      const seededGot = Object.entries(seeded).filter(([, taskId]) => got.includes(taskId)).map(([name]) => name).sort();
      if (JSON.stringify(got) !== JSON.stringify(want) || JSON.stringify(seededGot) !== JSON.stringify([...mine].sort())) {
        wrong.push(`${JSON.stringify(query)}: got ${got.length} (${seededGot.join(',')}), want ${want.length} (${[...mine].sort().join(',')})`);
      }
      if (got.length >= everything.length) wrong.push(`${JSON.stringify(query)} did not narrow`);
    }
    expect(wrong).toEqual([]);
    expect(everything.find((t) => t.taskId === backdated)).toBeDefined();
  });

  it('narrows a user\'s own queue (GET /api/tasks/mine) by workflow and business key, paging within the filter', async () => {
    // tv-una holds beta1, beta2 (invoices) and gamma (order ORD-1) in person
    const una = h.as('tv-una', []);
    const mine = async (query: Record<string, string | number>) => {
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await una.get('/api/tasks/mine', { ...query, limit: 1, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        const body = res.body as { items: TaskDto[]; nextCursor: string | null };
        names.push(...body.items.map((t) => Object.entries(seeded).find(([, id]) => id === t.taskId)?.[0] ?? t.taskId));
        cursor = body.nextCursor;
      } while (cursor !== null);
      return names.sort();
    };
    expect(await mine({})).toEqual(['beta1', 'beta2', 'gamma']);
    expect(await mine({ workflowName: 'tv-ops-beta' })).toEqual(['beta1', 'beta2']);
    expect(await mine({ contextEntityId: 'ORD-1' })).toEqual(['gamma']);
    expect(await mine({ contextEntityType: 'invoice', contextEntityId: 'INV-2' })).toEqual(['beta2']);
    // another user's tasks stay out whatever the filter names
    expect(await mine({ workflowName: 'tv-ops-alpha' })).toEqual([]);
    expect((await una.get('/api/tasks/mine', { workflowName: '' })).status).toBe(400);
  });

  it('pages one by one through tasks created together (the same deadline, the same creation time), each once', async () => {
    const branches = ['b1', 'b2', 'b3', 'b4'];
    const fork = (name: string, slaHours?: number) => ({
      name,
      nodes: [
        { id: 'fork', nodeType: 'gateway', name: 'fork', gatewayType: 'parallel' },
        ...branches.map((b) => ({ id: b, nodeType: 'approval', name: b, approverRole: 'tv-brancher', ...(slaHours ? { slaHours } : {}) })),
      ],
      routes: branches.map((b) => ({ fromNodeId: 'fork', toNodeId: b })),
    });
    const brancher = h.as('tv-bran', ['tv-brancher']);
    for (const [name, sla] of [['tv-ops-fork-sla', 8], ['tv-ops-fork-none', undefined]] as const) {
      const id = await admin.start(await admin.define(fork(name, sla)), {});
      await brancher.until(id, (i) => i.nodes.filter((n) => n.status === 'waiting').length === branches.length, 'four waiting branches');
      const expected = (await admin.instance(id)).nodes.filter((n) => n.status === 'waiting').map((n) => n.id).sort();
      const paged = await all({ workflowName: name }, 1);
      expect({ name, ids: paged.items.map((t) => t.taskId).sort() }).toEqual({ name, ids: expected });
      expect(paged.items).toHaveLength(branches.length);
    }
  });

  it('refuses a malformed filter (400)', async () => {
    expect(outcome(await admin.get('/api/tasks', { overdue: 'maybe' })).status).toBe(400);
    expect(outcome(await admin.get('/api/tasks', { urgencyLevel: 'LOW' })).status).toBe(400);
    expect(outcome(await admin.get('/api/tasks', { olderThanHours: '-1' })).status).toBe(400);
    expect(outcome(await admin.get('/api/tasks', { colour: 'red' })).status).toBe(400);
    expect(outcome(await admin.get('/api/tasks', { cursor: 'not-a-cursor' })).status).toBe(400);
  });
});

describe('comments on an instance', () => {
  it('appends to the thread, oldest first, each one a comment_added of the history, whose chain verifies', async () => {
    const definitionId = await admin.define(approval('tv-comments', { approverRole: 'tv-reviewer' }));
    const starter = h.as('tv-cora', []);
    const rex = h.as('tv-rex', ['tv-reviewer']);
    const id = await starter.start(definitionId, {});
    const taskId = await rex.taskFor(id);

    const first = await starter.post(`/api/instances/${id}/comments`, { text: 'Please hurry, the vendor waits.' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ instanceId: id, authorUserId: 'tv-cora', text: 'Please hurry, the vendor waits.' });
    expect(typeof (first.body as CommentDto).id).toBe('string');
    expect(Number.isNaN(Date.parse((first.body as CommentDto).createdAt))).toBe(false);
    const second = await rex.post(`/api/instances/${id}/comments`, { text: 'Which vendor?' });
    expect(second.status).toBe(201);

    const thread = (await rex.get(`/api/instances/${id}/comments`)).body as { items: CommentDto[] };
    expect(thread.items.map((c) => [c.authorUserId, c.text])).toEqual([
      ['tv-cora', 'Please hurry, the vendor waits.'],
      ['tv-rex', 'Which vendor?'],
    ]);
    expect(thread.items.map((c) => c.id)).toEqual([(first.body as CommentDto).id, (second.body as CommentDto).id]);

    const history = await admin.history(id);
    const comments = history.filter((e) => e.eventType === 'comment_added');
    expect(comments.map((e) => [e.actorUserId, e.details['text']])).toEqual([
      ['tv-cora', 'Please hurry, the vendor waits.'],
      ['tv-rex', 'Which vendor?'],
    ]);
    const verify = await admin.get(`/api/instances/${id}/history/verify`);
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ valid: true, checked: history.length, brokenAt: null });

    // a thread outlives the work: still open to comments once the instance is done
    await rex.approve(taskId);
    await admin.finished(id);
    expect((await starter.post(`/api/instances/${id}/comments`, { text: 'Thanks!' })).status).toBe(201);
    expect(((await starter.get(`/api/instances/${id}/comments`)).body as { items: CommentDto[] }).items).toHaveLength(3);
    expect((await admin.get(`/api/instances/${id}/history/verify`)).body).toMatchObject({ valid: true });
  });

  it('is append-only: no comment can be changed or removed', async () => {
    const definitionId = await admin.define(approval('tv-comments-append-only', { approverRole: 'tv-reviewer' }));
    const starter = h.as('tv-cora', []);
    const id = await starter.start(definitionId, {});
    const posted = (await starter.post(`/api/instances/${id}/comments`, { text: 'original' })).body as CommentDto;
    const path = `/api/instances/${id}/comments/${posted.id}`;
    const auth = { Authorization: `Bearer ${starter.token}` };
    const attempts = [
      await h.http().delete(path).set(auth),
      await h.http().put(path).set(auth).send({ text: 'rewritten' }),
      await h.http().patch(path).set(auth).send({ text: 'rewritten' }),
      await h.http().delete(`/api/instances/${id}/comments`).set(auth),
    ];
    expect(attempts.map((r) => r.status)).toEqual([404, 404, 404, 404]);
    const thread = (await starter.get(`/api/instances/${id}/comments`)).body as { items: CommentDto[] };
    expect(thread.items.map((c) => c.text)).toEqual(['original']);
  });

  it('answers 404 to whoever may not see the instance (another tenant, an outsider), and 400 to an empty comment', async () => {
    const definitionId = await admin.define(approval('tv-comments-hidden', { approverRole: 'tv-reviewer' }));
    const id = await admin.start(definitionId, {});
    await h.as('tv-rex', ['tv-reviewer']).taskFor(id);
    for (const user of [h.as('tv-admin', ['admin'], TENANT_B), h.as('tv-rex', ['tv-reviewer'], TENANT_B), h.as('tv-outsider', [])]) {
      expect(outcome(await user.get(`/api/instances/${id}/comments`))).toEqual({ status: 404, code: 'NOT_FOUND' });
      expect(outcome(await user.post(`/api/instances/${id}/comments`, { text: 'let me in' }))).toEqual({ status: 404, code: 'NOT_FOUND' });
    }
    expect(outcome(await admin.post(`/api/instances/${id}/comments`, { text: '   ' })).status).toBe(400);
    expect(outcome(await admin.post(`/api/instances/${id}/comments`, {})).status).toBe(400);
    expect(outcome(await admin.post(`/api/instances/${id}/comments`, { text: 'ok', author: 'someone-else' })).status).toBe(400);
    expect(((await admin.get(`/api/instances/${id}/comments`)).body as { items: CommentDto[] }).items).toEqual([]);
    expect((await admin.history(id)).some((e) => e.eventType === 'comment_added')).toBe(false);
  });
});

describe('GET /api/instances filters', () => {
  async function list(user: UserClient, query: Record<string, string>): Promise<string[]> {
    const res = await user.get('/api/instances', { limit: 500, ...query });
    if (res.status !== 200) throw new Error(`GET /api/instances ${JSON.stringify(query)}: ${res.status} ${JSON.stringify(res.body)}`);
    return (res.body as { items: InstanceDto[] }).items.map((i) => i.id).sort();
  }

  let first: InstanceDto;
  let second: InstanceDto;
  let third: InstanceDto;

  beforeAll(async () => {
    const definitionId = await admin.define(approval('tv-instance-filters', { approverUserId: 'tv-fin' }));
    const ivy = h.as('tv-ivy', []);
    const ian = h.as('tv-ian', []);
    const fin = h.as('tv-fin', []);
    const a = await ivy.start(definitionId, {}, { contextEntityType: 'tv-po', contextEntityId: 'PO-100' });
    const b = await ian.start(definitionId, {}, { contextEntityType: 'tv-po', contextEntityId: 'PO-200' });
    const c = await ivy.start(definitionId, {}, { contextEntityType: 'tv-contract', contextEntityId: 'PO-100' });
    // the first one finishes
    await fin.approve(await fin.taskFor(a));
    first = await admin.finished(a);
    second = await admin.instance(b);
    third = await admin.instance(c);
  });

  it('by business key: contextEntityType and contextEntityId', async () => {
    expect(await list(admin, { contextEntityType: 'tv-po' })).toEqual([first.id, second.id].sort());
    expect(await list(admin, { contextEntityId: 'PO-100' })).toEqual([first.id, third.id].sort());
    expect(await list(admin, { contextEntityType: 'tv-po', contextEntityId: 'PO-100' })).toEqual([first.id]);
    expect(await list(admin, { contextEntityType: 'tv-po', contextEntityId: 'PO-999' })).toEqual([]);
  });

  it('by starter, for an admin and within what a user may see', async () => {
    expect(await list(admin, { startedBy: 'tv-ivy' })).toEqual([first.id, third.id].sort());
    expect(await list(admin, { startedBy: 'tv-ian', contextEntityType: 'tv-po' })).toEqual([second.id]);
    // ivy sees her own; ian's is not hers to see, filter or not
    expect(await list(h.as('tv-ivy', []), { startedBy: 'tv-ivy' })).toEqual([first.id, third.id].sort());
    expect(await list(h.as('tv-ivy', []), { startedBy: 'tv-ian' })).toEqual([]);
  });

  it('by start time: from inclusive, to exclusive', async () => {
    const mine = { startedBy: 'tv-ivy' };
    expect(await list(admin, { ...mine, startedFrom: third.startedAt })).toEqual([third.id]);
    expect(await list(admin, { ...mine, startedTo: third.startedAt })).toEqual([first.id]);
    expect(await list(admin, { ...mine, startedFrom: first.startedAt, startedTo: new Date(Date.parse(third.startedAt) + 1).toISOString() })).toEqual([first.id, third.id].sort());
    expect(await list(admin, { contextEntityType: 'tv-po', startedFrom: first.startedAt, startedTo: second.startedAt })).toEqual([first.id]);
  });

  it('by end time: only instances that ended in the range', async () => {
    const completedAt = first.completedAt as string;
    expect(completedAt).not.toBeNull();
    const key = { contextEntityId: 'PO-100' };
    expect(await list(admin, { ...key, completedFrom: completedAt })).toEqual([first.id]);
    expect(await list(admin, { contextEntityType: 'tv-po', completedTo: new Date(Date.parse(completedAt) + 1).toISOString() })).toEqual([first.id]);
    expect(await list(admin, { ...key, completedFrom: new Date(Date.parse(completedAt) + 1).toISOString() })).toEqual([]);
  });

  it('refuses a range that ends before it starts, and a malformed time (400)', async () => {
    expect((await admin.get('/api/instances', { startedFrom: '2026-02-01T00:00:00Z', startedTo: '2026-01-01T00:00:00Z' })).status).toBe(400);
    expect((await admin.get('/api/instances', { completedFrom: '2026-02-01', completedTo: '2026-02-01' })).status).toBe(400);
    expect((await admin.get('/api/instances', { startedFrom: 'yesterday' })).status).toBe(400);
  });
});
