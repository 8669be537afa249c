/**
 * Approvals (issue 16) over GraphQL, against a live engine: every feature REST has is here too,
 * through the same services, with the REST codes. Separation of duties refuses a starter's own
 * approval; a role task is claimed and released; a review sends a request back for revision and
 * gets it again; a quorum is voted to its end while the voters' `taskQueueChanged` streams hear
 * the task arrive and leave; a bulk approve goes through but for the tasks it may not decide;
 * comments; deputies; the operator view, reassignment and the new instance filters.
 */
import { createHarness, eventually, type Harness } from '../../testing/engine-harness';
import { dataOf, errorOf, graphqlApp, listen, SseSubscription, type GraphqlApp } from './graphql-test-kit';

let h: Harness;
let gql: GraphqlApp;
let served: Awaited<ReturnType<typeof listen>>;
const subscriptions: SseSubscription[] = [];
let admin: string;

beforeAll(async () => {
  h = await createHarness();
  gql = graphqlApp(h);
  served = await listen(gql.app);
  admin = h.token('ada-admin', ['admin']);
});

afterAll(async () => {
  for (const s of subscriptions) s.close();
  await gql?.close();
  await served?.close();
  await h?.close();
});

const as = (user: string, roles: string[] = []) => h.token(user, roles);
const run = <D = Record<string, unknown>>(token: string, query: string, variables?: Record<string, unknown>) => gql.run<D>(token, query, variables);
const ok = async <D = Record<string, unknown>>(token: string, query: string, variables?: Record<string, unknown>) => dataOf(await run<D>(token, query, variables));

async function define(input: Record<string, unknown>): Promise<string> {
  const d = await ok<{ createWorkflowDefinition: { id: string } }>(admin, 'mutation($input: WorkflowDefinitionInput!) { createWorkflowDefinition(input: $input) { id } }', { input });
  return d.createWorkflowDefinition.id;
}

async function start(token: string, workflowDefinitionId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const d = await ok<{ startWorkflow: { id: string } }>(token, 'mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }', { input: { workflowDefinitionId, ...extra } });
  return d.startWorkflow.id;
}

interface QueuedTask {
  taskId: string;
  instanceId: string;
  nodeId: string;
  assignedUserId: string | null;
  assignedRole: string | null;
  candidateUsers: string[];
  claimedAt: string | null;
  startedBy: string;
  onBehalfOf: string | null;
}

const TASK_FIELDS = 'taskId instanceId nodeId assignedUserId assignedRole candidateUsers claimedAt startedBy onBehalfOf';

async function queue(token: string): Promise<QueuedTask[]> {
  return (await ok<{ myPendingTasks: QueuedTask[] }>(token, `{ myPendingTasks { ${TASK_FIELDS} } }`)).myPendingTasks;
}

/** The task of `nodeId` of the instance in the caller's queue, once the worker has parked it. */
async function taskIn(token: string, instanceId: string, nodeId?: string): Promise<QueuedTask> {
  return eventually(async () => (await queue(token)).find((t) => t.instanceId === instanceId && (nodeId === undefined || t.nodeId === nodeId)), 15_000, `a task of ${instanceId}`);
}

async function statusOf(instanceId: string): Promise<string> {
  return (await ok<{ workflowInstance: { status: string } }>(admin, 'query($id: ID!) { workflowInstance(id: $id) { status } }', { id: instanceId })).workflowInstance.status;
}

const finished = (instanceId: string) => eventually(async () => {
  const status = await statusOf(instanceId);
  return status === 'running' ? undefined : status;
}, 15_000, `${instanceId} to finish`);

const APPROVE = 'mutation($id: ID!, $comments: String) { approveTask(taskId: $id, comments: $comments) { id taskId instanceId status decision vote { decision approvals rejections required outcome } } }';

const single = (name: string, approval: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name,
  nodes: [{ id: 'check', nodeType: 'approval', name: 'Check', approverRole: 'manager', ...approval }],
  routes: [],
  ...extra,
});

