/**
 * Every node type end to end through the real API, worker, Postgres and Redis: user tasks with
 * forms, service tasks with retries and incidents, sub-workflows, parallel joins, rework loops,
 * cancellation.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { TENANT_A, createHarness, eventually, type Harness } from '../testing/engine-harness';

let h: Harness;
let admin: string;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A local HTTP service that fails `failures` times, then answers; it counts connections. */
function flakyServer() {
  const state = { failures: 0, requests: 0, connections: 0, lastBody: '' };
  const server = createServer((req, res) => {
    state.requests += 1;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      state.lastBody = body;
      if (state.failures > 0) {
        state.failures -= 1;
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ score: 720, echoed: body ? JSON.parse(body) : null }));
    });
  });
  server.on('connection', () => (state.connections += 1));
  return { server, state };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

const flaky = flakyServer();
const forbidden = flakyServer();
let flakyPort: number;
let forbiddenPort: number;

beforeAll(async () => {
  flakyPort = await listen(flaky.server);
  forbiddenPort = await listen(forbidden.server);
  h = await createHarness({
    env: {
      HTTP_CALL_ALLOWED_HOSTS: `127.0.0.1:${flakyPort}`,
      WORKFLOW_MAX_RETRIES: '2',
      WORKFLOW_RETRY_BACKOFF_MS: '50',
      WORKFLOW_MAX_STEPS_PER_INSTANCE: '40',
      WORKFLOW_MAX_SUBWORKFLOW_DEPTH: '3',
    },
  });
  admin = h.token('admin', ['admin']);
});

afterAll(async () => {
  await h.close();
  flaky.server.close();
  forbidden.server.close();
});

