/**
 * Claim, release and reassign through the real API (issue 16): a role task becomes the claimer's
 * and leaves the others' queues; release gives it back to the role; an admin or a holder of the
 * node's managerRole reassigns it. Side doors: a claim by a user separation of duties excludes, a
 * claim of a user-assigned task, a release by someone who did not claim, a reassign by someone
 * without the managerRole; and `allowedActions` of GET /api/tasks/:id agree with what each user
 * may actually do.
 */
import type { Response } from 'supertest';
import type { TaskDetailDto, TaskDto } from '@wf/runtime';
import { createHarness, type Harness } from '../../testing/engine-harness';
import type { UserClient } from '../../testing/user-client';

let h: Harness;
let admin: UserClient;

beforeAll(async () => {
  h = await createHarness();
  admin = h.as('car-admin', ['admin']);
});

afterAll(async () => {
  await h.close();
});

/** One approval of the role `clerk`, reassignable by `supervisor`. */
const roleReview = (name: string, node: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  name,
  nodes: [{ id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'clerk', managerRole: 'supervisor', ...node }],
  routes: [],
  ...extra,
});

/** The status and error code of a refused answer, side by side so a failure names both. */
function outcome(res: Response): { status: number; code: string | undefined } {
  return { status: res.status, code: (res.body as { error?: { code?: string } }).error?.code };
}

async function inQueue(user: UserClient, taskId: string): Promise<boolean> {
  return (await user.tasks()).some((t) => t.taskId === taskId);
}