describe('separation of duties', () => {
  it('refuses the starter approving their own request with SEPARATION_OF_DUTIES, on record, and lets another manager decide', async () => {
    const definitionId = await define(single('gql-sod', { notStarter: true }));
    const definition = await ok<{ workflowDefinition: { nodes: { id: string; notStarter: boolean | null }[] } }>(admin, 'query($id: ID!) { workflowDefinition(id: $id) { nodes { id notStarter } } }', { id: definitionId });
    expect(definition.workflowDefinition.nodes).toEqual([{ id: 'check', notStarter: true }]);
    const sam = as('sam-starter', ['manager']);
    const mia = as('mia-manager', ['manager']);
    const id = await start(sam, definitionId);
    const task = await taskIn(mia, id);
    expect(task).toMatchObject({ nodeId: 'check', startedBy: 'sam-starter', assignedRole: 'manager', onBehalfOf: null });
    expect((await queue(sam)).some((t) => t.instanceId === id)).toBe(false);

    const seen = await ok<{ task: { status: string; allowedActions: string[]; separationOfDuties: unknown } }>(
      sam,
      'query($id: ID!) { task(id: $id) { status allowedActions separationOfDuties { notStarter notDeciderOf distinctDeciders } } }',
      { id: task.taskId },
    );
    expect(seen.task).toMatchObject({ status: 'waiting', separationOfDuties: { notStarter: true, notDeciderOf: [], distinctDeciders: false } });
    expect(seen.task.allowedActions).not.toContain('approve');

    const refused = errorOf(await run(sam, APPROVE, { id: task.taskId }));
    expect(refused).toMatchObject({
      path: ['approveTask'],
      extensions: { code: 'SEPARATION_OF_DUTIES', details: { rule: 'notStarter', userId: 'sam-starter', taskId: task.taskId, nodeId: 'check' } },
    });
    const history = await ok<{ workflowInstance: { history: { eventType: string; actorUserId: string | null }[] } }>(admin, 'query($id: ID!) { workflowInstance(id: $id) { history { eventType actorUserId } } }', { id });
    expect(history.workflowInstance.history).toContainEqual({ eventType: 'decision_refused', actorUserId: 'sam-starter' });

    const decided = await ok<{ approveTask: Record<string, unknown> }>(mia, APPROVE, { id: task.taskId });
    expect(decided.approveTask).toEqual({ id: task.taskId, taskId: task.taskId, instanceId: id, status: 'completed', decision: 'approved', vote: null });
    expect(await finished(id)).toBe('completed');
  });
});

describe('claim and release', () => {
  it('a manager claims a role task out of the others\' queues, then gives it back', async () => {
    const definitionId = await define(single('gql-claim', {}));
    const mo = as('mo-manager', ['manager']);
    const mia = as('mia-manager', ['manager']);
    const id = await start(admin, definitionId);
    const task = await taskIn(mo, id);
    const detail = await ok<{ task: { allowedActions: string[] } }>(mo, 'query($id: ID!) { task(id: $id) { allowedActions } }', { id: task.taskId });
    expect(detail.task.allowedActions).toEqual(expect.arrayContaining(['approve', 'reject', 'claim']));

    const claimed = await ok<{ claimTask: QueuedTask & { id: string } }>(mo, `mutation($id: ID!) { claimTask(taskId: $id, comments: "mine") { id ${TASK_FIELDS} } }`, { id: task.taskId });
    expect(claimed.claimTask).toMatchObject({ id: task.taskId, assignedUserId: 'mo-manager', assignedRole: 'manager', claimedAt: expect.any(String) });
    expect((await queue(mia)).some((t) => t.taskId === task.taskId)).toBe(false);
    expect(errorOf(await run(mo, 'mutation($id: ID!) { claimTask(taskId: $id) { id } }', { id: task.taskId })).extensions?.code).toBe('NOT_CLAIMABLE');
    // a node without returnTo cannot be sent back
    expect(errorOf(await run(mo, 'mutation($id: ID!) { returnTask(taskId: $id, comments: "why") { id } }', { id: task.taskId })).extensions?.code).toBe('RETURN_NOT_ALLOWED');

    const released = await ok<{ releaseTask: QueuedTask }>(mo, `mutation($id: ID!) { releaseTask(taskId: $id) { ${TASK_FIELDS} } }`, { id: task.taskId });
    expect(released.releaseTask).toMatchObject({ assignedUserId: null, assignedRole: 'manager', claimedAt: null });
    expect(errorOf(await run(mo, 'mutation($id: ID!) { releaseTask(taskId: $id) { id } }', { id: task.taskId })).extensions?.code).toBe('NOT_CLAIMED');
    expect((await queue(mia)).some((t) => t.taskId === task.taskId)).toBe(true);

    const events = await ok<{ workflowInstance: { history: { eventType: string }[] } }>(admin, 'query($id: ID!) { workflowInstance(id: $id) { history { eventType } } }', { id });
    expect(events.workflowInstance.history.map((e) => e.eventType)).toEqual(expect.arrayContaining(['task_claimed', 'task_released']));
  });
});