async function define(body: object): Promise<string> {
  const res = await h.http().post('/api/definitions').set(auth(admin)).send(body);
  if (res.status !== 201) throw new Error(`definition refused: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function start(definitionId: string, contextData: object = {}, token = admin): Promise<string> {
  const res = await h.http().post('/api/instances').set(auth(token)).send({ workflowDefinitionId: definitionId, contextData });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

type Detail = { status: string; contextData: Record<string, unknown>; parentInstanceId: string | null; nodes: { id: string; nodeId: string; status: string; attempts: number; error: { code: string; message: string } | null }[] };

async function get(id: string): Promise<Detail> {
  return (await h.http().get(`/api/instances/${id}`).set(auth(admin))).body as Detail;
}

async function until(id: string, pred: (d: Detail) => boolean, what: string, timeoutMs = 15_000): Promise<Detail> {
  return eventually(async () => {
    const d = await get(id);
    return pred(d) ? d : undefined;
  }, timeoutMs, what);
}

const finished = (id: string) => until(id, (d) => d.status !== 'running', `instance ${id} to finish`);

async function history(id: string): Promise<string[]> {
  return (await h.http().get(`/api/instances/${id}/history`).set(auth(admin))).body.items.map((i: { eventType: string }) => i.eventType);
}

async function taskOf(token: string, instanceId: string, taskName?: string): Promise<string> {
  return eventually(async () => {
    const res = await h.http().get('/api/tasks/mine').set(auth(token));
    const t = res.body.items.find((x: { instanceId: string; taskName: string }) => x.instanceId === instanceId && (!taskName || x.taskName === taskName));
    return t?.taskId as string | undefined;
  }, 10_000, `task ${taskName ?? ''} of ${instanceId}`);
}

describe('user_task', () => {
  const form = {
    type: 'object',
    required: ['supplierName', 'rating'],
    properties: { supplierName: { type: 'string', minLength: 1 }, rating: { type: 'integer', minimum: 1, maximum: 5 } },
  };
  let defId: string;
  beforeAll(async () => {
    defId = await define({
      name: 'Supplier onboarding',
      nodes: [
        { id: 'details', nodeType: 'user_task', name: 'Enter details', assigneeRole: 'buyer', formSchema: form },
        { id: 'check', nodeType: 'gateway', name: 'Good rating?', conditionExpression: 'context.rating >= 3' },
        { id: 'approve', nodeType: 'approval', name: 'Approve supplier', approverRole: 'buyer' },
        { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { onboarded: true } } },
      ],
      routes: [
        { fromNodeId: 'details', toNodeId: 'check' },
        { fromNodeId: 'check', toNodeId: 'approve', condition: 'true' },
        { fromNodeId: 'check', toNodeId: 'done', condition: 'false' },
        { fromNodeId: 'approve', toNodeId: 'done' },
      ],
    });
  });

  it('validates submitted data against the form, merges it into the context and routes on', async () => {
    const buyer = h.token('bea', ['buyer']);
    const id = await start(defId);
    const task = await taskOf(buyer, id, 'Enter details');
    const bad = await h.http().post(`/api/tasks/${task}/complete`).set(auth(buyer)).send({ data: { supplierName: '', rating: 9 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('FORM_VALIDATION_FAILED');
    expect(bad.body.error.details.length).toBeGreaterThanOrEqual(2);
    // approve and reject are for approvals only
    expect((await h.http().post(`/api/tasks/${task}/approve`).set(auth(buyer)).send({})).status).toBe(409);
    expect((await h.http().post(`/api/tasks/${task}/reject`).set(auth(buyer)).send({})).status).toBe(409);

    const ok = await h.http().post(`/api/tasks/${task}/complete`).set(auth(buyer)).send({ data: { supplierName: 'Acme', rating: 4 } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ taskId: task, instanceId: id, status: 'completed' });
    const approval = await taskOf(buyer, id, 'Approve supplier');
    // complete is for user tasks only
    expect((await h.http().post(`/api/tasks/${approval}/complete`).set(auth(buyer)).send({ data: {} })).status).toBe(409);
    expect((await h.http().post(`/api/tasks/${approval}/approve`).set(auth(buyer)).send({})).status).toBe(200);
    const done = await finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ supplierName: 'Acme', rating: 4, onboarded: true });
    expect(await history(id)).toContain('task_completed');
  });
});

describe('service_task', () => {
  it('retries a failing http_call, fails the instance when retries run out, and completes after an operator retry', async () => {
    const defId = await define({
      name: 'Credit check',
      nodes: [
        {
          id: 'score',
          nodeType: 'service_task',
          name: 'Fetch score',
          serviceType: 'http_call',
          serviceConfig: {
            url: `http://127.0.0.1:${flakyPort}/score/{{ context.customerId }}`,
            method: 'POST',
            body: { customer: '{{ context.customerId }}' },
            resultVariable: 'credit',
            timeoutMs: 2000,
          },
        },
        { id: 'decide', nodeType: 'gateway', name: 'Good?', conditionExpression: 'context.credit.score > 700' },
        { id: 'ok', nodeType: 'service_task', name: 'OK', serviceType: 'set_context', serviceConfig: { values: { verdict: 'good' } } },
      ],
      routes: [
        { fromNodeId: 'score', toNodeId: 'decide' },
        { fromNodeId: 'decide', toNodeId: 'ok', condition: 'true' },
      ],
    });
    flaky.state.failures = 5;
    flaky.state.requests = 0;
    const id = await start(defId, { customerId: 'c-42' });
    const failed = await finished(id);
    expect(failed.status).toBe('failed');
    // 1 + WORKFLOW_MAX_RETRIES attempts
    expect(flaky.state.requests).toBe(3);
    const node = failed.nodes.find((n) => n.nodeId === 'score')!;
    expect(node.status).toBe('failed');
    expect(node.attempts).toBe(3);
    expect(node.error?.message).toMatch(/503/);
    const events = await history(id);
    expect(events).toEqual(expect.arrayContaining(['node_failed', 'instance_failed']));

    // the service recovers; an operator retries
    flaky.state.failures = 0;
    const retried = await h.http().post(`/api/instances/${id}/retry`).set(auth(admin));
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('running');
    const done = await finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toMatchObject({ customerId: 'c-42', credit: { score: 720, echoed: { customer: 'c-42' } }, verdict: 'good' });
    expect(await history(id)).toContain('instance_retried');
    // retry is for failed instances only
    expect((await h.http().post(`/api/instances/${id}/retry`).set(auth(admin))).status).toBe(409);
  });

  it('refuses an http_call to a loopback address not on the allow-list without opening a connection', async () => {
    const defId = await define({
      name: 'Sneaky call',
      nodes: [
        { id: 'call', nodeType: 'service_task', name: 'Call', serviceType: 'http_call', serviceConfig: { url: `http://127.0.0.1:${forbiddenPort}/admin`, method: 'GET' } },
      ],
      routes: [],
    });
    forbidden.state.connections = 0;
    const id = await start(defId);
    const failed = await finished(id);
    expect(failed.status).toBe('failed');
    expect(failed.nodes[0]!.error?.code).toBe('DESTINATION_REFUSED');
    // refused at once: not retried
    expect(failed.nodes[0]!.attempts).toBe(1);
    expect(forbidden.state.connections).toBe(0);
  });

  it('runs database_query with hostile context values as data, never as SQL', async () => {
    // database_query reaches only the business tables the operator grants workflow_query.
    const owner = new Client({ connectionString: h.db.url });
    await owner.connect();
    await owner.query(`
      CREATE TABLE suppliers (tenant_id uuid NOT NULL, name text NOT NULL);
      ALTER TABLE suppliers ENABLE ROW LEVEL SECURITY;
      CREATE POLICY suppliers_tenant ON suppliers USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
      GRANT SELECT ON suppliers TO workflow_query;
      INSERT INTO suppliers VALUES ('${TENANT_A}', 'Acme'), ('${TENANT_A}', 'Globex'), ('00000000-0000-0000-0000-0000000000bb', 'Other tenant');
    `);
    try {
      const hostile = "x'); DROP TABLE suppliers; --";
      const defId = await define({
        name: 'Lookup',
        nodes: [
          {
            id: 'q',
            nodeType: 'service_task',
            name: 'Query',
            serviceType: 'database_query',
            serviceConfig: { sql: 'SELECT $1::text AS name, $2::text AS quote, count(*)::int AS suppliers FROM suppliers', params: ['context.name', 'context.quote'], resultVariable: 'rows' },
          },
        ],
        routes: [],
      });
      const id = await start(defId, { name: hostile, quote: `O'Brien "the" ;` });
      const done = await finished(id);
      expect(done.status).toBe('completed');
      const rows = done.contextData['rows'] as { name: string; quote: string; suppliers: number }[];
      expect(rows[0]!.name).toBe(hostile);
      expect(rows[0]!.quote).toBe(`O'Brien "the" ;`);
      expect(rows[0]!.suppliers).toBe(2);
      const still = await owner.query(`SELECT to_regclass('suppliers') IS NOT NULL AS present`);
      expect(still.rows[0].present).toBe(true);
    } finally {
      await owner.query('DROP TABLE suppliers');
      await owner.end();
    }
  });

  it('sends email_send through the recording transport when no SMTP_URL is set', async () => {
    const defId = await define({
      name: 'Notify',
      nodes: [
        { id: 'mail', nodeType: 'service_task', name: 'Mail', serviceType: 'email_send', serviceConfig: { to: '{{ context.email }}', subject: 'PO {{ context.po }} approved', body: 'Amount {{ context.amount }}' } },
      ],
      routes: [],
    });
    const id = await start(defId, { email: 'buyer@example.com', po: 'PO-9', amount: 1200 });
    expect((await finished(id)).status).toBe('completed');
    const outbox = (h.rt.handlers.get('email_send') as unknown as { outbox: { to: string; subject: string; text?: string; body?: string }[] }).outbox;
    expect(outbox.some((m) => m.to === 'buyer@example.com' && m.subject === 'PO PO-9 approved')).toBe(true);
  });
});

