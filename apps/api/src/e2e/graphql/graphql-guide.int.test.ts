/**
 * The deployment guide's GraphQL documents (fixtures/deployment-guide.*.graphql, copied from
 * ../shared/DEPLOYMENT-GUIDE.md character for character), sent in the guide's order to a live
 * engine with only the `uuid-of-...` placeholders replaced by real ids:
 *
 *   manager_approval --> amount_check --true--> cfo_approval --> complete
 *                                     \--false-------------------^
 *
 * The guide's own CreateWorkflow leaves its `complete` node (a database_query) without SQL: the
 * engine refuses it (INVALID_DEFINITION naming the missing field), not GraphQL. With a complete
 * service node the same document creates version 1, then version 2.
 */
import { randomUUID } from 'node:crypto';
import { OffsetClock } from '@wf/runtime/testing';
import { createHarness, eventually, type Harness } from '../../testing/engine-harness';
import { codes, fixture, graphqlApp, type GraphqlApp } from './graphql-test-kit';

const CREATE = fixture('deployment-guide.create-workflow.graphql');
const CREATE_COMPLETE = fixture('create-workflow.complete.graphql');
const QUERIES = fixture('deployment-guide.test-queries.graphql');
const MUTATIONS = fixture('deployment-guide.test-mutations.graphql');

const clock = new OffsetClock();
let h: Harness;
let gql: GraphqlApp;
/** the development token's user: admin, manager and cfo */
let token: string;

beforeAll(async () => {
  h = await createHarness({ clock });
  gql = graphqlApp(h);
  token = h.token('dev-admin', ['admin', 'manager', 'cfo']);
});

afterAll(async () => {
  await gql?.close();
  await h?.close();
});

interface Definition {
  id: string;
  name: string;
  version: number;
  isActive: boolean;
}

interface TaskRow {
  taskId: string;
  workflowName: string;
  taskName: string;
  urgencyLevel: string;
  hoursRemaining: number;
  isOverdue: boolean;
}

/** The task of `nodeName` in the caller's queue, once the worker has parked it. */
async function taskNamed(instanceId: string, nodeName: string): Promise<string> {
  return eventually(async () => {
    const a = await gql.run<{ myPendingTasks: { taskId: string; instanceId: string; taskName: string }[] }>(token, '{ myPendingTasks { taskId instanceId taskName } }');
    return a.data?.myPendingTasks.find((t) => t.instanceId === instanceId && t.taskName === nodeName)?.taskId;
  }, 15_000, `${nodeName} in the queue`);
}