describe('return for revision', () => {
  it('a review sends the request back with what to revise, and gets it again', async () => {
    const definitionId = await define({
      name: 'gql-return',
      nodes: [
        { id: 'request', nodeType: 'user_task', name: 'Request', assigneeRole: 'clerk' },
        { id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'manager', returnTo: 'request', maxRounds: 2 },
      ],
      routes: [{ fromNodeId: 'request', toNodeId: 'review' }],
    });
    const cleo = as('cleo-clerk', ['clerk']);
    const mo = as('mo-manager', ['manager']);
    const id = await start(admin, definitionId);
    const COMPLETE = 'mutation($id: ID!, $data: JSONObject!) { completeTask(taskId: $id, data: $data) { status } }';
    const RETURN = 'mutation($id: ID!, $comments: String!) { returnTask(taskId: $id, comments: $comments) { id status decision } }';

    const first = await taskIn(cleo, id, 'request');
    await ok(cleo, COMPLETE, { id: first.taskId, data: { amount: 120 } });
    const review = await taskIn(mo, id, 'review');
    // REST's order: the task first, then the argument (comments must say something)
    const blank = errorOf(await run(mo, RETURN, { id: review.taskId, comments: '   ' }));
    expect(blank.extensions).toMatchObject({ code: 'COMMENTS_REQUIRED' });
    // the clerk took part in the instance: she sees the review, but it is not hers to decide
    expect(errorOf(await run(cleo, RETURN, { id: review.taskId, comments: 'x' })).extensions?.code).toBe('NOT_TASK_ASSIGNEE');

    const returned = await ok<{ returnTask: unknown }>(mo, RETURN, { id: review.taskId, comments: 'Attach the receipts' });
    expect(returned.returnTask).toEqual({ id: review.taskId, status: 'completed', decision: 'returned' });

    const again = await taskIn(cleo, id, 'request');
    expect(again.taskId).not.toBe(first.taskId);
    const revised = await ok<{ task: Record<string, unknown> }>(cleo, 'query($id: ID!) { task(id: $id) { status nodeType revision { round fromNodeId by comments at } } }', { id: again.taskId });
    expect(revised.task).toEqual({ status: 'waiting', nodeType: 'user_task', revision: { round: 1, fromNodeId: 'review', by: 'mo-manager', comments: 'Attach the receipts', at: expect.any(String) } });
    const sentBack = await ok<{ task: Record<string, unknown> }>(mo, 'query($id: ID!) { task(id: $id) { status decision decidedBy comments } }', { id: review.taskId });
    expect(sentBack.task).toEqual({ status: 'completed', decision: 'returned', decidedBy: 'mo-manager', comments: 'Attach the receipts' });

    await ok(cleo, COMPLETE, { id: again.taskId, data: { amount: 120, receipts: true } });
    const second = await taskIn(mo, id, 'review');
    const detail = await ok<{ task: { returnTo: string; rounds: unknown; allowedActions: string[] } }>(mo, 'query($id: ID!) { task(id: $id) { returnTo rounds { used max } allowedActions } }', { id: second.taskId });
    expect(detail.task).toMatchObject({ returnTo: 'request', rounds: { used: 1, max: 2 } });
    expect(detail.task.allowedActions).toContain('return');
    await ok(mo, APPROVE, { id: second.taskId });
    expect(await finished(id)).toBe('completed');
  });
});

