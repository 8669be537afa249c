/**
 * Send back for revision through the real API: a `return` decision, with its required comments,
 * sends the instance back to the earlier user task the node names (`returnTo`); the new task
 * shows the reviewer's words; each round is in the history and counted against `maxRounds`
 * (409 RETURN_LIMIT_REACHED beyond it); the returned-to task's SLA starts again, the
 * instance's does not.
 *
 *   request (user_task, requester) --> review (approval, reviewer, returnTo: request, maxRounds: 2)
 */
import { createHarness, eventually, type Harness } from '../../testing/engine-harness';
import type { HistoryItemView, UserClient } from '../../testing/user-client';
import { OffsetClock } from '@wf/runtime/testing';

let h: Harness;
let admin: UserClient;
let requester: UserClient;
let reviewer: UserClient;
/** moved on between a task's creation and its return, so a restarted SLA is visibly later */
const clock = new OffsetClock();
const HOUR = 3_600_000;

beforeAll(async () => {
  h = await createHarness({ clock });
  admin = h.as('rr-admin', ['admin']);
  requester = h.as('rr-requester', ['requester']);
  reviewer = h.as('rr-reviewer', ['reviewer']);
});

afterAll(async () => {
  await h.close();
});

const revisionDefinition = (name: string, review: Record<string, unknown> = { returnTo: 'request', maxRounds: 2 }) => ({
  name,
  // the instance's own SLA, which a return must not restart
  slaHours: 240,
  nodes: [
    { id: 'request', nodeType: 'user_task', name: 'Request', assigneeRole: 'requester', slaHours: 24 },
    { id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'reviewer', ...review },
  ],
  routes: [{ fromNodeId: 'request', toNodeId: 'review' }],
});

const returned = (history: HistoryItemView[]) => history.filter((e) => e.eventType === 'task_returned');

/** The request task of the current round, once it is in the requester's queue (a new one each round). */
async function nextRequest(instanceId: string, not: readonly string[]): Promise<string> {
  return eventually(async () => {
    const mine = (await requester.tasks()).filter((t) => t.instanceId === instanceId && t.nodeId === 'request' && !not.includes(t.taskId));
    return mine[0]?.taskId;
  }, 10_000, `a new request task of ${instanceId}`);
}