describe('claim', () => {
  it('makes a role task the claimer\'s: it leaves the other holders\' queues and is recorded', async () => {
    const definitionId = await admin.define(roleReview('car-claim'));
    const cleo = h.as('cleo-clerk', ['clerk']);
    const carl = h.as('carl-clerk', ['clerk']);
    const id = await admin.start(definitionId, {});
    const task = await cleo.taskFor(id);
    expect(await inQueue(carl, task)).toBe(true);

    const claimed = await cleo.act<TaskDto>(task, 'claim', { comments: 'mine' });
    expect(claimed).toMatchObject({ taskId: task, assignedUserId: 'cleo-clerk', assignedRole: 'clerk' });
    expect(claimed.claimedAt).not.toBeNull();

    expect(await inQueue(cleo, task)).toBe(true);
    expect(await inQueue(carl, task)).toBe(false);
    const detail = await cleo.task(task);
    expect(detail).toMatchObject({ assignedUserId: 'cleo-clerk', status: 'waiting' });
    expect(detail.claimedAt).not.toBeNull();

    const history = await admin.history(id);
    expect(history.find((e) => e.eventType === 'task_claimed')).toMatchObject({
      actorUserId: 'cleo-clerk',
      nodeExecutionId: task,
      details: { nodeId: 'review', role: 'clerk', comments: 'mine' },
    });

    // the other clerk no longer holds it: approving it is refused and nothing changes
    const stolen = await carl.post(`/api/tasks/${task}/approve`, {});
    expect(stolen.status).toBeGreaterThanOrEqual(403);
    expect(stolen.status).toBeLessThanOrEqual(404);
    expect((await admin.task(task)).status).toBe('waiting');

    await cleo.approve(task);
    expect((await admin.finished(id)).status).toBe('completed');
    expect((await admin.history(id)).find((e) => e.eventType === 'task_approved')?.actorUserId).toBe('cleo-clerk');
  });

  it('refuses a claim of a task assigned to a user (409 NOT_CLAIMABLE), and a second claim of a claimed one', async () => {
    const definitionId = await admin.define({
      name: 'car-not-claimable',
      nodes: [{ id: 'review', nodeType: 'approval', name: 'Review', approverUserId: 'uma-user' }],
      routes: [],
    });
    const uma = h.as('uma-user', []);
    const id = await admin.start(definitionId, {});
    const task = await uma.taskFor(id);
    expect(outcome(await uma.post(`/api/tasks/${task}/claim`, {}))).toEqual({ status: 409, code: 'NOT_CLAIMABLE' });
    expect(outcome(await admin.post(`/api/tasks/${task}/claim`, {}))).toEqual({ status: 409, code: 'NOT_CLAIMABLE' });
    expect((await admin.task(task))).toMatchObject({ assignedUserId: 'uma-user', claimedAt: null });

    const roleDef = await admin.define(roleReview('car-claim-twice'));
    const cleo = h.as('cleo-clerk', ['clerk']);
    const roleId = await admin.start(roleDef, {});
    const roleTask = await cleo.taskFor(roleId);
    await cleo.act(roleTask, 'claim');
    expect(outcome(await cleo.post(`/api/tasks/${roleTask}/claim`, {}))).toEqual({ status: 409, code: 'NOT_CLAIMABLE' });
    expect((await admin.history(roleId)).filter((e) => e.eventType === 'task_claimed')).toHaveLength(1);
  });

  it('refuses a claim by a user separation of duties excludes (403 SEPARATION_OF_DUTIES), and records it', async () => {
    const definitionId = await admin.define(roleReview('car-claim-sod', { notStarter: true }));
    const sam = h.as('sam-clerk', ['clerk']);
    const id = await sam.start(definitionId, {});
    const task = await h.as('cleo-clerk', ['clerk']).taskFor(id);
    expect(await inQueue(sam, task)).toBe(false);

    const res = await sam.post(`/api/tasks/${task}/claim`, {});
    expect(outcome(res)).toEqual({ status: 403, code: 'SEPARATION_OF_DUTIES' });
    expect(res.body.error.details).toMatchObject({ rule: 'notStarter', userId: 'sam-clerk', taskId: task, nodeId: 'review' });
    const detail = await admin.task(task);
    expect(detail).toMatchObject({ assignedUserId: null, claimedAt: null, status: 'waiting' });
    const history = await admin.history(id);
    expect(history.some((e) => e.eventType === 'task_claimed')).toBe(false);
    expect(history.find((e) => e.eventType === 'decision_refused')).toMatchObject({ actorUserId: 'sam-clerk', details: { rule: 'notStarter', action: 'claim' } });
  });

  it('does not let a user separation of duties excludes hand the task to someone of their choosing (delegate)', async () => {
    const definitionId = await admin.define(roleReview('car-delegate-sod', { notStarter: true }));
    const sam = h.as('sam-clerk', ['clerk']);
    const id = await sam.start(definitionId, {});
    const task = await h.as('cleo-clerk', ['clerk']).taskFor(id);
    // the task is hidden from the starter's queue: they may not decide it, nor pick who does
    expect((await sam.task(task)).allowedActions).toEqual([]);
    expect((await sam.post(`/api/tasks/${task}/delegate`, { toUserId: 'pal-of-sam' })).status).toBe(403);
    expect(await admin.task(task)).toMatchObject({ assignedUserId: null, assignedRole: 'clerk' });
    expect((await admin.history(id)).some((e) => e.eventType === 'task_delegated')).toBe(false);
  });
});