describe('quorum', () => {
  it('two of three voters decide; each voter\'s stream hears the task arrive, and leave once they voted or it was decided', async () => {
    const definitionId = await define(single('gql-quorum', { approverRole: undefined, quorum: { voters: { users: ['vic', 'val', 'vera'] }, required: 2 } }));
    const SUBSCRIPTION = 'subscription { taskQueueChanged { change taskId instanceId task { taskId nodeId candidateUsers assignedRole } } }';
    const subscribe = (user: string) => {
      const s = new SseSubscription(served.url, as(user), SUBSCRIPTION);
      subscriptions.push(s);
      return s;
    };
    const [vic, vera, outsider] = [subscribe('vic'), subscribe('vera'), subscribe('otto')];
    expect(await Promise.all([vic.opened, vera.opened, outsider.opened])).toEqual([200, 200, 200]);

    const id = await start(admin, definitionId);
    type Change = { change: string; taskId: string; instanceId: string; task: { taskId: string; nodeId: string; candidateUsers: string[]; assignedRole: string | null } | null };
    const ofThis = (kind: string) => (c: Change) => c.instanceId === id && c.change === kind;
    const arrived = await vic.waitForChange<Change>(ofThis('ENTERED'), 15_000);
    expect(arrived.task).toEqual({ taskId: arrived.taskId, nodeId: 'check', candidateUsers: ['vic', 'val', 'vera'], assignedRole: null });
    const taskId = arrived.taskId;
    await vera.waitForChange<Change>(ofThis('ENTERED'));

    const first = await ok<{ approveTask: unknown }>(as('vic'), APPROVE, { id: taskId, comments: 'fine by me' });
    expect(first.approveTask).toEqual({ id: taskId, taskId, instanceId: id, status: 'waiting', decision: null, vote: { decision: 'approved', approvals: 1, rejections: 0, required: 2, outcome: null } });
    await vic.waitForChange<Change>(ofThis('LEFT'));
    expect((await vera.waitForChange<Change>(ofThis('UPDATED'))).task?.taskId).toBe(taskId);
    expect(errorOf(await run(as('vic'), APPROVE, { id: taskId })).extensions?.code).toBe('ALREADY_VOTED');
    expect(errorOf(await run(as('vera'), 'mutation($id: ID!) { delegateTask(taskId: $id, toUserId: "otto") { id } }', { id: taskId })).extensions?.code).toBe('NOT_FOR_QUORUM');
    // an admin sees the tally but does not vote for others
    const tally = await ok<{ task: { quorum: unknown; allowedActions: string[] } }>(
      admin,
      'query($id: ID!) { task(id: $id) { allowedActions quorum { required approvals rejections electorate rejectPolicy votes { userId onBehalfOf decision comments at } } } }',
      { id: taskId },
    );
    expect(tally.task).toEqual({
      allowedActions: [],
      quorum: { required: 2, approvals: 1, rejections: 0, electorate: 3, rejectPolicy: 'any', votes: [{ userId: 'vic', onBehalfOf: null, decision: 'approved', comments: 'fine by me', at: expect.any(String) }] },
    });

    const second = await ok<{ approveTask: unknown }>(as('val'), APPROVE, { id: taskId });
    expect(second.approveTask).toEqual({ id: taskId, taskId, instanceId: id, status: 'completed', decision: 'approved', vote: { decision: 'approved', approvals: 2, rejections: 0, required: 2, outcome: 'approved' } });
    await vera.waitForChange<Change>(ofThis('LEFT'));
    expect(await finished(id)).toBe('completed');

    // vic, who left when voting, is not told again that the task left; otto heard nothing
    await new Promise((r) => setTimeout(r, 300));
    expect(vic.changes<Change>().filter((c) => c.instanceId === id).map((c) => c.change)).toEqual(['ENTERED', 'LEFT']);
    expect(vera.changes<Change>().filter((c) => c.instanceId === id).map((c) => c.change)).toEqual(['ENTERED', 'UPDATED', 'LEFT']);
    expect(outsider.changes()).toEqual([]);
  });
});

