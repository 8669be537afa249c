/**
 * Deputies while away, through the real API (issue 16): a user (or an admin for them) declares a
 * deputy for a window, optionally for some workflows or roles; inside it, the tasks assigned to
 * the absent user in person (their approver id, a delegation, a quorum's list) are in the deputy's
 * queue too, and a deputy's decision is on record as the deputy's, on behalf of the absent user.
 * Separation of duties binds the deputy; chains are followed a few hops, never round a loop;
 * windows that overlap or end before they start are refused with a 400 that says so.
 *
 * Windows are absolute times, set around the engine's clock (an OffsetClock the last tests move on).
 */
import type { Response } from 'supertest';
import type { DeputyDto, TaskDto } from '@wf/runtime';
import { OffsetClock } from '@wf/runtime/testing';
import { TENANT_B, createHarness, type Harness } from '../../testing/engine-harness';
import type { UserClient } from '../../testing/user-client';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let h: Harness;
let admin: UserClient;
const clock = new OffsetClock();
/** definition ids by workflow name */
const defs: Record<string, string> = {};

/** One approval of whoever `context.approver` names, with the node's rules. */
const byContext = (name: string, node: Record<string, unknown> = {}) => ({
  name,
  nodes: [{ id: 'review', nodeType: 'approval', name: 'Review', approverExpression: 'context.approver', ...node }],
  routes: [],
});

beforeAll(async () => {
  h = await createHarness({ clock });
  admin = h.as('dep-admin', ['admin']);
  defs['dep-main'] = await admin.define(byContext('dep-main', { notStarter: true }));
  defs['dep-other'] = await admin.define(byContext('dep-other'));
  defs['dep-role'] = await admin.define({
    name: 'dep-role',
    nodes: [{ id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'dep-manager' }],
    routes: [],
  });
  defs['dep-distinct'] = await admin.define({
    name: 'dep-distinct',
    distinctDeciders: true,
    nodes: [
      { id: 'first', nodeType: 'approval', name: 'First', approverExpression: 'context.first' },
      { id: 'second', nodeType: 'approval', name: 'Second', approverExpression: 'context.second' },
    ],
    routes: [{ fromNodeId: 'first', toNodeId: 'second' }],
  });
  defs['dep-quorum'] = await admin.define({
    name: 'dep-quorum',
    nodes: [{ id: 'vote', nodeType: 'approval', name: 'Vote', quorum: { voters: { expression: 'context.voters' }, required: 'all' } }],
    routes: [],
  });
});

afterAll(async () => {
  await h.close();
});

function outcome(res: Response): { status: number; code: string | undefined } {
  return { status: res.status, code: (res.body as { error?: { code?: string } }).error?.code };
}

/** An instant `ms` from the engine's now. */
const at = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();

interface WindowFields {
  readonly userId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly workflows?: string[];
  readonly roles?: string[];
}

/** The body of a window that started a minute ago and lasts a week, unless said otherwise. */
const windowBody = (deputyUserId: string, w: WindowFields = {}) => ({
  ...(w.userId !== undefined ? { userId: w.userId } : {}),
  deputyUserId,
  startsAt: at(w.from ?? -MINUTE),
  endsAt: at(w.to ?? 7 * DAY),
  ...(w.workflows ? { workflows: w.workflows } : {}),
  ...(w.roles ? { roles: w.roles } : {}),
});