describe('release', () => {
  it('gives a claimed task back to its role: back in every holder\'s queue, recorded; a second release is 409 NOT_CLAIMED', async () => {
    const definitionId = await admin.define(roleReview('car-release'));
    const cleo = h.as('cleo-clerk', ['clerk']);
    const carl = h.as('carl-clerk', ['clerk']);
    const id = await admin.start(definitionId, {});
    const task = await cleo.taskFor(id);
    await cleo.act(task, 'claim');
    expect(await inQueue(carl, task)).toBe(false);

    const released = await cleo.act<TaskDto>(task, 'release', { comments: 'on leave' });
    expect(released).toMatchObject({ taskId: task, assignedUserId: null, assignedRole: 'clerk', claimedAt: null });
    expect(await inQueue(carl, task)).toBe(true);
    expect(await inQueue(cleo, task)).toBe(true);
    expect((await admin.history(id)).find((e) => e.eventType === 'task_released')).toMatchObject({
      actorUserId: 'cleo-clerk',
      details: { nodeId: 'review', fromUserId: 'cleo-clerk', role: 'clerk', comments: 'on leave' },
    });

    expect(outcome(await cleo.post(`/api/tasks/${task}/release`, {}))).toEqual({ status: 409, code: 'NOT_CLAIMED' });
    // a released task can be claimed again, by another holder
    await carl.act(task, 'claim');
    expect(await inQueue(cleo, task)).toBe(false);
  });

  it('refuses a release by someone who did not claim the task (403), and the claim stands', async () => {
    const definitionId = await admin.define(roleReview('car-release-other'));
    const cleo = h.as('cleo-clerk', ['clerk']);
    const carl = h.as('carl-clerk', ['clerk']);
    const starter = h.as('stan-starter', []);
    const id = await starter.start(definitionId, {});
    const task = await cleo.taskFor(id);
    await cleo.act(task, 'claim');

    // the starter sees the task (their own request) but did not claim it
    expect((await starter.task(task)).allowedActions).not.toContain('release');
    expect(outcome(await starter.post(`/api/tasks/${task}/release`, {}))).toEqual({ status: 403, code: 'NOT_TASK_ASSIGNEE' });
    // another holder of the role: the claimed task left their sight with their queue (reference.md: 404 for
    // what you may not see)
    expect(outcome(await carl.post(`/api/tasks/${task}/release`, {}))).toEqual({ status: 404, code: 'NOT_FOUND' });

    expect(await admin.task(task)).toMatchObject({ assignedUserId: 'cleo-clerk', status: 'waiting' });
    expect((await admin.history(id)).some((e) => e.eventType === 'task_released')).toBe(false);
  });
});