describe('bulk', () => {
  it('approves what it may, and answers each refused task with its REST status and code', async () => {
    const definitionId = await define(single('gql-bulk', { notStarter: true }));
    const bo = as('bo-manager', ['manager']);
    const a = await start(admin, definitionId);
    const b = await start(admin, definitionId);
    const own = await start(bo, definitionId);
    const ta = (await taskIn(bo, a)).taskId;
    const tb = (await taskIn(bo, b)).taskId;
    const town = (await taskIn(as('mia-manager', ['manager']), own)).taskId;
    const ghost = '00000000-0000-4000-8000-0000000000ff';

    const BULK = `mutation($action: String!, $ids: [ID!]!) { bulkDecideTasks(action: $action, taskIds: $ids, comments: "batch") {
      action succeeded failed results { taskId status ok decision { status decision } task { taskId } error { code message details } } } }`;
    const d = await ok<{ bulkDecideTasks: { action: string; succeeded: number; failed: number; results: Record<string, unknown>[] } }>(bo, BULK, { action: 'approve', ids: [ta, tb, town, ghost] });
    expect(d.bulkDecideTasks).toMatchObject({ action: 'approve', succeeded: 2, failed: 2 });
    expect(d.bulkDecideTasks.results).toEqual([
      { taskId: ta, status: 200, ok: true, decision: { status: 'completed', decision: 'approved' }, task: null, error: null },
      { taskId: tb, status: 200, ok: true, decision: { status: 'completed', decision: 'approved' }, task: null, error: null },
      { taskId: town, status: 403, ok: false, decision: null, task: null, error: { code: 'SEPARATION_OF_DUTIES', message: expect.any(String), details: expect.objectContaining({ rule: 'notStarter', userId: 'bo-manager' }) } },
      { taskId: ghost, status: 404, ok: false, decision: null, task: null, error: { code: 'NOT_FOUND', message: expect.any(String), details: null } },
    ]);
    expect(await finished(a)).toBe('completed');
    expect(await finished(b)).toBe('completed');
    expect(await statusOf(own)).toBe('running');

    const wrong = errorOf(await run(bo, BULK, { action: 'archive', ids: [] }));
    expect(wrong.extensions?.code).toBe('VALIDATION_FAILED');
    expect((wrong.extensions?.details as { path: string }[]).map((p) => p.path).sort()).toEqual(['action', 'taskIds']);
  });
});

describe('comments', () => {
  it('adds a comment to an instance\'s thread and reads it on the instance and on a filtered list', async () => {
    const definitionId = await define(single('gql-comments', {}));
    const mo = as('mo-manager', ['manager']);
    const id = await start(admin, definitionId, { contextEntityType: 'invoice', contextEntityId: 'INV-77' });
    await taskIn(mo, id);
    const COMMENT = 'mutation($id: ID!, $text: String!) { commentOnInstance(instanceId: $id, text: $text) { id instanceId authorUserId text createdAt } }';
    const added = await ok<{ commentOnInstance: Record<string, unknown> }>(mo, COMMENT, { id, text: 'Checked with finance' });
    expect(added.commentOnInstance).toEqual({ id: expect.any(String), instanceId: id, authorUserId: 'mo-manager', text: 'Checked with finance', createdAt: expect.any(String) });
    expect(errorOf(await run(mo, COMMENT, { id, text: ' ' })).extensions?.code).toBe('VALIDATION_FAILED');
    expect(errorOf(await run(as('otto'), COMMENT, { id, text: 'hello' })).extensions?.code).toBe('NOT_FOUND');

    const read = await ok<{ workflowInstance: { comments: unknown[]; history: { eventType: string }[] } }>(mo, 'query($id: ID!) { workflowInstance(id: $id) { comments { authorUserId text } history { eventType } } }', { id });
    expect(read.workflowInstance.comments).toEqual([{ authorUserId: 'mo-manager', text: 'Checked with finance' }]);
    expect(read.workflowInstance.history.map((e) => e.eventType)).toContain('comment_added');

    const listed = await ok<{ workflowInstances: { id: string; comments: { text: string }[] }[] }>(
      admin,
      '{ workflowInstances(contextEntityType: "invoice", contextEntityId: "INV-77") { id comments { text } } }',
    );
    expect(listed.workflowInstances).toEqual([{ id, comments: [{ text: 'Checked with finance' }] }]);
  });
});