describe('sub_workflow', () => {
  it("drives the parent's gateway with the child's result and links the child to the parent", async () => {
    await define({
      name: 'Risk assessment',
      nodes: [{ id: 'assess', nodeType: 'service_task', name: 'Assess', serviceType: 'set_context', serviceConfig: { values: { risk: 'low' } } }],
      routes: [],
    });
    const parentDef = await define({
      name: 'Loan',
      nodes: [
        { id: 'risk', nodeType: 'sub_workflow', name: 'Risk', subWorkflowName: 'Risk assessment', outputMapping: { riskLevel: 'context.risk' } },
        { id: 'route', nodeType: 'gateway', name: 'Low risk?', conditionExpression: 'context.riskLevel == "low"' },
        { id: 'auto', nodeType: 'service_task', name: 'Auto approve', serviceType: 'set_context', serviceConfig: { values: { decision: 'auto' } } },
        { id: 'manual', nodeType: 'approval', name: 'Manual', approverRole: 'credit' },
      ],
      routes: [
        { fromNodeId: 'risk', toNodeId: 'route' },
        { fromNodeId: 'route', toNodeId: 'auto', condition: 'true' },
        { fromNodeId: 'route', toNodeId: 'manual', condition: 'false' },
      ],
    });
    const id = await start(parentDef, { applicant: 'ann' });
    const done = await finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ applicant: 'ann', riskLevel: 'low', decision: 'auto' });
    const children = (await h.http().get('/api/instances').query({ workflowName: 'Risk assessment' }).set(auth(admin))).body.items;
    const child = children.find((c: { parentInstanceId: string }) => c.parentInstanceId === id);
    expect(child).toMatchObject({ triggerType: 'sub_workflow', status: 'completed', parentInstanceId: id });
  });

  it('rejects the parent when the child is rejected, and fails the parent node when the child fails', async () => {
    await define({
      name: 'Inner approval',
      nodes: [{ id: 'a', nodeType: 'approval', name: 'Inner', approverRole: 'inner' }],
      routes: [],
    });
    const parentDef = await define({
      name: 'Outer',
      nodes: [{ id: 'sub', nodeType: 'sub_workflow', name: 'Sub', subWorkflowName: 'Inner approval' }],
      routes: [],
    });
    const inner = h.token('ivy', ['inner']);
    const id = await start(parentDef);
    const child = await eventually(async () => {
      const items = (await h.http().get('/api/instances').query({ workflowName: 'Inner approval' }).set(auth(admin))).body.items;
      return items.find((c: { parentInstanceId: string }) => c.parentInstanceId === id)?.id as string | undefined;
    });
    const task = await taskOf(inner, child);
    expect((await h.http().post(`/api/tasks/${task}/reject`).set(auth(inner)).send({})).status).toBe(200);
    expect((await finished(id)).status).toBe('rejected');

    // a failed child fails the parent node
    await define({
      name: 'Broken child',
      nodes: [{ id: 'g', nodeType: 'gateway', name: 'G', conditionExpression: 'context.nothing == 1' }, { id: 'x', nodeType: 'approval', name: 'X', approverRole: 'x' }],
      routes: [{ fromNodeId: 'g', toNodeId: 'x', condition: 'true' }],
    });
    const parent2 = await define({ name: 'Outer2', nodes: [{ id: 'sub', nodeType: 'sub_workflow', name: 'Sub', subWorkflowName: 'Broken child' }], routes: [] });
    const id2 = await start(parent2);
    const failed = await finished(id2);
    expect(failed.status).toBe('failed');
    expect(failed.nodes[0]!.error?.code).toBe('SUBWORKFLOW_FAILED');
  });

  it('stops a workflow that calls itself at the depth limit', async () => {
    const defId = await define({
      name: 'Forever',
      nodes: [{ id: 'again', nodeType: 'sub_workflow', name: 'Again', subWorkflowName: 'Forever' }],
      routes: [],
    });
    const id = await start(defId);
    const failed = await finished(id);
    expect(failed.status).toBe('failed');
    // the innermost instance failed at the limit; the failure travelled up
    const all = (await h.http().get('/api/instances').query({ workflowName: 'Forever' }).set(auth(admin))).body.items as { status: string }[];
    expect(all).toHaveLength(4);
    expect(all.every((i) => i.status === 'failed')).toBe(true);
    const innermost = await eventually(async () => {
      for (const i of all as unknown as { id: string }[]) {
        const d = await get(i.id);
        if (d.nodes[0]?.error?.code === 'SUBWORKFLOW_DEPTH_EXCEEDED') return d;
      }
      return undefined;
    });
    expect(innermost.nodes[0]!.error!.message).toMatch(/WORKFLOW_MAX_SUBWORKFLOW_DEPTH/);
  });
});

