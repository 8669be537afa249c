/**
 * Quorum approvals (N of M) through the real API, worker, Postgres and queue: voters by role, by
 * a list of users and by a CEL expression; `required` 2, "all" and "majority"; both reject
 * policies; each voter once (409 ALREADY_VOTED), separation of duties per vote; the node completes
 * the moment the outcome is certain, leaves every queue, and the history holds each vote. Fifty
 * concurrent votes on a 3-of-5 node decide it exactly once.
 */
import { createHarness, eventually, type Harness } from '../../testing/engine-harness';
import type { HistoryItemView, UserClient } from '../../testing/user-client';

let h: Harness;
let admin: UserClient;

beforeAll(async () => {
  h = await createHarness();
  admin = h.as('q-admin', ['admin']);
});

afterAll(async () => {
  await h.close();
});

/**
 * `vote` (the quorum) then `after`, an approval for the role `closer` that parks, so "the instance
 * moved on" is an `after` execution waiting; a rejection ends the instance (no on-rejected route).
 */
const quorumDefinition = (name: string, vote: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  nodes: [
    { id: 'vote', nodeType: 'approval', name: 'Committee vote', ...vote },
    { id: 'after', nodeType: 'approval', name: 'Closing', approverRole: 'closer' },
  ],
  routes: [{ fromNodeId: 'vote', toNodeId: 'after' }],
  ...extra,
});

const users = (...ids: string[]) => ({ users: ids });

/** Distinct user ids per test, so one test's queue never holds another's tasks. */
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

const ofTask = (history: HistoryItemView[], taskId: string, type: string) =>
  history.filter((e) => e.eventType === type && e.nodeExecutionId === taskId);

async function inQueue(user: UserClient, taskId: string): Promise<boolean> {
  return (await user.tasks()).some((t) => t.taskId === taskId);
}

async function nodesAt(instanceId: string, nodeId: string) {
  return (await admin.instance(instanceId)).nodes.filter((n) => n.nodeId === nodeId);
}