describe("the deployment guide's documents, in order", () => {
  let v2: Definition;
  let instanceId: string;
  const poId = randomUUID();

  it("CreateWorkflow as the guide writes it: the engine's INVALID_DEFINITION naming the missing sql", async () => {
    const a = await gql.run(token, CREATE);
    expect(a.status).toBe(200);
    expect(a.data).toEqual({ createWorkflowDefinition: null });
    expect(codes(a)).toEqual(['INVALID_DEFINITION']);
    const [error] = a.errors ?? [];
    expect(error?.path).toEqual(['createWorkflowDefinition']);
    expect(error?.message).toBe('the definition has 1 problem');
    expect(error?.extensions?.details).toEqual([{ path: 'nodes[3].serviceConfig.sql', message: 'database_query needs serviceConfig.sql, a string' }]);
  });

  it('the same document with a complete service node creates version 1, then version 2', async () => {
    const first = await gql.run<{ createWorkflowDefinition: Definition }>(token, CREATE_COMPLETE);
    expect(first.errors).toBeUndefined();
    expect(first.data?.createWorkflowDefinition).toEqual({ id: expect.any(String), name: 'Purchase Order Approval', version: 1, isActive: true });
    const second = await gql.run<{ createWorkflowDefinition: Definition }>(token, CREATE_COMPLETE);
    expect(second.errors).toBeUndefined();
    expect(second.data?.createWorkflowDefinition).toEqual({ id: expect.any(String), name: 'Purchase Order Approval', version: 2, isActive: true });
    v2 = second.data!.createWorkflowDefinition;
  });

  it('GetWorkflows lists both active versions with their nodes', async () => {
    const a = await gql.run<{ workflowDefinitions: (Definition & { category: string; nodes: { id: string; nodeType: string; name: string }[] })[] }>(token, QUERIES, undefined, 'GetWorkflows');
    expect(a.errors).toBeUndefined();
    const nodes = [
      { id: 'manager_approval', nodeType: 'approval', name: 'Manager Approval' },
      { id: 'amount_check', nodeType: 'gateway', name: 'Check Amount' },
      { id: 'cfo_approval', nodeType: 'approval', name: 'CFO Approval' },
      { id: 'complete', nodeType: 'service_task', name: 'Complete Order' },
    ];
    expect(a.data?.workflowDefinitions).toEqual([
      { id: v2.id, name: 'Purchase Order Approval', version: 2, category: 'approval', nodes },
      { id: expect.any(String), name: 'Purchase Order Approval', version: 1, category: 'approval', nodes },
    ]);
  });

  it('StartWorkflow starts the instance', async () => {
    const doc = MUTATIONS.replace('uuid-of-workflow-def', v2.id).replace('uuid-of-po', poId);
    const a = await gql.run<{ startWorkflow: { id: string; status: string; workflowName: string } }>(token, doc, undefined, 'StartWorkflow');
    expect(a.errors).toBeUndefined();
    expect(a.data?.startWorkflow).toEqual({ id: expect.any(String), status: 'running', workflowName: 'Purchase Order Approval' });
    instanceId = a.data!.startWorkflow.id;
    const detail = await gql.run<{ workflowInstance: { contextEntityType: string; contextEntityId: string; contextData: unknown; workflowVersion: number } }>(
      token,
      `query ($id: ID!) { workflowInstance(id: $id) { contextEntityType contextEntityId contextData workflowVersion } }`,
      { id: instanceId },
    );
    expect(detail.data?.workflowInstance).toEqual({ contextEntityType: 'purchase_order', contextEntityId: poId, contextData: { amount: 15000 }, workflowVersion: 2 });
  });

  it('GetMyTasks shows the manager approval once it is urgent', async () => {
    await taskNamed(instanceId, 'Manager Approval');
    // the approval is due in 24 hours; 21 hours on, 3 are left: URGENT (TASK_QUEUE_URGENT_THRESHOLD_HOURS 4)
    const before = await gql.run<{ myPendingTasks: TaskRow[] }>(token, QUERIES, undefined, 'GetMyTasks');
    expect(before.data?.myPendingTasks).toEqual([]);
    clock.advance(21 * 3600 * 1000);
    const a = await gql.run<{ myPendingTasks: TaskRow[] }>(token, QUERIES, undefined, 'GetMyTasks');
    expect(a.errors).toBeUndefined();
    expect(a.data?.myPendingTasks).toEqual([
      { taskId: expect.any(String), workflowName: 'Purchase Order Approval', taskName: 'Manager Approval', urgencyLevel: 'URGENT', hoursRemaining: expect.any(Number), isOverdue: false },
    ]);
    const hours = a.data!.myPendingTasks[0]!.hoursRemaining;
    expect(hours).toBeGreaterThan(2.9);
    expect(hours).toBeLessThanOrEqual(3);
  });

  it('ApproveTask approves it, and a second approval is TASK_NOT_WAITING', async () => {
    const taskId = await taskNamed(instanceId, 'Manager Approval');
    const doc = MUTATIONS.replace('uuid-of-task', taskId);
    const a = await gql.run<{ approveTask: { id: string; status: string } }>(token, doc, undefined, 'ApproveTask');
    expect(a.errors).toBeUndefined();
    expect(a.data?.approveTask).toEqual({ id: taskId, status: 'completed' });
    const again = await gql.run(token, doc, undefined, 'ApproveTask');
    expect(codes(again)).toEqual(['TASK_NOT_WAITING']);
    expect(again.data).toEqual({ approveTask: null });
  });

  it('15,000 takes the CFO branch; approving it completes the instance', async () => {
    const cfoTask = await taskNamed(instanceId, 'CFO Approval');
    const a = await gql.run<{ approveTask: { id: string; status: string } }>(token, MUTATIONS.replace('uuid-of-task', cfoTask), undefined, 'ApproveTask');
    expect(a.data?.approveTask).toEqual({ id: cfoTask, status: 'completed' });
    const done = await eventually(async () => {
      const d = await gql.run<{ workflowInstance: { status: string; nodes: { nodeId: string; status: string; decision: string | null }[]; history: { eventType: string }[] } }>(
        token,
        `query ($id: ID!) { workflowInstance(id: $id) { status nodes { nodeId status decision } history { eventType } } }`,
        { id: instanceId },
      );
      return d.data?.workflowInstance.status === 'completed' ? d.data.workflowInstance : undefined;
    }, 15_000, 'the instance completed');
    expect(done.nodes).toEqual([
      { nodeId: 'manager_approval', status: 'completed', decision: 'approved' },
      { nodeId: 'amount_check', status: 'completed', decision: null },
      { nodeId: 'cfo_approval', status: 'completed', decision: 'approved' },
      { nodeId: 'complete', status: 'completed', decision: null },
    ]);
    expect(done.history.map((e) => e.eventType)).toEqual(expect.arrayContaining(['instance_started', 'task_approved', 'instance_completed']));
    const verified = await gql.run(token, `query ($id: ID!) { verifyWorkflowHistory(instanceId: $id) { valid checked brokenAt } }`, { id: instanceId });
    expect(verified.data).toEqual({ verifyWorkflowHistory: { valid: true, checked: done.history.length, brokenAt: null } });
  });

  it('GetAnalytics counts it', async () => {
    const a = await gql.run<{ workflowAnalytics: { workflowName: string; totalInstances: number; slaCompliancePercentage: number | null; avgCompletionHours: number | null }[] }>(
      token,
      QUERIES,
      undefined,
      'GetAnalytics',
    );
    expect(a.errors).toBeUndefined();
    expect(a.data?.workflowAnalytics).toEqual([{ workflowName: 'Purchase Order Approval', totalInstances: 1, slaCompliancePercentage: 100, avgCompletionHours: expect.any(Number) }]);
  });
});