describe('reassign', () => {
  it('by an admin, to a user: the task leaves the role\'s queues for the user\'s, and is recorded', async () => {
    const definitionId = await admin.define(roleReview('car-reassign-admin'));
    const cleo = h.as('cleo-clerk', ['clerk']);
    const rita = h.as('rita-receiver', []);
    const id = await admin.start(definitionId, {});
    const task = await cleo.taskFor(id);

    const moved = await admin.act<TaskDto>(task, 'reassign', { toUserId: 'rita-receiver', comments: 'she knows the vendor' });
    expect(moved).toMatchObject({ taskId: task, assignedUserId: 'rita-receiver' });
    expect(await inQueue(rita, task)).toBe(true);
    expect(await inQueue(cleo, task)).toBe(false);
    expect((await admin.history(id)).find((e) => e.eventType === 'task_reassigned')).toMatchObject({
      actorUserId: 'car-admin',
      details: { nodeId: 'review', fromUserId: null, fromRole: 'clerk', toUserId: 'rita-receiver', toRole: null, comments: 'she knows the vendor' },
    });
    // assigned to a user now: not claimable, and hers to decide
    expect(outcome(await cleo.post(`/api/tasks/${task}/claim`, {})).status).not.toBe(200);
    await rita.approve(task);
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('by a holder of the node\'s managerRole, to a role, even a claimed task: the claim ends, the new role holds it', async () => {
    const definitionId = await admin.define(roleReview('car-reassign-manager'));
    const cleo = h.as('cleo-clerk', ['clerk']);
    const sue = h.as('sue-supervisor', ['supervisor']);
    const ada = h.as('ada-auditor', ['auditor']);
    const id = await admin.start(definitionId, {});
    const task = await cleo.taskFor(id);
    await cleo.act(task, 'claim');

    // the manager does not hold the task, yet may see it and reassign it
    const asManager = await sue.task(task);
    expect(asManager.allowedActions).toEqual(['reassign']);
    const moved = await sue.act<TaskDto>(task, 'reassign', { toRole: 'auditor' });
    expect(moved).toMatchObject({ taskId: task, assignedUserId: null, assignedRole: 'auditor', claimedAt: null });
    expect(await inQueue(ada, task)).toBe(true);
    expect(await inQueue(cleo, task)).toBe(false);
    expect((await admin.history(id)).find((e) => e.eventType === 'task_reassigned')).toMatchObject({
      actorUserId: 'sue-supervisor',
      details: { fromUserId: 'cleo-clerk', fromRole: 'clerk', toUserId: null, toRole: 'auditor' },
    });
    await ada.approve(task);
    expect((await admin.finished(id)).status).toBe('completed');
  });

  it('by a holder of the definition-wide managerRole', async () => {
    const definitionId = await admin.define({
      name: 'car-reassign-definition-manager',
      managerRole: 'team-lead',
      nodes: [{ id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'clerk' }],
      routes: [],
    });
    const lead = h.as('lee-lead', ['team-lead']);
    const id = await admin.start(definitionId, {});
    const task = await h.as('cleo-clerk', ['clerk']).taskFor(id);
    await lead.act(task, 'reassign', { toUserId: 'rita-receiver' });
    expect(await inQueue(h.as('rita-receiver', []), task)).toBe(true);
  });

  it('refuses someone without the managerRole (403 NOT_TASK_MANAGER): the holder, the starter; before a bad body', async () => {
    const definitionId = await admin.define(roleReview('car-reassign-refused'));
    const cleo = h.as('cleo-clerk', ['clerk']);
    const starter = h.as('stan-starter', []);
    const other = h.as('otto-other-manager', ['other-manager']);
    const id = await starter.start(definitionId, {});
    const task = await cleo.taskFor(id);

    expect(outcome(await cleo.post(`/api/tasks/${task}/reassign`, { toUserId: 'carl-clerk' }))).toEqual({ status: 403, code: 'NOT_TASK_MANAGER' });
    expect(outcome(await starter.post(`/api/tasks/${task}/reassign`, { toRole: 'auditor' }))).toEqual({ status: 403, code: 'NOT_TASK_MANAGER' });
    // the contract's order: who may act (403) before what the body says (400)
    expect(outcome(await cleo.post(`/api/tasks/${task}/reassign`, { toUserId: 'a', toRole: 'b' }))).toEqual({ status: 403, code: 'NOT_TASK_MANAGER' });
    // a manager of something else, who cannot see the task at all
    expect(outcome(await other.post(`/api/tasks/${task}/reassign`, { toUserId: 'carl-clerk' })).status).toBe(404);
    expect((await cleo.task(task)).allowedActions).not.toContain('reassign');

    // a manager with a body naming both, or neither: 400
    const sue = h.as('sue-supervisor', ['supervisor']);
    expect(outcome(await sue.post(`/api/tasks/${task}/reassign`, { toUserId: 'a', toRole: 'b' })).status).toBe(400);
    expect(outcome(await sue.post(`/api/tasks/${task}/reassign`, {})).status).toBe(400);

    expect(await admin.task(task)).toMatchObject({ assignedUserId: null, assignedRole: 'clerk' });
    expect((await admin.history(id)).some((e) => e.eventType === 'task_reassigned')).toBe(false);
  });
});

describe('hand-overs in other states', () => {
  it('two holders claiming at once: one gets the task, once', async () => {
    const definitionId = await admin.define(roleReview('car-claim-race'));
    const cleo = h.as('cleo-clerk', ['clerk']);
    const carl = h.as('carl-clerk', ['clerk']);
    const id = await admin.start(definitionId, {});
    const task = await cleo.taskFor(id);
    const answers = await Promise.all([cleo.post(`/api/tasks/${task}/claim`, {}), carl.post(`/api/tasks/${task}/claim`, {})]);
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
    const loser = answers.find((r) => r.status !== 200);
    expect([404, 409]).toContain(loser?.status);
    const winner = answers[0]?.status === 200 ? 'cleo-clerk' : 'carl-clerk';
    expect((await admin.task(task)).assignedUserId).toBe(winner);
    expect((await admin.history(id)).filter((e) => e.eventType === 'task_claimed').map((e) => e.actorUserId)).toEqual([winner]);
  });

  it('a quorum vote is not claimed, released or reassigned (409 NOT_FOR_QUORUM)', async () => {
    const definitionId = await admin.define({
      name: 'car-quorum',
      nodes: [{ id: 'vote', nodeType: 'approval', name: 'Vote', approverRole: 'clerk', managerRole: 'supervisor', quorum: { required: 2 } }],
      routes: [],
    });
    const cleo = h.as('cleo-clerk', ['clerk']);
    const id = await admin.start(definitionId, {});
    const task = await cleo.taskFor(id);
    expect(outcome(await cleo.post(`/api/tasks/${task}/claim`, {}))).toEqual({ status: 409, code: 'NOT_FOR_QUORUM' });
    expect(outcome(await h.as('sue-supervisor', ['supervisor']).post(`/api/tasks/${task}/reassign`, { toUserId: 'rita-receiver' }))).toEqual({ status: 409, code: 'NOT_FOR_QUORUM' });
    expect(outcome(await cleo.post(`/api/tasks/${task}/release`, {}))).toEqual({ status: 409, code: 'NOT_FOR_QUORUM' });
    // an admin casts no vote that is not theirs, so may not act on it at all (403 before 409)
    expect(outcome(await admin.post(`/api/tasks/${task}/claim`, {}))).toEqual({ status: 403, code: 'NOT_TASK_ASSIGNEE' });
    expect((await cleo.task(task)).allowedActions).not.toEqual(expect.arrayContaining(['claim']));
  });

  it('a decided task is not claimed, released or reassigned (409 TASK_NOT_WAITING)', async () => {
    const definitionId = await admin.define(roleReview('car-decided'));
    const cleo = h.as('cleo-clerk', ['clerk']);
    const id = await admin.start(definitionId, {});
    const task = await cleo.taskFor(id);
    await cleo.act(task, 'claim');
    await cleo.approve(task);
    await admin.finished(id);
    for (const [action, body] of [['claim', {}], ['release', {}], ['reassign', { toUserId: 'rita-receiver' }]] as const) {
      expect({ action, ...outcome(await admin.post(`/api/tasks/${task}/${action}`, body)) }).toEqual({ action, status: 409, code: 'TASK_NOT_WAITING' });
    }
  });

  it('bulk claim: each task on its own, a user-assigned one refused 409 NOT_CLAIMABLE without taking the others with it', async () => {
    const definitionId = await admin.define(roleReview('car-bulk-claim'));
    const userDef = await admin.define({ name: 'car-bulk-user', nodes: [{ id: 'review', nodeType: 'approval', name: 'Review', approverUserId: 'cleo-clerk' }], routes: [] });
    const cleo = h.as('cleo-clerk', ['clerk']);
    const carl = h.as('carl-clerk', ['clerk']);
    const roleTasks = [];
    for (let i = 0; i < 2; i++) roleTasks.push(await cleo.taskFor(await admin.start(definitionId, {})));
    const userTask = await cleo.taskFor(await admin.start(userDef, {}));
    const res = await cleo.post('/api/tasks/bulk', { action: 'claim', taskIds: [...roleTasks, userTask] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'claim', succeeded: 2, failed: 1 });
    expect(res.body.results).toEqual([
      expect.objectContaining({ taskId: roleTasks[0], ok: true, status: 200 }),
      expect.objectContaining({ taskId: roleTasks[1], ok: true, status: 200 }),
      expect.objectContaining({ taskId: userTask, ok: false, status: 409, error: expect.objectContaining({ code: 'NOT_CLAIMABLE' }) }),
    ]);
    for (const task of roleTasks) expect(await inQueue(carl, task)).toBe(false);
    const released = await cleo.post('/api/tasks/bulk', { action: 'release', taskIds: roleTasks });
    expect(released.body).toMatchObject({ succeeded: 2, failed: 0 });
    for (const task of roleTasks) expect(await inQueue(carl, task)).toBe(true);
  });
});

describe('allowedActions of GET /api/tasks/:id', () => {
  /** Each action with a body that is valid for it. */
  const BODIES: Record<string, object> = {
    approve: {},
    reject: { comments: 'no' },
    delegate: { toUserId: 'dee-delegate' },
    complete: { data: {} },
    claim: {},
    release: {},
    reassign: { toUserId: 'rita-receiver' },
  };
  const ACTIONS = Object.keys(BODIES);

  let definitionId: string;
  const starter = () => h.as('sal-starter', ['clerk']);
  const users = () => ({
    clerk: h.as('cleo-clerk', ['clerk']),
    colleague: h.as('carl-clerk', ['clerk']),
    supervisor: h.as('sue-supervisor', ['supervisor']),
    admin,
    starter: starter(),
  });
  type Who = keyof ReturnType<typeof users>;

  beforeAll(async () => {
    definitionId = await admin.define(roleReview('car-allowed', { notStarter: true }));
  });

  /** A new instance's task, claimed by the clerk when `claimed`. */
  async function freshTask(claimed: boolean): Promise<string> {
    const id = await starter().start(definitionId, {});
    const task = await users().clerk.taskFor(id);
    if (claimed) await users().clerk.act(task, 'claim');
    return task;
  }

  const expected: Record<'open' | 'claimed', Record<Who, string[]>> = {
    open: {
      clerk: ['approve', 'reject', 'delegate', 'claim'],
      colleague: ['approve', 'reject', 'delegate', 'claim'],
      supervisor: ['reassign'],
      admin: ['approve', 'reject', 'delegate', 'claim', 'reassign'],
      // the starter holds the role but separation of duties excludes them
      starter: [],
    },
    claimed: {
      clerk: ['approve', 'reject', 'delegate', 'release'],
      colleague: [],
      supervisor: ['reassign'],
      admin: ['approve', 'reject', 'delegate', 'release', 'reassign'],
      starter: [],
    },
  };

  for (const state of ['open', 'claimed'] as const) {
    it(`lists, for a task ${state === 'open' ? 'of a role' : 'claimed by a clerk'}, what each user may do, and only that`, async () => {
      const task = await freshTask(state === 'claimed');
      const seen: Record<string, string[] | number> = {};
      for (const [who, user] of Object.entries(users())) {
        const res = await user.get(`/api/tasks/${task}`);
        seen[who] = res.status === 200 ? [...(res.body as TaskDetailDto).allowedActions].sort() : res.status;
      }
      const want = Object.fromEntries(Object.entries(expected[state]).map(([who, actions]) => [who, [...actions].sort()]));
      // a user who may do nothing may still see the task, or not (404): both mean "no actions"
      for (const who of Object.keys(want)) if (seen[who] === 404 && want[who]?.length === 0) seen[who] = [];
      expect(seen).toEqual(want);
    });

    it(`for a task ${state === 'open' ? 'of a role' : 'claimed by a clerk'}, every action GET lists succeeds and every other one is refused`, async () => {
      const mismatches: string[] = [];
      for (const [who, user] of Object.entries(users()) as [Who, UserClient][]) {
        for (const action of ACTIONS) {
          const task = await freshTask(state === 'claimed');
          const read = await user.get(`/api/tasks/${task}`);
          const listed = read.status === 200 && (read.body as TaskDetailDto).allowedActions.includes(action as TaskDetailDto['allowedActions'][number]);
          const res = await user.post(`/api/tasks/${task}/${action}`, BODIES[action] ?? {});
          if (listed !== (res.status === 200)) {
            mismatches.push(`${who} ${action}: ${listed ? 'listed' : 'not listed'}, answered ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
