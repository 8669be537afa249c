/**
 * `taskQueueChanged` across processes: the API (this process, no worker of its own) serves the
 * subscriptions; a separate worker process (apps/worker) runs the I/O step and parks the approval
 * it leads to. The task reaches its holder's stream within a second of being written, fed by
 * Postgres at commit; a user of another tenant holding the same role, and a user of the same
 * tenant without it, hear nothing.
 *
 *   lookup (database_query, run by the worker process) --> approve (approval, role manager)
 */
import { signToken } from '@wf/runtime';
import { launchEngine, type EngineProcess } from '@wf/testkit';
import { TENANT_A, TENANT_B, createHarness, sqlAsOwner, type Harness } from '../../testing/engine-harness';
import { codes, graphqlApp, listen, SseSubscription, type GraphqlApp } from './graphql-test-kit';

const SUBSCRIPTION = 'subscription { taskQueueChanged { change taskId instanceId task { taskId taskName workflowName assignedRole urgencyLevel } } }';

let h: Harness;
let gql: GraphqlApp;
let served: Awaited<ReturnType<typeof listen>>;
let worker: EngineProcess | undefined;
const subscriptions: SseSubscription[] = [];
let definitionId: string;

beforeAll(async () => {
  // no worker in this process: only the child process runs steps
  h = await createHarness({ worker: false });
  gql = graphqlApp(h);
  served = await listen(gql.app);
  const created = await gql.run<{ createWorkflowDefinition: { id: string } }>(
    h.token('alice', ['admin']),
    `mutation {
      createWorkflowDefinition(input: {
        name: "Looked-up approval",
        nodes: [
          { id: "lookup", nodeType: "service_task", name: "Look up", serviceType: "database_query", serviceConfig: { sql: "SELECT 1 AS one" } },
          { id: "approve", nodeType: "approval", name: "Approve", approverRole: "manager", slaHours: 8 }
        ],
        routes: [{ fromNodeId: "lookup", toNodeId: "approve" }]
      }) { id }
    }`,
  );
  expect(created.errors).toBeUndefined();
  definitionId = created.data!.createWorkflowDefinition.id;
  worker = launchEngine({ name: 'worker', entry: 'worker', env: { ...process.env, ...h.env, SEED_SAMPLE_WORKFLOW: 'false', LOG_LEVEL: 'info' } });
  await worker.ready;
});

afterAll(async () => {
  for (const s of subscriptions) s.close();
  worker?.signal('SIGKILL');
  await worker?.exited;
  await gql?.close();
  await served?.close();
  await h?.close();
});

function subscribe(token: string, query = SUBSCRIPTION): SseSubscription {
  const s = new SseSubscription(served.url, token, query);
  subscriptions.push(s);
  return s;
}

it('delivers a task parked by a worker process to its holder within a second, and to nobody else', async () => {
  const mo = subscribe(h.token('mo', ['manager']));
  const outsider = subscribe(h.token('eve', ['manager', 'admin'], TENANT_B));
  const clerk = subscribe(h.token('carl', ['clerk']));
  // the answer's head comes once this process listens: what commits from now on is heard
  expect(await Promise.all([mo.opened, outsider.opened, clerk.opened])).toEqual([200, 200, 200]);

  const started = await gql.run<{ startWorkflow: { id: string } }>(h.token('alice', ['admin']), `mutation { startWorkflow(input: { workflowDefinitionId: "${definitionId}" }) { id } }`);
  const instanceId = started.data!.startWorkflow.id;

  await mo.waitForNexts(1, 30_000);
  const [event] = mo.nexts;
  const change = event!.payload.data!['taskQueueChanged'] as { change: string; taskId: string; instanceId: string; task: Record<string, unknown> };
  expect(change).toEqual({
    change: 'ENTERED',
    taskId: expect.any(String),
    instanceId,
    task: { taskId: change.taskId, taskName: 'Approve', workflowName: 'Looked-up approval', assignedRole: 'manager', urgencyLevel: 'NORMAL' },
  });
  // written by the worker process, in the transaction that ran the lookup
  const [row] = await sqlAsOwner<{ created_at: Date; node_id: string }>(
    h.db.url,
    `SELECT n.created_at, n.node_id FROM workflow_instance_nodes n WHERE n.id = $1`,
    [change.taskId],
  );
  expect(row?.node_id).toBe('approve');
  const latencyMs = event!.at - row!.created_at.getTime();
  expect(latencyMs).toBeLessThan(1000);

  // the approval comes from this process: the same stream hears the task leave
  const approved = await gql.run(h.token('mo', ['manager']), `mutation { approveTask(taskId: "${change.taskId}") { status } }`);
  expect(approved.errors).toBeUndefined();
  await mo.waitForNexts(2);
  expect(mo.nexts[1]!.payload.data!['taskQueueChanged']).toEqual({ change: 'LEFT', taskId: change.taskId, instanceId, task: null });

  // nothing for another tenant's manager, nor for a clerk of the same tenant
  await new Promise((r) => setTimeout(r, 1000));
  expect(outsider.nexts).toEqual([]);
  expect(clerk.nexts).toEqual([]);
});