describe('errors carry the REST codes', () => {
  it('NOT_FOUND for a task that does not exist, INVALID_ID for one that is not a UUID', async () => {
    const missing = await gql.run(token, `mutation { approveTask(taskId: "${randomUUID()}") { id } }`);
    expect(codes(missing)).toEqual(['NOT_FOUND']);
    const malformed = await gql.run(token, 'mutation { rejectTask(taskId: "42") { id } }');
    expect(codes(malformed)).toEqual(['INVALID_ID']);
    expect(malformed.errors?.[0]?.extensions?.details).toEqual([{ path: 'taskId', message: 'must be a UUID' }]);
  });

  it('ADMIN_REQUIRED for a definition created without the admin role', async () => {
    const a = await gql.run(h.token('mo', ['manager']), CREATE_COMPLETE);
    expect(codes(a)).toEqual(['ADMIN_REQUIRED']);
  });

  it('VALIDATION_FAILED with every problem, paths named after the arguments', async () => {
    const a = await gql.run(token, '{ myPendingTasks(urgencyLevel: "SOON", limit: 900) { taskId } }');
    expect(codes(a)).toEqual(['VALIDATION_FAILED']);
    expect(a.errors?.[0]?.extensions?.details).toEqual([
      { path: 'limit', message: 'must be an integer from 1 to 500' },
      { path: 'urgencyLevel', message: expect.stringContaining('OVERDUE') },
    ]);
    const start = await gql.run(token, 'mutation { startWorkflow(input: { contextEntityType: "po" }) { id } }');
    expect(codes(start)).toEqual(['VALIDATION_FAILED']);
    expect(start.errors?.[0]?.extensions?.details).toEqual([{ path: 'input', message: 'give exactly one of workflowDefinitionId or workflowName' }]);
  });

  it('INVALID_CURSOR for a cursor the API did not hand out; pages follow nextCursor', async () => {
    const bad = await gql.run(token, '{ workflowDefinitionsPage(cursor: "nope") { nextCursor } }');
    expect(codes(bad)).toEqual(['INVALID_CURSOR']);
    const first = await gql.run<{ workflowDefinitionsPage: { items: { version: number }[]; nextCursor: string | null } }>(token, '{ workflowDefinitionsPage(limit: 1) { items { version } nextCursor } }');
    expect(first.data?.workflowDefinitionsPage.items).toEqual([{ version: 2 }]);
    const next = await gql.run<{ workflowDefinitionsPage: { items: { version: number }[]; nextCursor: string | null } }>(
      token,
      'query ($c: String) { workflowDefinitionsPage(limit: 1, cursor: $c) { items { version } nextCursor } }',
      { c: first.data!.workflowDefinitionsPage.nextCursor },
    );
    expect(next.data?.workflowDefinitionsPage).toEqual({ items: [{ version: 1 }], nextCursor: null });
  });
});