describe('instance filters', () => {
  it('filters by business key, starter and time ranges, with REST\'s checks', async () => {
    const definitionId = await define(single('gql-filters', {}));
    const before = new Date(Date.now() - 1000).toISOString();
    const id = await start(as('fil-starter', ['clerk']), definitionId, { contextEntityType: 'order', contextEntityId: 'ORD-1' });
    const LIST = 'query($f: String, $by: String, $type: String) { workflowInstancesPage(startedFrom: $f, startedBy: $by, contextEntityType: $type, limit: 10) { items { id startedBy } nextCursor } }';
    const page = await ok<{ workflowInstancesPage: { items: { id: string }[]; nextCursor: string | null } }>(admin, LIST, { f: before, by: 'fil-starter', type: 'order' });
    expect(page.workflowInstancesPage).toEqual({ items: [{ id, startedBy: 'fil-starter' }], nextCursor: null });
    const later = await ok<{ workflowInstancesPage: { items: unknown[] } }>(admin, LIST, { f: new Date(Date.now() + 3_600_000).toISOString(), by: 'fil-starter' });
    expect(later.workflowInstancesPage.items).toEqual([]);
    const none = await ok<{ workflowInstances: unknown[] }>(admin, '{ workflowInstances(startedBy: "fil-starter", completedFrom: "2020-01-01") { id } }');
    expect(none.workflowInstances).toEqual([]);

    const bad = errorOf(await run(admin, '{ workflowInstances(startedFrom: "yesterday", completedFrom: "2026-02-01", completedTo: "2026-01-01") { id } }'));
    expect(bad.extensions?.code).toBe('VALIDATION_FAILED');
    expect((bad.extensions?.details as { path: string }[]).map((p) => p.path).sort()).toEqual(['completedTo', 'startedFrom']);
  });
});

describe('the operator view and reassignment', () => {
  it('lists the tenant\'s open tasks for admins, and lets a manager role hand a task to a user or a role', async () => {
    const definitionId = await define(single('gql-operator', { managerRole: 'lead' }));
    const id = await start(admin, definitionId, { contextEntityType: 'ticket', contextEntityId: 'T-9' });
    const task = await taskIn(as('mo-manager', ['manager']), id);
    const OPEN = 'query($node: String, $key: String) { openTasks(workflowName: "gql-operator", nodeId: $node, contextEntityId: $key, overdue: false, limit: 5) { taskId nodeId assignedRole } }';
    const open = await ok<{ openTasks: unknown[] }>(admin, OPEN, { node: 'check', key: 'T-9' });
    expect(open.openTasks).toEqual([{ taskId: task.taskId, nodeId: 'check', assignedRole: 'manager' }]);
    expect(errorOf(await run(as('mo-manager', ['manager']), OPEN, {})).extensions?.code).toBe('ADMIN_REQUIRED');
    const paged = await ok<{ openTasksPage: { items: unknown[]; nextCursor: string | null } }>(admin, '{ openTasksPage(workflowName: "gql-operator", role: "manager", limit: 1) { items { taskId } nextCursor } }');
    expect(paged.openTasksPage).toEqual({ items: [{ taskId: task.taskId }], nextCursor: null });
    expect(errorOf(await run(admin, '{ openTasks(olderThanHours: -1) { taskId } }')).extensions).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'olderThanHours' }] });

    const REASSIGN = 'mutation($id: ID!, $user: String, $role: String) { reassignTask(taskId: $id, toUserId: $user, toRole: $role) { taskId assignedUserId assignedRole } }';
    expect(errorOf(await run(as('mo-manager', ['manager']), REASSIGN, { id: task.taskId, user: 'una' })).extensions?.code).toBe('NOT_TASK_MANAGER');
    const lead = as('lea-lead', ['lead']);
    expect(errorOf(await run(lead, REASSIGN, { id: task.taskId, user: 'una', role: 'finance' })).extensions?.code).toBe('VALIDATION_FAILED');
    const toUser = await ok<{ reassignTask: unknown }>(lead, REASSIGN, { id: task.taskId, user: 'una' });
    expect(toUser.reassignTask).toEqual({ taskId: task.taskId, assignedUserId: 'una', assignedRole: 'manager' });
    const toRole = await ok<{ reassignTask: unknown }>(lead, REASSIGN, { id: task.taskId, role: 'finance' });
    expect(toRole.reassignTask).toEqual({ taskId: task.taskId, assignedUserId: null, assignedRole: 'finance' });
    expect((await queue(as('fin', ['finance']))).some((t) => t.taskId === task.taskId)).toBe(true);
  });
});

