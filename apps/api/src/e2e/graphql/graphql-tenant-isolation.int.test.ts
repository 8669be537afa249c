/**
 * Tenant isolation through GraphQL: tenant A holds a definition (started by hand and by an event),
 * an instance and a waiting task. A token of tenant B, with every role A's objects mention, gets
 * NOT_FOUND or an empty list for every query and mutation that names or lists them, exactly the
 * answer it gets for ids that exist nowhere, and its subscription hears nothing of A's tasks.
 *
 *   approve (approval, role manager)
 */
import { randomUUID } from 'node:crypto';
import { TENANT_B, createHarness, eventually, type Harness } from '../../testing/engine-harness';
import { codes, graphqlApp, listen, SseSubscription, type GraphqlApp } from './graphql-test-kit';

let h: Harness;
let gql: GraphqlApp;
let tokenA: string;
let tokenB: string;
const a = { definitionId: '', instanceId: '', taskId: '', name: 'Isolated approval', eventType: 'isolation.test' };

beforeAll(async () => {
  h = await createHarness();
  gql = graphqlApp(h);
  tokenA = h.token('ann', ['admin', 'manager']);
  tokenB = h.token('ann', ['admin', 'manager'], TENANT_B);
  const created = await gql.run<{ createWorkflowDefinition: { id: string } }>(
    tokenA,
    `mutation { createWorkflowDefinition(input: {
       name: "${a.name}",
       nodes: [{ id: "approve", nodeType: "approval", name: "Approve", approverRole: "manager", slaHours: 8 }],
       routes: [],
       triggers: [{ type: "event", eventType: "${a.eventType}" }]
     }) { id } }`,
  );
  a.definitionId = created.data!.createWorkflowDefinition.id;
  const started = await gql.run<{ startWorkflow: { id: string } }>(tokenA, `mutation { startWorkflow(input: { workflowDefinitionId: "${a.definitionId}", contextData: { amount: 1 } }) { id } }`);
  a.instanceId = started.data!.startWorkflow.id;
  a.taskId = await eventually(async () => {
    const q = await gql.run<{ myPendingTasks: { taskId: string }[] }>(tokenA, '{ myPendingTasks { taskId } }');
    return q.data?.myPendingTasks[0]?.taskId;
  }, 15_000, "A's task");
});

afterAll(async () => {
  await gql?.close();
  await h?.close();
});

/** Every list answers empty for B. */
const LISTS: [string, string][] = [
  ['workflowDefinitions', '{ workflowDefinitions { id } }'],
  ['workflowDefinitionsPage', '{ workflowDefinitionsPage { items { id } nextCursor } }'],
  ['workflowInstances', '{ workflowInstances { id } }'],
  ['workflowInstancesPage', '{ workflowInstancesPage { items { id } nextCursor } }'],
  ['myPendingTasks', '{ myPendingTasks { taskId } }'],
  ['myPendingTasksPage', '{ myPendingTasksPage { items { taskId } nextCursor } }'],
  ['workflowAnalytics', '{ workflowAnalytics { workflowName } }'],
];

/** Every operation on one of A's objects; `$id` is that object's id. */
const BY_ID: [string, string, keyof typeof a][] = [
  ['workflowDefinition', 'query ($id: ID!) { workflowDefinition(id: $id) { id } }', 'definitionId'],
  ['workflowInstance', 'query ($id: ID!) { workflowInstance(id: $id) { id nodes { id } history { id } } }', 'instanceId'],
  ['verifyWorkflowHistory', 'query ($id: ID!) { verifyWorkflowHistory(instanceId: $id) { valid } }', 'instanceId'],
  ['activateWorkflowDefinition', 'mutation ($id: ID!) { activateWorkflowDefinition(id: $id) { id } }', 'definitionId'],
  ['deactivateWorkflowDefinition', 'mutation ($id: ID!) { deactivateWorkflowDefinition(id: $id) { id } }', 'definitionId'],
  ['startWorkflow', 'mutation ($id: ID!) { startWorkflow(input: { workflowDefinitionId: $id }) { id } }', 'definitionId'],
  ['cancelWorkflowInstance', 'mutation ($id: ID!) { cancelWorkflowInstance(id: $id) { id } }', 'instanceId'],
  ['retryWorkflowInstance', 'mutation ($id: ID!) { retryWorkflowInstance(id: $id) { id } }', 'instanceId'],
  ['approveTask', 'mutation ($id: ID!) { approveTask(taskId: $id) { id } }', 'taskId'],
  ['rejectTask', 'mutation ($id: ID!) { rejectTask(taskId: $id) { id } }', 'taskId'],
  ['delegateTask', 'mutation ($id: ID!) { delegateTask(taskId: $id, toUserId: "mallory") { id } }', 'taskId'],
  ['completeTask', 'mutation ($id: ID!) { completeTask(taskId: $id, data: {}) { id } }', 'taskId'],
];