/** `by` declares the window (201); the window. */
async function away(by: UserClient, deputyUserId: string, w: WindowFields = {}): Promise<DeputyDto> {
  const res = await by.post('/api/deputies', windowBody(deputyUserId, w));
  if (res.status !== 201) throw new Error(`POST /api/deputies as ${by.user}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as DeputyDto;
}

/** An instance of `workflow` whose approver is `approver`, started by `starter` (the admin by default). */
async function requestFor(workflow: string, approver: string, starter: UserClient = admin): Promise<string> {
  const id = await starter.start(defs[workflow] as string, { approver });
  // the approver's queue has it once the step parked it
  await h.as(approver, []).taskFor(id);
  return id;
}

async function queued(user: UserClient, instanceId: string): Promise<TaskDto[]> {
  return (await user.tasks()).filter((t) => t.instanceId === instanceId);
}

describe('declaring a window', () => {
  it('for oneself: 201 with the window; listed for the absent user, the deputy and an admin, no one else', async () => {
    const alice = h.as('dl-alice', []);
    const before = clock.now().getTime();
    const res = await alice.post('/api/deputies', windowBody('dl-bob', { workflows: ['dep-main'], roles: ['dep-manager'] }));
    expect(res.status).toBe(201);
    const window = res.body as DeputyDto;
    expect(window).toMatchObject({ userId: 'dl-alice', deputyUserId: 'dl-bob', workflows: ['dep-main'], roles: ['dep-manager'], createdBy: 'dl-alice', active: true });
    expect(Date.parse(window.startsAt)).toBeLessThan(before);
    expect(res.headers['location']).toBe(`/api/deputies/${window.id}`);

    const listed = async (user: UserClient) => ((await user.get('/api/deputies')).body as { items: DeputyDto[] }).items.map((w) => w.id);
    expect(await listed(alice)).toContain(window.id);
    expect(await listed(h.as('dl-bob', []))).toContain(window.id);
    expect(await listed(admin)).toContain(window.id);
    expect(await listed(h.as('dl-carol', []))).not.toContain(window.id);
    expect(await listed(h.as('dep-admin', ['admin'], TENANT_B))).not.toContain(window.id);
  });

  it('for someone else: an admin may (on record as the admin\'s), anyone else is refused 400 NOT_YOUR_ABSENCE', async () => {
    const made = await away(admin, 'ds-bob', { userId: 'ds-alice' });
    expect(made).toMatchObject({ userId: 'ds-alice', deputyUserId: 'ds-bob', createdBy: 'dep-admin' });

    const mallory = h.as('ds-mallory', ['dep-manager']);
    const res = await mallory.post('/api/deputies', windowBody('ds-mallory', { userId: 'ds-carol' }));
    expect(outcome(res)).toEqual({ status: 400, code: 'NOT_YOUR_ABSENCE' });
    expect(((await admin.get('/api/deputies')).body as { items: DeputyDto[] }).items.filter((w) => w.userId === 'ds-carol')).toEqual([]);
  });

  it('refuses a window that ends before it starts, or as it starts: 400 DEPUTY_WINDOW_INVERTED, naming endsAt', async () => {
    const alice = h.as('di-alice', []);
    for (const [from, to] of [[2 * HOUR, HOUR], [HOUR, HOUR]]) {
      const res = await alice.post('/api/deputies', windowBody('di-bob', { from, to }));
      expect(outcome(res)).toEqual({ status: 400, code: 'DEPUTY_WINDOW_INVERTED' });
      expect(res.body.error.message).toMatch(/endsAt/);
      // details lists the problems, as every 400 of the API does
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'endsAt' })]);
    }
    expect(((await alice.get('/api/deputies')).body as { items: DeputyDto[] }).items).toEqual([]);
  });

  it('refuses a window that overlaps one of the same user\'s (400 DEPUTY_WINDOW_OVERLAP), whoever the deputy; touching is fine', async () => {
    const alice = h.as('do-alice', []);
    const first = await away(alice, 'do-bob', { from: HOUR, to: 3 * HOUR });
    for (const [from, to, deputy] of [[2 * HOUR, 4 * HOUR, 'do-carol'], [0, 2 * HOUR, 'do-bob'], [90 * MINUTE, 100 * MINUTE, 'do-dan'], [0, 4 * HOUR, 'do-carol']] as const) {
      const res = await alice.post('/api/deputies', windowBody(deputy, { from, to }));
      expect(outcome(res)).toEqual({ status: 400, code: 'DEPUTY_WINDOW_OVERLAP' });
      expect(res.body.error.message).toMatch(/overlap/);
      // it names the window it overlaps
      expect(res.body.error.message).toContain(first.id);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'startsAt' })]);
    }
    // an admin declaring it for her is refused the same way
    expect(outcome(await admin.post('/api/deputies', windowBody('do-carol', { userId: 'do-alice', from: 2 * HOUR, to: 4 * HOUR })))).toEqual({ status: 400, code: 'DEPUTY_WINDOW_OVERLAP' });
    // windows that meet end to start do not overlap; and one deputy may cover several absent users at once
    await away(alice, 'do-carol', { from: 3 * HOUR, to: 5 * HOUR });
    await away(h.as('do-erin', []), 'do-bob', { from: HOUR, to: 3 * HOUR });
    expect(((await alice.get('/api/deputies')).body as { items: DeputyDto[] }).items.filter((w) => w.userId === 'do-alice')).toHaveLength(2);
  });

  it('two overlapping windows declared at once: one is stored, the other refused', async () => {
    const alice = h.as('dcc-alice', []);
    const answers = await Promise.all(['dcc-bob', 'dcc-carol'].map((d) => alice.post('/api/deputies', windowBody(d))));
    expect(answers.map(outcome).sort((a, b) => a.status - b.status)).toEqual([{ status: 201, code: undefined }, { status: 400, code: 'DEPUTY_WINDOW_OVERLAP' }]);
    expect(((await alice.get('/api/deputies')).body as { items: DeputyDto[] }).items).toHaveLength(1);
  });

  it('refuses oneself as deputy, a window already over, and a body that is not a window (400)', async () => {
    const alice = h.as('dx-alice', []);
    expect(outcome(await alice.post('/api/deputies', windowBody('dx-alice')))).toEqual({ status: 400, code: 'DEPUTY_IS_SELF' });
    expect(outcome(await alice.post('/api/deputies', windowBody('dx-bob', { from: -2 * HOUR, to: -HOUR })))).toEqual({ status: 400, code: 'DEPUTY_WINDOW_PAST' });
    expect(outcome(await alice.post('/api/deputies', { deputyUserId: 'dx-bob', startsAt: 'soon', endsAt: at(HOUR) })).status).toBe(400);
    expect(outcome(await alice.post('/api/deputies', { deputyUserId: 'dx-bob', startsAt: at(0) })).status).toBe(400);
    expect(((await alice.get('/api/deputies')).body as { items: DeputyDto[] }).items).toEqual([]);
  });
});

describe('inside the window', () => {
  it('the absent user\'s task is in the deputy\'s queue too; the deputy\'s decision is on record as theirs, on behalf of the absent user', async () => {
    const bob = h.as('dw-bob', []);
    const alice = h.as('dw-alice', []);
    await away(alice, 'dw-bob');
    const id = await requestFor('dep-main', 'dw-alice');
    const [mine] = await queued(alice, id);
    expect(mine).toMatchObject({ assignedUserId: 'dw-alice', onBehalfOf: null });
    const [theirs] = await queued(bob, id);
    expect(theirs).toMatchObject({ taskId: mine?.taskId, assignedUserId: 'dw-alice', onBehalfOf: 'dw-alice' });
    const taskId = theirs?.taskId as string;

    const asDeputy = await bob.task(taskId);
    expect(asDeputy.actingFor).toBe('dw-alice');
    expect(asDeputy.allowedActions).toEqual(expect.arrayContaining(['approve', 'reject']));
    expect(asDeputy.allowedActions).not.toContain('claim');

    await bob.approve(taskId, 'covering for Alice');
    const history = await admin.history(id);
    expect(history.find((e) => e.eventType === 'task_approved')).toMatchObject({
      actorUserId: 'dw-bob',
      nodeExecutionId: taskId,
      details: { onBehalfOf: 'dw-alice', comments: 'covering for Alice' },
    });
    expect(await admin.task(taskId)).toMatchObject({ decision: 'approved', decidedBy: 'dw-bob', onBehalfOf: 'dw-alice' });
    expect((await admin.get(`/api/instances/${id}/history/verify`)).body).toMatchObject({ valid: true });
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('covers a task delegated to the absent user, not one they hold only through a role', async () => {
    const bob = h.as('dg-bob', []);
    const alice = h.as('dg-alice', ['dep-manager']);
    await away(alice, 'dg-bob');
    const roleOnly = await admin.start(defs['dep-role'] as string, {});
    const roleTask = await alice.taskFor(roleOnly);
    expect(await queued(bob, roleOnly)).toEqual([]);
    expect(outcome(await bob.post(`/api/tasks/${roleTask}/approve`, {})).status).toBe(404);

    const delegated = await admin.start(defs['dep-role'] as string, {});
    const delegatedTask = await alice.taskFor(delegated);
    await admin.act(delegatedTask, 'delegate', { toUserId: 'dg-alice' });
    expect((await queued(bob, delegated)).map((t) => [t.taskId, t.onBehalfOf])).toEqual([[delegatedTask, 'dg-alice']]);
    await bob.approve(delegatedTask);
    expect((await admin.history(delegated)).find((e) => e.eventType === 'task_approved')).toMatchObject({ actorUserId: 'dg-bob', details: { onBehalfOf: 'dg-alice' } });
  });

  it('binds the deputy by separation of duties: never their own request (403 SEPARATION_OF_DUTIES), recorded', async () => {
    const bob = h.as('dd-bob', []);
    await away(h.as('dd-alice', []), 'dd-bob');
    // bob asks; alice approves; alice is away and bob is her deputy
    const id = await requestFor('dep-main', 'dd-alice', bob);
    const taskId = await h.as('dd-alice', []).taskFor(id);
    expect(await queued(bob, id)).toEqual([]);

    const res = await bob.post(`/api/tasks/${taskId}/approve`, {});
    expect(outcome(res)).toEqual({ status: 403, code: 'SEPARATION_OF_DUTIES' });
    expect(res.body.error.details).toMatchObject({ rule: 'notStarter', userId: 'dd-bob' });
    expect((await admin.history(id)).find((e) => e.eventType === 'decision_refused')).toMatchObject({
      actorUserId: 'dd-bob',
      details: { rule: 'notStarter', action: 'approve', onBehalfOf: 'dd-alice' },
    });
    expect(await admin.task(taskId)).toMatchObject({ status: 'waiting', decidedBy: null });
    expect((await bob.get(`/api/tasks/${taskId}`)).body.allowedActions ?? []).not.toContain('approve');
  });

  it('binds the deputy by distinctDeciders: who decided one step does not decide the next on someone\'s behalf', async () => {
    const bob = h.as('dz-bob', []);
    await away(h.as('dz-alice', []), 'dz-bob');
    const id = await admin.start(defs['dep-distinct'] as string, { first: 'dz-bob', second: 'dz-alice' });
    await bob.approve(await bob.taskFor(id));
    const second = await h.as('dz-alice', []).taskFor(id);
    expect(await queued(bob, id)).toEqual([]);
    const res = await bob.post(`/api/tasks/${second}/approve`, {});
    expect(outcome(res)).toEqual({ status: 403, code: 'SEPARATION_OF_DUTIES' });
    expect(res.body.error.details).toMatchObject({ rule: 'distinctDeciders', userId: 'dz-bob' });
  });

  it('a window for some workflows covers those only: another workflow\'s task is not in the queue, and not the deputy\'s to decide', async () => {
    const bob = h.as('df-bob', []);
    await away(h.as('df-alice', []), 'df-bob', { workflows: ['dep-other'] });
    const outside = await requestFor('dep-main', 'df-alice');
    const inside = await requestFor('dep-other', 'df-alice');
    expect(await queued(bob, outside)).toEqual([]);
    expect((await queued(bob, inside)).map((t) => t.onBehalfOf)).toEqual(['df-alice']);

    const outsideTask = await h.as('df-alice', []).taskFor(outside);
    expect(outcome(await bob.post(`/api/tasks/${outsideTask}/approve`, {})).status).toBe(404);
    expect(await admin.task(outsideTask)).toMatchObject({ status: 'waiting' });
    await bob.approve(await bob.taskFor(inside));
  });

  it('a window for some roles covers the absent user\'s tasks of those roles only', async () => {
    const bob = h.as('dr-bob', []);
    const carl = h.as('dr-carl', []);
    await away(h.as('dr-alice', []), 'dr-bob', { roles: ['dep-manager'] });
    await away(h.as('dr-anna', []), 'dr-carl', { roles: ['finance'] });
    const forAlice = await admin.start(defs['dep-role'] as string, {});
    const forAnna = await admin.start(defs['dep-role'] as string, {});
    const manager = h.as('dr-mo', ['dep-manager']);
    await admin.act(await manager.taskFor(forAlice), 'delegate', { toUserId: 'dr-alice' });
    await admin.act(await manager.taskFor(forAnna), 'delegate', { toUserId: 'dr-anna' });
    expect((await queued(bob, forAlice)).map((t) => t.onBehalfOf)).toEqual(['dr-alice']);
    expect(await queued(carl, forAnna)).toEqual([]);
    // an approval of a user in person has no role: a role-limited window does not cover it
    const inPerson = await requestFor('dep-other', 'dr-alice');
    expect(await queued(bob, inPerson)).toEqual([]);
  });

  it('a deputy votes on a quorum for the absent voter, once for both of them', async () => {
    const bob = h.as('dq-bob', []);
    const alice = h.as('dq-alice', []);
    const carol = h.as('dq-carol', []);
    await away(alice, 'dq-bob');
    const id = await admin.start(defs['dep-quorum'] as string, { voters: ['dq-alice', 'dq-carol'] });
    const taskId = await carol.taskFor(id);
    expect((await queued(bob, id)).map((t) => t.onBehalfOf)).toEqual(['dq-alice']);

    const vote = await bob.approve(taskId);
    expect(vote).toMatchObject({ status: 'waiting', vote: { approvals: 1, required: 2, outcome: null } });
    expect((await admin.history(id)).find((e) => e.eventType === 'task_voted')).toMatchObject({ actorUserId: 'dq-bob', details: { onBehalfOf: 'dq-alice', decision: 'approved' } });
    expect(outcome(await alice.post(`/api/tasks/${taskId}/approve`, {}))).toEqual({ status: 409, code: 'ALREADY_VOTED' });
    expect(outcome(await bob.post(`/api/tasks/${taskId}/approve`, {}))).toEqual({ status: 409, code: 'ALREADY_VOTED' });
    expect((await alice.task(taskId)).allowedActions).toEqual([]);
    // Alice's vote is cast (by her deputy): the task is in neither queue any more
    expect({ alice: await queued(alice, id), bob: await queued(bob, id) }).toEqual({ alice: [], bob: [] });
    await carol.approve(taskId);
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('a task the absent user claimed: what GET lists for the deputy is what the deputy may do', async () => {
    const BODIES: Record<string, object> = { approve: {}, reject: { comments: 'no' }, delegate: { toUserId: 'dk-dee' }, claim: {}, release: {}, reassign: { toUserId: 'dk-dee' } };
    const alice = h.as('dk-alice', ['dep-manager']);
    const bob = h.as('dk-bob', []);
    await away(alice, 'dk-bob');
    const mismatches: string[] = [];
    for (const [action, body] of Object.entries(BODIES)) {
      const id = await admin.start(defs['dep-role'] as string, {});
      const taskId = await alice.taskFor(id);
      await alice.act(taskId, 'claim');
      const listed = (await bob.task(taskId)).allowedActions as string[];
      const res = await bob.post(`/api/tasks/${taskId}/${action}`, body);
      if (listed.includes(action) !== (res.status === 200)) mismatches.push(`${action}: ${listed.includes(action) ? 'listed' : 'not listed'}, answered ${res.status}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('does not carry into another tenant: the same names there change nothing here', async () => {
    const bobA = h.as('dt-bob', []);
    const inB = await away(h.as('dt-alice', [], TENANT_B), 'dt-bob');
    const id = await requestFor('dep-other', 'dt-alice');
    expect(await queued(bobA, id)).toEqual([]);
    expect(((await admin.get('/api/deputies')).body as { items: DeputyDto[] }).items.map((w) => w.id)).not.toContain(inB.id);
    const del = await h.http().delete(`/api/deputies/${inB.id}`).set('Authorization', `Bearer ${admin.token}`);
    expect(del.status).toBe(404);
  });
});