it('refuses a subscription without a token (401) and a query sent to the stream endpoint', async () => {
  const anonymous = new SseSubscription(served.url, '', SUBSCRIPTION);
  subscriptions.push(anonymous);
  expect(await anonymous.opened).toBe(401);
  const query = subscribe(h.token('mo', ['manager']), '{ myPendingTasks { taskId } }');
  expect(await query.opened).toBe(400);
  await new Promise((r) => setTimeout(r, 100));
  expect(JSON.parse(query.text)).toEqual({ errors: [{ message: 'A query goes to /graphql; /graphql/stream serves subscriptions', extensions: { code: 'WRONG_ENDPOINT' } }] });
  // and a subscription sent to /graphql is pointed to the stream
  const wrong = await gql.run(h.token('mo', ['manager']), SUBSCRIPTION);
  expect(wrong.status).toBe(400);
  expect(codes(wrong)).toEqual(['WRONG_ENDPOINT']);
});

it("a task whose holders would not fit a notification's 8000 bytes is still created, and still reaches its holder", async () => {
  const role = `r${'x'.repeat(8100)}`;
  const created = await gql.run<{ createWorkflowDefinition: { id: string } }>(
    h.token('alice', ['admin']),
    `mutation ($role: String) { createWorkflowDefinition(input: { name: "Long role", nodes: [{ id: "approve", nodeType: "approval", name: "Approve", approverRole: $role }], routes: [] }) { id } }`,
    { role },
  );
  expect(created.errors).toBeUndefined();
  const holder = subscribe(h.token('lee', [role]));
  const other = subscribe(h.token('mo', ['manager']));
  expect(await Promise.all([holder.opened, other.opened])).toEqual([200, 200]);
  const started = await gql.run(h.token('alice', ['admin']), `mutation { startWorkflow(input: { workflowDefinitionId: "${created.data!.createWorkflowDefinition.id}" }) { id } }`);
  expect(started.errors).toBeUndefined();
  await holder.waitForNexts(1, 15_000);
  expect((holder.nexts[0]!.payload.data!['taskQueueChanged'] as { change: string }).change).toBe('ENTERED');
  await new Promise((r) => setTimeout(r, 300));
  expect(other.nexts).toEqual([]);
});

it('tells its subscribers to re-read the queue (RESYNC) after its database connection was lost', async () => {
  const mo = subscribe(h.token('mo', ['manager']));
  expect(await mo.opened).toBe(200);
  const killed = await sqlAsOwner<{ pg_terminate_backend: boolean }>(
    h.db.url,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'workflow-api-graphql-feed'`,
  );
  expect(killed.length).toBeGreaterThan(0);
  await mo.waitForNexts(1, 10_000);
  expect(mo.nexts[0]!.payload.data!['taskQueueChanged']).toEqual({ change: 'RESYNC', taskId: null, instanceId: null, task: null });
  // and it hears tasks again afterwards
  const started = await gql.run<{ startWorkflow: { id: string } }>(h.token('alice', ['admin']), `mutation { startWorkflow(input: { workflowDefinitionId: "${definitionId}" }) { id } }`);
  await mo.waitForNexts(2, 15_000);
  expect(mo.nexts[1]!.payload.data!['taskQueueChanged']).toEqual(expect.objectContaining({ change: 'ENTERED', instanceId: started.data!.startWorkflow.id }));
});

it('ends a stream when the token that opened it expires', async () => {
  const shortLived = signToken(h.rt.config.jwtSecret, { tenantId: TENANT_A, userId: 'mo', roles: ['manager'], expiresInSeconds: 2 });
  const s = subscribe(shortLived);
  const opened = Date.now();
  expect(await s.opened).toBe(200);
  await s.ended;
  // `exp` is in whole seconds: one to two seconds away
  expect(Date.now() - opened).toBeGreaterThan(500);
  expect(Date.now() - opened).toBeLessThan(4000);
});