describe('voters from a list of users', () => {
  it('required 2 of 3: the first vote waits, the second decides; the third voter loses the task; each vote in the history', async () => {
    const [u1, u2, u3] = ids('lst', 3).map((u) => h.as(u, []));
    const definitionId = await admin.define(quorumDefinition('q-users-2', { quorum: { voters: users(u1!.user, u2!.user, u3!.user), required: 2 } }));
    const id = await admin.start(definitionId, {});
    const task = await u1!.taskFor(id, 'vote');
    // every voter has it in their queue
    expect(await inQueue(u2!, task)).toBe(true);
    expect(await inQueue(u3!, task)).toBe(true);

    const first = await u1!.approve(task, 'yes from one');
    expect(first).toMatchObject({ taskId: task, instanceId: id, status: 'waiting', vote: { decision: 'approved', approvals: 1, rejections: 0, required: 2, outcome: null } });
    // a voter who voted no longer has it in their queue; the others still do
    expect(await inQueue(u1!, task)).toBe(false);
    expect(await inQueue(u2!, task)).toBe(true);
    expect((await nodesAt(id, 'vote'))[0]?.status).toBe('waiting');
    // the voter still sees the task, but may not vote again
    expect((await u1!.task(task)).allowedActions).not.toContain('approve');
    const detail = await u2!.task(task);
    expect(detail.quorum).toMatchObject({ required: 2, approvals: 1, rejections: 0, electorate: 3, rejectPolicy: 'any' });
    expect(detail.quorum?.votes).toEqual([expect.objectContaining({ userId: u1!.user, decision: 'approved', comments: 'yes from one' })]);
    expect(detail.allowedActions).toEqual(expect.arrayContaining(['approve', 'reject']));

    const second = await u2!.approve(task);
    expect(second).toMatchObject({ taskId: task, status: 'completed', decision: 'approved', vote: { approvals: 2, required: 2, outcome: 'approved' } });

    // decided: withdrawn from the queue of the voter who did not vote (and from the operator view), and closed to them
    expect(await inQueue(u3!, task)).toBe(false);
    const open = await admin.get('/api/tasks', { limit: 500 });
    expect((open.body.items as { taskId: string }[]).some((t) => t.taskId === task)).toBe(false);
    expect((await u3!.task(task)).allowedActions).toEqual([]);
    const late = await u3!.post(`/api/tasks/${task}/approve`, {});
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('TASK_NOT_WAITING');

    const history = await admin.history(id);
    const votes = ofTask(history, task, 'task_voted');
    expect(votes.map((e) => [e.actorUserId, e.details.decision, e.details.approvals])).toEqual([
      [u1!.user, 'approved', 1],
      [u2!.user, 'approved', 2],
    ]);
    expect(ofTask(history, task, 'task_approved')).toHaveLength(1);
    expect(ofTask(history, task, 'node_completed')).toHaveLength(1);
    await h.as('closer-1', ['closer']).taskFor(id, 'after');
    expect((await nodesAt(id, 'vote'))[0]?.status).toBe('completed');
  });

  it('a voter votes once: a second vote, approve or reject, is 409 ALREADY_VOTED and changes nothing', async () => {
    const [u1, u2, u3] = ids('twice', 3).map((u) => h.as(u, []));
    const definitionId = await admin.define(quorumDefinition('q-twice', { quorum: { voters: users(u1!.user, u2!.user, u3!.user), required: 2 } }));
    const id = await admin.start(definitionId, {});
    const task = await u1!.taskFor(id, 'vote');
    await u1!.approve(task);

    for (const action of ['approve', 'reject'] as const) {
      const again = await u1!.post(`/api/tasks/${task}/${action}`, {});
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('ALREADY_VOTED');
    }
    const detail = await u2!.task(task);
    expect(detail.status).toBe('waiting');
    expect(detail.quorum).toMatchObject({ approvals: 1, rejections: 0 });
    expect(ofTask(await admin.history(id), task, 'task_voted')).toHaveLength(1);
  });

  it('a voter votes once, in person or through a deputy: the deputy\'s vote is the absent voter\'s', async () => {
    const [v1, v2, v3] = ids('dep', 3).map((u) => h.as(u, []));
    const deputy = h.as('dep-deputy', []);
    const declared = await v1!.post('/api/deputies', {
      deputyUserId: deputy.user,
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(declared.status).toBe(201);
    const definitionId = await admin.define(quorumDefinition('q-deputy', { quorum: { voters: users(v1!.user, v2!.user, v3!.user), required: 3 } }));
    const id = await admin.start(definitionId, {});
    const task = await deputy.taskFor(id);

    expect((await deputy.approve(task)).status).toBe('waiting');
    expect((await v2!.task(task)).quorum?.votes).toEqual([expect.objectContaining({ userId: deputy.user, onBehalfOf: v1!.user, decision: 'approved' })]);
    for (const who of [v1!, deputy]) {
      const again = await who.post(`/api/tasks/${task}/approve`, {});
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('ALREADY_VOTED');
    }
    expect((await v2!.task(task)).quorum).toMatchObject({ approvals: 1 });
    // v1 has voted (through the deputy): the task leaves both their queues, as after a vote in person
    expect(await inQueue(deputy, task)).toBe(false);
    expect(await inQueue(v1!, task)).toBe(false);
  });

  it('required "all": every voter must approve; it waits until the last one does', async () => {
    const [a1, a2, a3] = ids('all', 3).map((u) => h.as(u, []));
    const definitionId = await admin.define(quorumDefinition('q-all', { quorum: { voters: users(a1!.user, a2!.user, a3!.user), required: 'all' } }));
    const id = await admin.start(definitionId, {});
    const task = await a1!.taskFor(id, 'vote');
    expect((await a1!.approve(task)).status).toBe('waiting');
    expect((await a2!.approve(task)).status).toBe('waiting');
    expect((await a3!.task(task)).quorum).toMatchObject({ required: 3, approvals: 2, electorate: 3 });
    expect(await a3!.approve(task)).toMatchObject({ status: 'completed', decision: 'approved', vote: { approvals: 3, required: 3, outcome: 'approved' } });
    await h.as('closer-2', ['closer']).taskFor(id, 'after');
    expect(ofTask(await admin.history(id), task, 'task_voted')).toHaveLength(3);
  });
});

describe('voters from a role', () => {
  it('required 2 among the holders of a role: both votes counted, the other holders lose the task; an admin cannot vote', async () => {
    const [b1, b2, b3] = ids('board', 3).map((u) => h.as(u, ['q-board']));
    const definitionId = await admin.define(quorumDefinition('q-role', { quorum: { voters: { role: 'q-board' }, required: 2 } }));
    const id = await admin.start(definitionId, {});
    const task = await b1!.taskFor(id, 'vote');
    expect(await inQueue(b3!, task)).toBe(true);

    // an admin may act on any task, but a quorum vote is the voters' own
    const byAdmin = await admin.post(`/api/tasks/${task}/approve`, {});
    expect(byAdmin.status).toBe(403);

    expect(await b1!.approve(task)).toMatchObject({ status: 'waiting', vote: { approvals: 1, required: 2, outcome: null } });
    expect(await inQueue(b1!, task)).toBe(false);
    expect(await inQueue(b2!, task)).toBe(true);
    expect((await b2!.task(task)).quorum).toMatchObject({ required: 2, approvals: 1, electorate: null });

    expect(await b2!.approve(task)).toMatchObject({ status: 'completed', decision: 'approved' });
    expect(await inQueue(b3!, task)).toBe(false);
    await h.as('closer-3', ['closer']).taskFor(id, 'after');
    const history = await admin.history(id);
    expect(ofTask(history, task, 'task_voted').map((e) => e.actorUserId)).toEqual([b1!.user, b2!.user]);
    expect(ofTask(history, task, 'task_approved')).toHaveLength(1);
  });

  it('defaults the voters to the node\'s approverRole', async () => {
    const [d1, d2] = ids('dflt', 2).map((u) => h.as(u, ['q-default-role']));
    const definitionId = await admin.define(quorumDefinition('q-default-voters', { approverRole: 'q-default-role', quorum: { required: 2 } }));
    const id = await admin.start(definitionId, {});
    const task = await d1!.taskFor(id, 'vote');
    expect((await d1!.approve(task)).status).toBe('waiting');
    expect((await d2!.approve(task)).status).toBe('completed');
    await h.as('closer-4', ['closer']).taskFor(id, 'after');
  });
});

describe('voters from a CEL expression', () => {
  it('the list the expression gives at creation votes; "majority" of 3 is 2; nobody outside the list has the task', async () => {
    const [c1, c2, c3] = ids('cmte', 3).map((u) => h.as(u, []));
    const outsider = h.as('cmte-outsider', ['q-committee']);
    const definitionId = await admin.define(quorumDefinition('q-expression', { quorum: { voters: { expression: 'context.committee' }, required: 'majority' } }));
    const id = await admin.start(definitionId, { committee: [c1!.user, c2!.user, c3!.user] });
    const task = await c1!.taskFor(id, 'vote');
    expect(await inQueue(c3!, task)).toBe(true);
    expect(await inQueue(outsider, task)).toBe(false);
    expect((await c3!.task(task)).candidateUsers.sort()).toEqual([c1!.user, c2!.user, c3!.user]);

    expect(await c1!.approve(task)).toMatchObject({ status: 'waiting', vote: { required: 2, approvals: 1 } });
    expect(await c2!.approve(task)).toMatchObject({ status: 'completed', decision: 'approved' });
    expect(await inQueue(c3!, task)).toBe(false);
    await h.as('closer-5', ['closer']).taskFor(id, 'after');
    expect(ofTask(await admin.history(id), task, 'task_voted').map((e) => e.actorUserId)).toEqual([c1!.user, c2!.user]);
  });

  it('counts a voter the expression repeats once', async () => {
    const [c1, c2, c3] = ids('dup', 3).map((u) => h.as(u, []));
    const definitionId = await admin.define(quorumDefinition('q-expression-dup', { quorum: { voters: { expression: 'context.committee' }, required: 'majority' } }));
    const id = await admin.start(definitionId, { committee: [c1!.user, c1!.user, c2!.user, c3!.user] });
    const task = await c1!.taskFor(id, 'vote');
    expect((await c1!.task(task)).quorum).toMatchObject({ electorate: 3, required: 2 });
  });

  it('an empty list or a list of non-ids fails the node instead of creating a task nobody can vote on', async () => {
    const definitionId = await admin.define(quorumDefinition('q-expression-empty', { quorum: { voters: { expression: 'context.committee' }, required: 1 } }));
    for (const [committee, code] of [[[], 'QUORUM_VOTERS_EMPTY'], [[1, 2], 'QUORUM_VOTERS_INVALID'], ['someone', 'QUORUM_VOTERS_INVALID']] as const) {
      const id = await admin.start(definitionId, { committee: committee as never });
      const failed = await admin.finished(id);
      expect(failed.status).toBe('failed');
      expect(failed.nodes[0]).toMatchObject({ nodeId: 'vote', status: 'failed', error: expect.objectContaining({ code }) });
    }
  });

  it('fails the node when the list is too short for the required number', async () => {
    const definitionId = await admin.define(quorumDefinition('q-expression-short', { quorum: { voters: { expression: 'context.committee' }, required: 3 } }));
    const id = await admin.start(definitionId, { committee: ['short-1', 'short-2'] });
    const failed = await admin.finished(id);
    expect(failed.status).toBe('failed');
    expect(failed.nodes[0]?.error?.code).toBe('QUORUM_IMPOSSIBLE');
  });

  it('"majority" of 4 is 3', async () => {
    const voters = ids('maj4', 4).map((u) => h.as(u, []));
    const definitionId = await admin.define(quorumDefinition('q-majority-4', { quorum: { voters: { expression: 'context.committee' }, required: 'majority' } }));
    const id = await admin.start(definitionId, { committee: voters.map((v) => v.user) });
    const task = await voters[0]!.taskFor(id, 'vote');
    expect((await voters[0]!.approve(task)).status).toBe('waiting');
    expect((await voters[1]!.approve(task)).status).toBe('waiting');
    expect(await voters[2]!.approve(task)).toMatchObject({ status: 'completed', vote: { required: 3, approvals: 3, outcome: 'approved' } });
  });
});

describe('rejections', () => {
  it('rejectPolicy "any" (the default): the first rejection rejects, the open votes are withdrawn', async () => {
    const voters = ids('rany', 5).map((u) => h.as(u, []));
    const definitionId = await admin.define(quorumDefinition('q-reject-any', { quorum: { voters: users(...voters.map((v) => v.user)), required: 3 } }));
    const id = await admin.start(definitionId, {});
    const task = await voters[0]!.taskFor(id, 'vote');
    expect((await voters[0]!.approve(task)).status).toBe('waiting');
    expect(await voters[1]!.reject(task, 'no')).toMatchObject({ status: 'completed', decision: 'rejected', vote: { decision: 'rejected', rejections: 1, outcome: 'rejected' } });

    for (const v of voters.slice(2)) expect(await inQueue(v, task)).toBe(false);
    expect((await admin.finished(id)).status).toBe('rejected');
    const history = await admin.history(id);
    expect(ofTask(history, task, 'task_voted').map((e) => e.details.decision)).toEqual(['approved', 'rejected']);
    expect(ofTask(history, task, 'task_rejected')).toHaveLength(1);
    expect(await nodesAt(id, 'after')).toHaveLength(0);
  });

  it('rejectPolicy "quorum" on 3 of 5: rejected only once three rejections make approval impossible', async () => {
    const voters = ids('rq', 5).map((u) => h.as(u, []));
    const definitionId = await admin.define(
      quorumDefinition('q-reject-quorum', { quorum: { voters: users(...voters.map((v) => v.user)), required: 3, rejectPolicy: 'quorum' } }),
    );
    const id = await admin.start(definitionId, {});
    const task = await voters[0]!.taskFor(id, 'vote');
    expect((await voters[0]!.reject(task)).status).toBe('waiting');
    expect((await voters[1]!.approve(task)).status).toBe('waiting');
    expect((await voters[2]!.reject(task)).status).toBe('waiting'); // 1 approval, 2 rejections: 3 of 5 still possible
    expect((await voters[3]!.task(task)).quorum).toMatchObject({ approvals: 1, rejections: 2, required: 3, rejectPolicy: 'quorum' });
    expect(await voters[3]!.reject(task)).toMatchObject({ status: 'completed', decision: 'rejected', vote: { rejections: 3, outcome: 'rejected' } });

    expect(await inQueue(voters[4]!, task)).toBe(false);
    expect((await admin.finished(id)).status).toBe('rejected');
    const history = await admin.history(id);
    expect(ofTask(history, task, 'task_voted')).toHaveLength(4);
    expect(ofTask(history, task, 'task_rejected')).toHaveLength(1);
  });

  it('rejectPolicy "quorum" still approves when enough approve despite rejections', async () => {
    const voters = ids('rqa', 3).map((u) => h.as(u, []));
    const definitionId = await admin.define(
      quorumDefinition('q-reject-quorum-pass', { quorum: { voters: users(...voters.map((v) => v.user)), required: 2, rejectPolicy: 'quorum' } }),
    );
    const id = await admin.start(definitionId, {});
    const task = await voters[0]!.taskFor(id, 'vote');
    expect((await voters[0]!.reject(task)).status).toBe('waiting');
    expect((await voters[1]!.approve(task)).status).toBe('waiting');
    expect(await voters[2]!.approve(task)).toMatchObject({ status: 'completed', decision: 'approved' });
    await h.as('closer-6', ['closer']).taskFor(id, 'after');
  });
});

describe('separation of duties per vote', () => {
  it('notStarter: a voter who started the instance is refused 403 SEPARATION_OF_DUTIES, on record, and does not have the task', async () => {
    const [starter, v2, v3] = ids('sodq', 3).map((u) => h.as(u, []));
    const definitionId = await admin.define(
      quorumDefinition('q-not-starter', { notStarter: true, quorum: { voters: users(starter!.user, v2!.user, v3!.user), required: 2 } }),
    );
    const id = await starter!.start(definitionId, {});
    const task = await v2!.taskFor(id, 'vote');
    expect(await inQueue(starter!, task)).toBe(false);

    const refused = await starter!.post(`/api/tasks/${task}/approve`, {});
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('SEPARATION_OF_DUTIES');
    expect(refused.body.error.details).toMatchObject({ rule: 'notStarter', userId: starter!.user, taskId: task, nodeId: 'vote' });

    const history = await admin.history(id);
    expect(ofTask(history, task, 'decision_refused')).toEqual([
      expect.objectContaining({ actorUserId: starter!.user, details: expect.objectContaining({ rule: 'notStarter', action: 'approve' }) }),
    ]);
    expect(ofTask(history, task, 'task_voted')).toHaveLength(0);
    expect((await v2!.task(task)).quorum).toMatchObject({ approvals: 0, rejections: 0 });

    await v2!.approve(task);
    expect((await v3!.approve(task)).status).toBe('completed');
  });
});

describe('separation of duties and certainty', () => {
  it('an excluded voter counts as a vote that can never approve: 2 of [starter, v2, v3] under "quorum" is rejected at v2\'s rejection', async () => {
    const [starter, v2, v3] = ids('sodc', 3).map((u) => h.as(u, []));
    const definitionId = await admin.define(
      quorumDefinition('q-not-starter-certain', {
        notStarter: true,
        quorum: { voters: users(starter!.user, v2!.user, v3!.user), required: 2, rejectPolicy: 'quorum' },
      }),
    );
    const id = await starter!.start(definitionId, {});
    const task = await v2!.taskFor(id, 'vote');
    // the starter may never vote: after one rejection only v3 is left, and 2 approvals can no longer be reached
    expect(await v2!.reject(task, 'no')).toMatchObject({ status: 'completed', decision: 'rejected' });
    expect(await inQueue(v3!, task)).toBe(false);
    expect((await admin.finished(id)).status).toBe('rejected');
  });
});

describe('save-time checks', () => {
  async function refused(definition: object, path: string) {
    const res = await admin.post('/api/definitions', definition);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  }

  it('refuses required "majority" (and "all") with role voters, whose number is unknown, naming the path', async () => {
    await refused(quorumDefinition('q-bad-majority', { quorum: { voters: { role: 'q-board' }, required: 'majority' } }), 'nodes[0].quorum.required');
    await refused(quorumDefinition('q-bad-all', { approverRole: 'q-board', quorum: { required: 'all' } }), 'nodes[0].quorum.required');
  });

  it('refuses rejectPolicy "quorum" with role voters, naming the path', async () => {
    await refused(
      quorumDefinition('q-bad-reject-policy', { quorum: { voters: { role: 'q-board' }, required: 2, rejectPolicy: 'quorum' } }),
      'nodes[0].quorum.rejectPolicy',
    );
  });

  it('type-checks a voters expression: a bool, or a string field under a contextSchema, is refused', async () => {
    await refused(quorumDefinition('q-bad-expr-bool', { quorum: { voters: { expression: '1 == 1' }, required: 1 } }), 'nodes[0].quorum.voters.expression');
    const contextSchema = { type: 'object', properties: { committee: { type: 'string' }, board: { type: 'array', items: { type: 'string' } } } };
    await refused(quorumDefinition('q-bad-expr-string', { quorum: { voters: { expression: 'context.committee' }, required: 1 } }, { contextSchema }), 'nodes[0].quorum.voters.expression');
    expect(await admin.define(quorumDefinition('q-good-expr', { quorum: { voters: { expression: 'context.board' }, required: 1 } }, { contextSchema }))).toEqual(expect.any(String));
  });

  it('refuses more approvals required than listed voters', async () => {
    await refused(quorumDefinition('q-bad-count', { quorum: { voters: users('x1', 'x2'), required: 3 } }), 'nodes[0].quorum.required');
  });
});

describe('concurrent votes', () => {
  it('50 concurrent approvals on a 3-of-5 node (5 voters × 10 requests): exactly 3 accepted, one outcome, the instance moves on once', async () => {
    const voters = ids('conc', 5).map((u) => h.as(u, []));
    const definitionId = await admin.define(quorumDefinition('q-concurrent', { quorum: { voters: users(...voters.map((v) => v.user)), required: 3 } }));
    const id = await admin.start(definitionId, {});
    const task = await voters[0]!.taskFor(id, 'vote');

    const requests = voters.flatMap((v) => Array.from({ length: 10 }, () => v.post(`/api/tasks/${task}/approve`, {}).then((res) => ({ user: v.user, res }))));
    const answers = await Promise.all(requests);

    const statuses = answers.map((a) => a.res.status);
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    const accepted = answers.filter((a) => a.res.status === 200);
    expect(accepted).toHaveLength(3);
    // three different voters, one vote each
    expect(new Set(accepted.map((a) => a.user)).size).toBe(3);
    // exactly one accepted vote decided the node
    expect(accepted.filter((a) => a.res.body.status === 'completed')).toHaveLength(1);
    expect(accepted.filter((a) => a.res.body.status === 'waiting')).toHaveLength(2);
    const codes = new Set(answers.filter((a) => a.res.status === 409).map((a) => a.res.body.error.code as string));
    expect([...codes].filter((c) => c !== 'ALREADY_VOTED' && c !== 'TASK_NOT_WAITING')).toEqual([]);

    const after = await eventually(async () => {
      const at = await nodesAt(id, 'after');
      return at.some((n) => n.status === 'waiting') ? at : undefined;
    }, 10_000, 'the node after the vote to wait');
    expect(after).toHaveLength(1);

    const detail = await admin.task(task);
    expect(detail.status).toBe('completed');
    expect(detail.decision).toBe('approved');
    expect(detail.quorum?.votes).toHaveLength(3);

    const history = await admin.history(id);
    expect(ofTask(history, task, 'task_voted')).toHaveLength(3);
    expect(ofTask(history, task, 'task_approved')).toHaveLength(1);
    expect(ofTask(history, task, 'node_completed')).toHaveLength(1);
    expect(history.filter((e) => e.eventType === 'task_created' && e.details.nodeId === 'after')).toHaveLength(1);
    expect((await admin.get(`/api/instances/${id}/history/verify`)).body.valid).toBe(true);
  });

  it('50 concurrent mixed votes (2 voters approve, 3 reject, 10 requests each) under "any": one outcome, never more than one vote per voter', async () => {
    const voters = ids('mixed', 5).map((u) => h.as(u, []));
    const definitionId = await admin.define(quorumDefinition('q-concurrent-mixed', { quorum: { voters: users(...voters.map((v) => v.user)), required: 3 } }));
    const id = await admin.start(definitionId, {});
    const task = await voters[0]!.taskFor(id, 'vote');

    const answers = await Promise.all(
      voters.flatMap((v, i) => Array.from({ length: 10 }, () => v.post(`/api/tasks/${task}/${i < 2 ? 'approve' : 'reject'}`, {}).then((res) => ({ user: v.user, res })))),
    );
    expect(answers.map((a) => a.res.status).filter((s) => s !== 200 && s !== 409)).toEqual([]);
    const accepted = answers.filter((a) => a.res.status === 200);
    expect(new Set(accepted.map((a) => a.user)).size).toBe(accepted.length);
    const deciding = accepted.filter((a) => a.res.body.status === 'completed');
    expect(deciding).toHaveLength(1);
    // approvals (at most 2 here) never reach 3: the first rejection accepted is the outcome
    expect(deciding[0]!.res.body.decision).toBe('rejected');
    expect(accepted.filter((a) => a.res.body.vote?.decision === 'rejected')).toHaveLength(1);

    expect((await admin.finished(id)).status).toBe('rejected');
    const history = await admin.history(id);
    expect(ofTask(history, task, 'task_voted')).toHaveLength(accepted.length);
    expect(ofTask(history, task, 'task_rejected')).toHaveLength(1);
    expect(ofTask(history, task, 'task_approved')).toHaveLength(0);
    expect(ofTask(history, task, 'node_completed')).toHaveLength(1);
    expect(await nodesAt(id, 'after')).toHaveLength(0);
  });
});