describe('routing', () => {
  /**
   *          +--> legal_approval ---+
   *   fork --+                      +--> join (join: true) --> notify
   *          +--> finance_approval -+
   */
  it('completes a parallel fork with two approvals only after both, running the node after the join once', async () => {
    const defId = await define({
      name: 'Contract',
      nodes: [
        { id: 'fork', nodeType: 'gateway', name: 'Fork', gatewayType: 'parallel' },
        { id: 'legal', nodeType: 'approval', name: 'Legal', approverRole: 'legal' },
        { id: 'finance', nodeType: 'approval', name: 'Finance', approverRole: 'finance' },
        { id: 'join', nodeType: 'gateway', name: 'Join', gatewayType: 'parallel', join: true },
        { id: 'notify', nodeType: 'service_task', name: 'Notify', serviceType: 'set_context', serviceConfig: { values: { signed: true } } },
      ],
      routes: [
        { fromNodeId: 'fork', toNodeId: 'legal' },
        { fromNodeId: 'fork', toNodeId: 'finance' },
        { fromNodeId: 'legal', toNodeId: 'join' },
        { fromNodeId: 'finance', toNodeId: 'join' },
        { fromNodeId: 'join', toNodeId: 'notify' },
      ],
    });
    const legal = h.token('lee', ['legal']);
    const finance = h.token('fin', ['finance']);
    const id = await start(defId);
    const legalTask = await taskOf(legal, id);
    const financeTask = await taskOf(finance, id);
    expect((await h.http().post(`/api/tasks/${legalTask}/approve`).set(auth(legal)).send({})).status).toBe(200);
    // the join waits for the finance branch
    await new Promise((r) => setTimeout(r, 500));
    const midway = await get(id);
    expect(midway.status).toBe('running');
    expect(midway.nodes.filter((n) => n.nodeId === 'notify')).toHaveLength(0);
    expect((await h.http().post(`/api/tasks/${financeTask}/approve`).set(auth(finance)).send({})).status).toBe(200);
    const done = await finished(id);
    expect(done.status).toBe('completed');
    expect(done.nodes.filter((n) => n.nodeId === 'notify')).toHaveLength(1);
    expect(done.nodes.filter((n) => n.nodeId === 'join')).toHaveLength(1);
    expect(done.contextData).toEqual({ signed: true });
  });

  /**
   *   draft(user_task) --> review(approval) --approved--> publish
   *        ^------------------rejected---------+
   */
  it('completes a rework loop, and stops a runaway loop at the step limit', async () => {
    const defId = await define({
      name: 'Rework',
      startNodeId: 'draft',
      nodes: [
        { id: 'draft', nodeType: 'user_task', name: 'Draft', assigneeRole: 'author' },
        { id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'editor' },
        { id: 'publish', nodeType: 'service_task', name: 'Publish', serviceType: 'set_context', serviceConfig: { values: { published: true } } },
      ],
      routes: [
        { fromNodeId: 'draft', toNodeId: 'review' },
        { fromNodeId: 'review', toNodeId: 'publish' },
        { fromNodeId: 'review', toNodeId: 'draft', condition: 'rejected' },
      ],
    });
    const author = h.token('ann', ['author']);
    const editor = h.token('ed', ['editor']);
    const id = await start(defId);
    await h.http().post(`/api/tasks/${await taskOf(author, id)}/complete`).set(auth(author)).send({ data: { text: 'v1' } });
    await h.http().post(`/api/tasks/${await taskOf(editor, id)}/reject`).set(auth(editor)).send({ comments: 'tighten it' });
    await h.http().post(`/api/tasks/${await taskOf(author, id)}/complete`).set(auth(author)).send({ data: { text: 'v2' } });
    await h.http().post(`/api/tasks/${await taskOf(editor, id)}/approve`).set(auth(editor)).send({});
    const done = await finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ text: 'v2', published: true });
    expect(done.nodes.filter((n) => n.nodeId === 'draft')).toHaveLength(2);

    const loopDef = await define({
      name: 'Runaway',
      startNodeId: 'spin',
      nodes: [
        { id: 'spin', nodeType: 'gateway', name: 'Spin', conditionExpression: 'true' },
        { id: 'tick', nodeType: 'service_task', name: 'Tick', serviceType: 'set_context', serviceConfig: { values: { ticked: true } } },
      ],
      routes: [
        { fromNodeId: 'spin', toNodeId: 'tick', condition: 'true' },
        { fromNodeId: 'tick', toNodeId: 'spin' },
      ],
    });
    const loop = await start(loopDef);
    const stopped = await finished(loop);
    expect(stopped.status).toBe('failed');
    const last = stopped.nodes.at(-1)!;
    expect(last.error?.code).toBe('STEP_LIMIT_EXCEEDED');
    expect(last.error?.message).toMatch(/WORKFLOW_MAX_STEPS_PER_INSTANCE \(40\)/);
  });

  it('fails a gateway where nothing matches and no default route exists, with a clear error', async () => {
    const defId = await define({
      name: 'Dead end',
      nodes: [
        { id: 'g', nodeType: 'gateway', name: 'G', conditionExpression: 'context.n > 5' },
        { id: 'big', nodeType: 'service_task', name: 'Big', serviceType: 'set_context', serviceConfig: { values: { big: true } } },
      ],
      routes: [{ fromNodeId: 'g', toNodeId: 'big', condition: 'true' }],
    });
    const failed = await finished(await start(defId, { n: 1 }));
    expect(failed.status).toBe('failed');
    expect(failed.nodes[0]!.error?.code).toBe('NO_ROUTE_MATCHED');
  });
});