describe('deputies', () => {
  it('an absent approver names a deputy, who finds and decides the task on their behalf; the window is removed', async () => {
    const definitionId = await define(single('gql-deputy', { approverRole: undefined, approverUserId: 'abe' }));
    const abe = as('abe');
    const dan = as('dan');
    const DECLARE = 'mutation($input: DeputyInput!) { declareDeputy(input: $input) { id userId deputyUserId startsAt endsAt workflows roles createdBy active } }';
    const window = { deputyUserId: 'dan', startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() };
    const declared = await ok<{ declareDeputy: { id: string } }>(abe, DECLARE, { input: window });
    expect(declared.declareDeputy).toEqual({
      id: expect.any(String), userId: 'abe', deputyUserId: 'dan', startsAt: window.startsAt, endsAt: window.endsAt, workflows: null, roles: null, createdBy: 'abe', active: true,
    });
    expect(errorOf(await run(abe, DECLARE, { input: { ...window, deputyUserId: 'abe' } })).extensions?.code).toBe('DEPUTY_IS_SELF');
    expect(errorOf(await run(abe, DECLARE, { input: window })).extensions?.code).toBe('DEPUTY_WINDOW_OVERLAP');
    expect(errorOf(await run(abe, DECLARE, { input: { ...window, startsAt: 'soon' } })).extensions).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'input.startsAt' }] });
    const mine = await ok<{ myDeputies: { id: string }[] }>(dan, '{ myDeputies { id userId } }');
    expect(mine.myDeputies).toEqual([{ id: declared.declareDeputy.id, userId: 'abe' }]);

    const id = await start(admin, definitionId);
    const task = await taskIn(dan, id);
    expect(task).toMatchObject({ assignedUserId: 'abe', onBehalfOf: 'abe' });
    const detail = await ok<{ task: { actingFor: string | null } }>(dan, 'query($id: ID!) { task(id: $id) { actingFor } }', { id: task.taskId });
    expect(detail.task.actingFor).toBe('abe');
    await ok(dan, APPROVE, { id: task.taskId });
    expect(await finished(id)).toBe('completed');
    const decided = await ok<{ task: Record<string, unknown> }>(admin, 'query($id: ID!) { task(id: $id) { decision decidedBy onBehalfOf } }', { id: task.taskId });
    expect(decided.task).toEqual({ decision: 'approved', decidedBy: 'dan', onBehalfOf: 'abe' });

    expect(errorOf(await run(as('otto'), 'mutation($id: ID!) { removeDeputy(id: $id) }', { id: declared.declareDeputy.id })).extensions?.code).toBe('NOT_FOUND');
    expect(await ok(abe, 'mutation($id: ID!) { removeDeputy(id: $id) }', { id: declared.declareDeputy.id })).toEqual({ removeDeputy: true });
    expect((await ok<{ myDeputies: unknown[] }>(abe, '{ myDeputies { id } }')).myDeputies).toEqual([]);
  });
});