describe('chains and loops', () => {
  it('follows a chain: Alice away with Bob, Bob away with Carol: Carol sees and decides Alice\'s task, for Alice', async () => {
    const carol = h.as('dc-carol', []);
    await away(h.as('dc-alice', []), 'dc-bob');
    await away(h.as('dc-bob', []), 'dc-carol');
    const forAlice = await requestFor('dep-other', 'dc-alice');
    const forBob = await requestFor('dep-other', 'dc-bob');
    expect((await queued(carol, forAlice)).map((t) => t.onBehalfOf)).toEqual(['dc-alice']);
    expect((await queued(carol, forBob)).map((t) => t.onBehalfOf)).toEqual(['dc-bob']);
    // Bob, away himself, still stands in for Alice
    expect((await queued(h.as('dc-bob', []), forAlice)).map((t) => t.onBehalfOf)).toEqual(['dc-alice']);

    const taskId = (await queued(carol, forAlice))[0]?.taskId as string;
    expect((await carol.task(taskId)).actingFor).toBe('dc-alice');
    await carol.approve(taskId);
    expect((await admin.history(forAlice)).find((e) => e.eventType === 'task_approved')).toMatchObject({ actorUserId: 'dc-carol', details: { onBehalfOf: 'dc-alice' } });
  });

  it('a chain covers what every window in it covers', async () => {
    await away(h.as('dcn-alice', []), 'dcn-bob', { workflows: ['dep-other'] });
    await away(h.as('dcn-bob', []), 'dcn-carol');
    const inside = await requestFor('dep-other', 'dcn-alice');
    const outside = await requestFor('dep-main', 'dcn-alice');
    const carol = h.as('dcn-carol', []);
    expect((await queued(carol, inside)).map((t) => t.onBehalfOf)).toEqual(['dcn-alice']);
    expect(await queued(carol, outside)).toEqual([]);
  });

  it('follows a chain a few hops only', async () => {
    const people = Array.from({ length: 10 }, (_, i) => `dh-${i}`);
    for (let i = 0; i + 1 < people.length; i++) await away(h.as(people[i] as string, []), people[i + 1] as string);
    const id = await requestFor('dep-other', 'dh-0');
    expect((await queued(h.as('dh-2', []), id)).map((t) => t.onBehalfOf)).toEqual(['dh-0']);
    expect(await queued(h.as('dh-9', []), id)).toEqual([]);
    const taskId = await h.as('dh-0', []).taskFor(id);
    expect(outcome(await h.as('dh-9', []).post(`/api/tasks/${taskId}/approve`, {})).status).toBe(404);
  });

  it('ends a loop: Alice and Bob deputies of each other each see the other\'s task once, and their own as their own', async () => {
    const alice = h.as('dp-alice', []);
    const bob = h.as('dp-bob', []);
    await away(alice, 'dp-bob');
    await away(bob, 'dp-alice');
    const forAlice = await requestFor('dep-other', 'dp-alice');
    const forBob = await requestFor('dep-other', 'dp-bob');
    const started = Date.now();
    for (const [user, own, other, otherUser] of [[alice, forAlice, forBob, 'dp-bob'], [bob, forBob, forAlice, 'dp-alice']] as const) {
      expect((await queued(user, own)).map((t) => t.onBehalfOf)).toEqual([null]);
      expect((await queued(user, other)).map((t) => t.onBehalfOf)).toEqual([otherUser]);
      const taskId = (await queued(user, own))[0]?.taskId as string;
      expect((await user.task(taskId)).actingFor).toBeNull();
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    // Bob decides his own task as himself, not on anyone's behalf
    await bob.approve((await queued(bob, forBob))[0]?.taskId as string);
    const approved = (await admin.history(forBob)).find((e) => e.eventType === 'task_approved');
    expect(approved?.actorUserId).toBe('dp-bob');
    expect(approved?.details['onBehalfOf']).toBeUndefined();
  });
});

describe('removing a window', () => {
  it('DELETE removes it (204): the task leaves the deputy\'s queue and is no longer theirs to decide', async () => {
    const alice = h.as('dx2-alice', []);
    const bob = h.as('dx2-bob', []);
    const window = await away(alice, 'dx2-bob');
    const id = await requestFor('dep-other', 'dx2-alice');
    const taskId = await bob.taskFor(id);
    const del = (user: UserClient) => h.http().delete(`/api/deputies/${window.id}`).set('Authorization', `Bearer ${user.token}`);

    expect((await del(h.as('dx2-mallory', []))).status).toBe(404);
    expect((await queued(bob, id))).toHaveLength(1);
    expect((await del(alice)).status).toBe(204);
    expect(await queued(bob, id)).toEqual([]);
    expect(outcome(await bob.post(`/api/tasks/${taskId}/approve`, {})).status).toBe(404);
    expect(((await alice.get('/api/deputies')).body as { items: DeputyDto[] }).items).toEqual([]);
    expect((await del(alice)).status).toBe(404);
    // she may declare a new one for the same time now
    await away(alice, 'dx2-carol');
    expect((await queued(h.as('dx2-carol', []), id)).map((t) => t.onBehalfOf)).toEqual(['dx2-alice']);
  });
});

describe('time', () => {
  it('a window in the future is not active yet; once its start passes it is, and once its end passes it is not', async () => {
    const alice = h.as('dn-alice', []);
    const bob = h.as('dn-bob', []);
    const window = await away(alice, 'dn-bob', { from: 2 * HOUR, to: 5 * HOUR });
    expect(window.active).toBe(false);
    const id = await requestFor('dep-other', 'dn-alice');
    const taskId = await alice.taskFor(id);
    expect(await queued(bob, id)).toEqual([]);
    expect(outcome(await bob.post(`/api/tasks/${taskId}/approve`, {})).status).toBe(404);

    clock.advance(3 * HOUR);
    expect(((await alice.get('/api/deputies')).body as { items: DeputyDto[] }).items.find((w) => w.id === window.id)?.active).toBe(true);
    expect((await queued(bob, id)).map((t) => t.onBehalfOf)).toEqual(['dn-alice']);

    clock.advance(3 * HOUR);
    expect(((await alice.get('/api/deputies')).body as { items: DeputyDto[] }).items.find((w) => w.id === window.id)?.active).toBe(false);
    expect(await queued(bob, id)).toEqual([]);
    expect(outcome(await bob.post(`/api/tasks/${taskId}/approve`, {})).status).toBe(404);
    expect(await admin.task(taskId)).toMatchObject({ status: 'waiting' });
  });
});