describe('return for revision', () => {
  it('sends the instance back to request with the comments, counts rounds, refuses the third return, and restarts only the task SLA', async () => {
    const definitionId = await admin.define(revisionDefinition('rr-two-rounds'));
    const id = await requester.start(definitionId, { amount: 100 });
    const instanceSla = (await admin.instance(id)).slaDeadline;
    expect(instanceSla).not.toBeNull();

    const firstRequest = await requester.taskFor(id, 'request');
    const firstRequestDetail = await requester.task(firstRequest);
    expect(firstRequestDetail.revision).toBeNull();
    await requester.complete(firstRequest, { amount: 120 });

    // round 1, five hours later
    const review1 = await reviewer.taskFor(id, 'review');
    clock.advance(5 * HOUR);
    expect((await reviewer.task(review1)).allowedActions).toContain('return');
    expect(await reviewer.act(review1, 'return', { comments: 'the amount needs a quote' })).toMatchObject({
      taskId: review1,
      instanceId: id,
      status: 'completed',
      decision: 'returned',
    });
    const review1Detail = await reviewer.task(review1);
    expect(review1Detail).toMatchObject({ status: 'completed', decision: 'returned', decidedBy: reviewer.user, comments: 'the amount needs a quote' });
    expect((await reviewer.tasks()).some((t) => t.instanceId === id)).toBe(false);

    const secondRequest = await nextRequest(id, [firstRequest]);
    const secondDetail = await requester.task(secondRequest);
    expect(secondDetail.status).toBe('waiting');
    expect(secondDetail.comments).toBe('the amount needs a quote');
    expect(secondDetail.revision).toMatchObject({ round: 1, fromNodeId: 'review', by: reviewer.user, comments: 'the amount needs a quote' });
    // the returned-to task's SLA starts again; the instance's does not
    expect(secondDetail.slaDeadline).not.toBeNull();
    expect(new Date(secondDetail.slaDeadline!).getTime() - new Date(firstRequestDetail.slaDeadline!).getTime()).toBeGreaterThanOrEqual(5 * HOUR);
    expect((await admin.instance(id)).slaDeadline).toBe(instanceSla);
    expect((await admin.instance(id)).status).toBe('running');

    let history = await admin.history(id);
    expect(returned(history)).toEqual([
      expect.objectContaining({
        actorUserId: reviewer.user,
        nodeExecutionId: review1,
        details: expect.objectContaining({ nodeId: 'review', returnTo: 'request', round: 1, maxRounds: 2, comments: 'the amount needs a quote' }),
      }),
    ]);

    // round 2
    await requester.complete(secondRequest, { amount: 120, quote: 'q-1' });
    const review2 = await reviewer.taskFor(id, 'review');
    expect(review2).not.toBe(review1);
    expect((await reviewer.task(review2)).rounds).toEqual({ used: 1, max: 2 });
    await reviewer.act(review2, 'return', { comments: 'the quote is out of date' });
    const thirdRequest = await nextRequest(id, [firstRequest, secondRequest]);
    expect((await requester.task(thirdRequest)).revision).toMatchObject({ round: 2, comments: 'the quote is out of date' });
    history = await admin.history(id);
    expect(returned(history).map((e) => e.details.round)).toEqual([1, 2]);

    // a third return is beyond maxRounds
    await requester.complete(thirdRequest, { amount: 120, quote: 'q-2' });
    const review3 = await reviewer.taskFor(id, 'review');
    const review3Detail = await reviewer.task(review3);
    expect(review3Detail.rounds).toEqual({ used: 2, max: 2 });
    const beyond = await reviewer.post(`/api/tasks/${review3}/return`, { comments: 'once more' });
    expect(beyond.status).toBe(409);
    expect(beyond.body.error.code).toBe('RETURN_LIMIT_REACHED');
    expect((await reviewer.task(review3)).status).toBe('waiting');
    expect(returned(await admin.history(id))).toHaveLength(2);

    await reviewer.approve(review3);
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.nodes.map((n) => [n.nodeId, n.status])).toEqual([
      ['request', 'completed'],
      ['review', 'completed'],
      ['request', 'completed'],
      ['review', 'completed'],
      ['request', 'completed'],
      ['review', 'completed'],
    ]);
    expect(done.slaDeadline).toBe(instanceSla);
  });

  it('refuses a return without comments (400 COMMENTS_REQUIRED) and leaves the task waiting', async () => {
    const definitionId = await admin.define(revisionDefinition('rr-no-comments'));
    const id = await requester.start(definitionId, {});
    await requester.complete(await requester.taskFor(id, 'request'), {});
    const review = await reviewer.taskFor(id, 'review');

    for (const body of [{}, { comments: '' }, { comments: '   ' }]) {
      const res = await reviewer.post(`/api/tasks/${review}/return`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('COMMENTS_REQUIRED');
    }
    expect((await reviewer.task(review)).status).toBe('waiting');
    expect(returned(await admin.history(id))).toHaveLength(0);
    expect((await admin.instance(id)).nodes.filter((n) => n.nodeId === 'request')).toHaveLength(1);
  });

  it('refuses a return on a node that names no returnTo: 409 RETURN_NOT_ALLOWED', async () => {
    const definitionId = await admin.define(revisionDefinition('rr-no-return-to', {}));
    const id = await requester.start(definitionId, {});
    await requester.complete(await requester.taskFor(id, 'request'), {});
    const review = await reviewer.taskFor(id, 'review');
    expect((await reviewer.task(review)).allowedActions).not.toContain('return');
    const res = await reviewer.post(`/api/tasks/${review}/return`, { comments: 'please revise' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('RETURN_NOT_ALLOWED');
    expect((await reviewer.task(review)).status).toBe('waiting');
  });

  it('allows 3 rounds when the node names no maxRounds', async () => {
    const definitionId = await admin.define(revisionDefinition('rr-default-rounds', { returnTo: 'request' }));
    const id = await requester.start(definitionId, {});
    const seen: string[] = [];
    for (let round = 1; round <= 3; round += 1) {
      const request = await nextRequest(id, seen);
      seen.push(request);
      await requester.complete(request, { round });
      await reviewer.act(await reviewer.taskFor(id, 'review'), 'return', { comments: `round ${round}` });
    }
    await requester.complete(await nextRequest(id, seen), { round: 4 });
    const review = await reviewer.taskFor(id, 'review');
    expect((await reviewer.task(review)).rounds).toEqual({ used: 3, max: 3 });
    const beyond = await reviewer.post(`/api/tasks/${review}/return`, { comments: 'round 4' });
    expect(beyond.status).toBe(409);
    expect(beyond.body.error.code).toBe('RETURN_LIMIT_REACHED');
    expect(returned(await admin.history(id)).map((e) => e.details.round)).toEqual([1, 2, 3]);
  });

  it('concurrent returns and approvals of one review: one decision, one new request task', async () => {
    const definitionId = await admin.define(revisionDefinition('rr-concurrent'));
    const id = await requester.start(definitionId, {});
    await requester.complete(await requester.taskFor(id, 'request'), {});
    const review = await reviewer.taskFor(id, 'review');
    const other = h.as('rr-reviewer-2', ['reviewer']);
    const answers = await Promise.all([
      ...Array.from({ length: 10 }, () => reviewer.post(`/api/tasks/${review}/return`, { comments: 'revise it' })),
      ...Array.from({ length: 10 }, () => other.post(`/api/tasks/${review}/return`, { comments: 'revise it too' })),
      ...Array.from({ length: 5 }, () => other.post(`/api/tasks/${review}/approve`, {})),
    ]);
    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 409)).toEqual([]);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const history = await admin.history(id);
    const decisions = history.filter((e) => e.nodeExecutionId === review && ['task_returned', 'task_approved'].includes(e.eventType));
    expect(decisions).toHaveLength(1);
    if (decisions[0]!.eventType === 'task_returned') {
      await nextRequest(id, []);
      expect((await admin.instance(id)).nodes.filter((n) => n.nodeId === 'request')).toHaveLength(2);
    } else {
      expect((await admin.finished(id)).status).toBe('completed');
    }
  });

  it('a quorum vote cannot send back for revision: refused at save, naming the field', async () => {
    const base = revisionDefinition('rr-quorum');
    const res = await admin.post('/api/definitions', {
      ...base,
      nodes: [
        base.nodes[0],
        { id: 'review', nodeType: 'approval', name: 'Review', returnTo: 'request', quorum: { voters: { users: ['rr-voter-1', 'rr-voter-2'] }, required: 2 } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'nodes[1].returnTo' })]);
  });

  it('refuses at save a returnTo that is not an earlier user task', async () => {
    const res = await admin.post('/api/definitions', {
      ...revisionDefinition('rr-bad-return-to'),
      nodes: [
        { id: 'request', nodeType: 'user_task', name: 'Request', assigneeRole: 'requester', returnTo: 'review' },
        { id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'reviewer' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'nodes[0].returnTo' })]));
  });
});