describe('cancel', () => {
  it('closes the instance, removes its tasks from every queue, and answers 409 to a decision on them', async () => {
    const defId = await define({
      name: 'Two approvals',
      nodes: [
        { id: 'fork', nodeType: 'gateway', name: 'Fork', gatewayType: 'parallel' },
        { id: 'a', nodeType: 'approval', name: 'A', approverRole: 'ra' },
        { id: 'b', nodeType: 'approval', name: 'B', approverUserId: 'bob' },
      ],
      routes: [{ fromNodeId: 'fork', toNodeId: 'a' }, { fromNodeId: 'fork', toNodeId: 'b' }],
    });
    const starter = h.token('sam', ['clerk']);
    const ra = h.token('rae', ['ra']);
    const bob = h.token('bob', []);
    const id = await start(defId, {}, starter);
    const taskA = await taskOf(ra, id);
    await taskOf(bob, id);
    // another user may not cancel it; its starter may
    expect((await h.http().post(`/api/instances/${id}/cancel`).set(auth(ra))).status).toBe(403);
    const cancelled = await h.http().post(`/api/instances/${id}/cancel`).set(auth(starter));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    for (const token of [ra, bob]) {
      const queue = (await h.http().get('/api/tasks/mine').set(auth(token))).body.items;
      expect(queue.filter((t: { instanceId: string }) => t.instanceId === id)).toEqual([]);
    }
    const decided = await h.http().post(`/api/tasks/${taskA}/approve`).set(auth(ra)).send({});
    expect(decided.status).toBe(409);
    const detail = await get(id);
    expect(detail.nodes.filter((n) => n.nodeId !== 'fork').every((n) => n.status === 'cancelled')).toBe(true);
    expect(await history(id)).toContain('instance_cancelled');
    expect((await h.http().post(`/api/instances/${id}/cancel`).set(auth(admin))).status).toBe(409);
  });

  it('records the reason given with a cancel on the instance and in its history, and refuses a bad one', async () => {
    const defId = await define({ name: 'Cancel with reason', nodes: [{ id: 'a', nodeType: 'approval', name: 'A', approverRole: 'ra' }], routes: [] });
    const id = await start(defId);
    const bad = await h.http().post(`/api/instances/${id}/cancel`).set(auth(admin)).send({ reason: 'x'.repeat(1001) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('reason');
    const unknown = await h.http().post(`/api/instances/${id}/cancel`).set(auth(admin)).send({ why: 'typo' });
    expect(unknown.status).toBe(400);
    const cancelled = await h.http().post(`/api/instances/${id}/cancel`).set(auth(admin)).send({ reason: 'supplier withdrew the offer' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancelReason).toBe('supplier withdrew the offer');
    expect((await get(id) as unknown as { cancelReason: string }).cancelReason).toBe('supplier withdrew the offer');
    const items = (await h.http().get(`/api/instances/${id}/history`).set(auth(admin))).body.items as { eventType: string; details: { reason: string } }[];
    expect(items.find((e) => e.eventType === 'instance_cancelled')!.details.reason).toBe('supplier withdrew the offer');
  });

  it('cancels the children of a cancelled parent', async () => {
    await define({ name: 'Slow child', nodes: [{ id: 'wait', nodeType: 'approval', name: 'Wait', approverRole: 'nobody' }], routes: [] });
    const parentDef = await define({ name: 'Parent of slow', nodes: [{ id: 'sub', nodeType: 'sub_workflow', name: 'Sub', subWorkflowName: 'Slow child' }], routes: [] });
    const id = await start(parentDef);
    const childId = await eventually(async () => {
      const items = (await h.http().get('/api/instances').query({ workflowName: 'Slow child' }).set(auth(admin))).body.items;
      return items.find((c: { parentInstanceId: string }) => c.parentInstanceId === id)?.id as string | undefined;
    });
    expect((await h.http().post(`/api/instances/${id}/cancel`).set(auth(admin))).status).toBe(200);
    expect((await get(childId)).status).toBe('cancelled');
    expect((await get(id)).status).toBe('cancelled');
  });
});