describe("tenant B's token", () => {
  it.each(LISTS)('gets an empty %s', async (_name, query) => {
    const b = await gql.run<Record<string, unknown>>(tokenB, query);
    expect(b.errors).toBeUndefined();
    const value = Object.values(b.data ?? {})[0];
    expect(Array.isArray(value) ? value : (value as { items: unknown[] }).items).toEqual([]);
    // while tenant A's own token sees its objects there (analytics included)
    const own = await gql.run<Record<string, unknown>>(tokenA, query);
    const ownValue = Object.values(own.data ?? {})[0];
    expect((Array.isArray(ownValue) ? ownValue : (ownValue as { items: unknown[] }).items).length).toBeGreaterThan(0);
  });

  it.each(BY_ID)("gets NOT_FOUND from %s on A's object, as for an id that exists nowhere", async (name, query, which) => {
    const b = await gql.run(tokenB, query, { id: a[which] });
    expect(codes(b)).toEqual(['NOT_FOUND']);
    expect(b.data).toEqual({ [name]: null });
    const nowhere = await gql.run(tokenB, query, { id: randomUUID() });
    expect(nowhere.errors?.map((e) => [e.extensions?.code, e.message.replace(/[0-9a-f-]{36}/g, '<id>')])).toEqual(b.errors?.map((e) => [e.extensions?.code, e.message.replace(/[0-9a-f-]{36}/g, '<id>')]));
  });

  it("starts nothing by A's workflow name or event, exactly as for names that exist nowhere", async () => {
    const byName = await gql.run(tokenB, `mutation { startWorkflow(input: { workflowName: "${a.name}" }) { id } }`);
    const unknownName = await gql.run(tokenB, 'mutation { startWorkflow(input: { workflowName: "No such workflow" }) { id } }');
    expect(codes(byName)).toEqual(codes(unknownName));
    expect(codes(byName)).toEqual(['NO_ACTIVE_VERSION']);
    const event = await gql.run(tokenB, `mutation { publishEvent(input: { eventType: "${a.eventType}" }) { startedInstanceIds } }`);
    expect(event.data).toEqual({ publishEvent: { startedInstanceIds: [] } });
  });

  it("creates its own version 1 under A's workflow name", async () => {
    const b = await gql.run<{ createWorkflowDefinition: { version: number } }>(
      tokenB,
      `mutation { createWorkflowDefinition(input: { name: "${a.name}", nodes: [{ id: "approve", nodeType: "approval", name: "Approve", approverRole: "manager" }], routes: [] }) { version } }`,
    );
    expect(b.data).toEqual({ createWorkflowDefinition: { version: 1 } });
  });

  it("left A's objects as they were", async () => {
    const own = await gql.run<{ workflowInstance: { status: string }; workflowDefinition: { isActive: boolean }; myPendingTasks: { taskId: string }[] }>(
      tokenA,
      `query ($i: ID!, $d: ID!) { workflowInstance(id: $i) { status } workflowDefinition(id: $d) { isActive } myPendingTasks { taskId } }`,
      { i: a.instanceId, d: a.definitionId },
    );
    expect(own.data).toEqual({ workflowInstance: { status: 'running' }, workflowDefinition: { isActive: true }, myPendingTasks: [{ taskId: a.taskId }] });
  });

  it("hears nothing of A's task queue, while A's manager does", async () => {
    const served = await listen(gql.app);
    const ofA = new SseSubscription(served.url, h.token('mo', ['manager']), 'subscription { taskQueueChanged { change taskId } }');
    const ofB = new SseSubscription(served.url, h.token('mo', ['manager', 'admin'], TENANT_B), 'subscription { taskQueueChanged { change taskId task { taskId } } }');
    try {
      expect(await Promise.all([ofA.opened, ofB.opened])).toEqual([200, 200]);
      // a new task in A's manager queue, and A's existing task leaving it
      await gql.run(tokenA, `mutation { startWorkflow(input: { workflowDefinitionId: "${a.definitionId}" }) { id } }`);
      await gql.run(tokenA, `mutation { approveTask(taskId: "${a.taskId}") { id } }`);
      await ofA.waitForNexts(2, 15_000);
      expect(ofA.nexts.map((n) => (n.payload.data!['taskQueueChanged'] as { change: string }).change).sort()).toEqual(['ENTERED', 'LEFT']);
      await new Promise((r) => setTimeout(r, 500));
      expect(ofB.nexts).toEqual([]);
    } finally {
      ofA.close();
      ofB.close();
      await served.close();
    }
  });
});
