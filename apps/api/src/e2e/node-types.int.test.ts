/**
 * Every node type end to end through the real API, worker, Postgres and Redis: user tasks with
 * forms, service tasks with retries and incidents, sub-workflows, parallel joins, rework loops,
 * cancellation.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { definition } from '@wf/testkit/definitions';
import { TENANT_A, createHarness, eventually, type Harness } from '../testing/engine-harness';
import type { UserClient } from '../testing/user-client';

let h: Harness;
let admin: UserClient;

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
  admin = h.as('admin', ['admin']);
});

afterAll(async () => {
  await h.close();
  flaky.server.close();
  forbidden.server.close();
});

/** The first child instance of `parentId` among the instances of `workflowName`, once it exists. */
function childOf(parentId: string, workflowName: string): Promise<string> {
  return eventually(async () => {
    const items = (await admin.get('/api/instances', { workflowName })).body.items as { id: string; parentInstanceId: string }[];
    return items.find((c) => c.parentInstanceId === parentId)?.id;
  }, 10_000, `a ${workflowName} child of ${parentId}`);
}

describe('user_task', () => {
  const form = {
    type: 'object',
    required: ['supplierName', 'rating'],
    properties: { supplierName: { type: 'string', minLength: 1 }, rating: { type: 'integer', minimum: 1, maximum: 5 } },
  };
  let defId: string;
  beforeAll(async () => {
    defId = await admin.define(
      definition('Supplier onboarding')
        .userTask('details', { assigneeRole: 'buyer', formSchema: form })
        .gateway('check', 'context.rating >= 3')
        .approval('approve', { approverRole: 'buyer' })
        .setContext('done', { onboarded: true })
        .route('details', 'check')
        .route('check', 'approve', 'true')
        .route('check', 'done', 'false')
        .route('approve', 'done')
        .build(),
    );
  });

  it('validates submitted data against the form, merges it into the context and routes on', async () => {
    const buyer = h.as('bea', ['buyer']);
    const id = await admin.start(defId);
    const task = await buyer.taskFor(id, 'details');
    const bad = await buyer.post(`/api/tasks/${task}/complete`, { data: { supplierName: '', rating: 9 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('FORM_VALIDATION_FAILED');
    expect(bad.body.error.details.length).toBeGreaterThanOrEqual(2);
    // approve and reject are for approvals only
    expect((await buyer.post(`/api/tasks/${task}/approve`, {})).status).toBe(409);
    expect((await buyer.post(`/api/tasks/${task}/reject`, {})).status).toBe(409);

    expect(await buyer.complete(task, { supplierName: 'Acme', rating: 4 })).toEqual({ taskId: task, instanceId: id, status: 'completed' });
    const approval = await buyer.taskFor(id, 'approve');
    // complete is for user tasks only
    expect((await buyer.post(`/api/tasks/${approval}/complete`, { data: {} })).status).toBe(409);
    await buyer.approve(approval);
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ supplierName: 'Acme', rating: 4, onboarded: true });
    expect(await admin.events(id)).toContain('task_completed');
  });
});

describe('service_task', () => {
  it('retries a failing http_call, fails the instance when retries run out, and completes after an operator retry', async () => {
    const defId = await admin.define(
      definition('Credit check')
        .service('score', 'http_call', {
          url: `http://127.0.0.1:${flakyPort}/score/{{ context.customerId }}`,
          method: 'POST',
          body: { customer: '{{ context.customerId }}' },
          resultVariable: 'credit',
          timeoutMs: 2000,
        })
        .gateway('decide', 'context.credit.score > 700')
        .setContext('ok', { verdict: 'good' })
        .route('score', 'decide')
        .route('decide', 'ok', 'true')
        .build(),
    );
    flaky.state.failures = 5;
    flaky.state.requests = 0;
    const id = await admin.start(defId, { customerId: 'c-42' });
    const failed = await admin.finished(id);
    expect(failed.status).toBe('failed');
    // 1 + WORKFLOW_MAX_RETRIES attempts
    expect(flaky.state.requests).toBe(3);
    const node = failed.nodes.find((n) => n.nodeId === 'score')!;
    expect(node.status).toBe('failed');
    expect(node.attempts).toBe(3);
    expect(node.error?.message).toMatch(/503/);
    expect(await admin.events(id)).toEqual(expect.arrayContaining(['node_failed', 'instance_failed']));

    // the service recovers; an operator retries
    flaky.state.failures = 0;
    const retried = await admin.post(`/api/instances/${id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('running');
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toMatchObject({ customerId: 'c-42', credit: { score: 720, echoed: { customer: 'c-42' } }, verdict: 'good' });
    expect(await admin.events(id)).toContain('instance_retried');
    // retry is for failed instances only
    expect((await admin.post(`/api/instances/${id}/retry`)).status).toBe(409);
  });

  it('refuses an http_call to a loopback address not on the allow-list without opening a connection', async () => {
    const defId = await admin.define(definition('Sneaky call').service('call', 'http_call', { url: `http://127.0.0.1:${forbiddenPort}/admin`, method: 'GET' }).build());
    forbidden.state.connections = 0;
    const failed = await admin.finished(await admin.start(defId));
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
      const defId = await admin.define(
        definition('Lookup')
          .service('q', 'database_query', {
            sql: 'SELECT $1::text AS name, $2::text AS quote, count(*)::int AS suppliers FROM suppliers',
            params: ['context.name', 'context.quote'],
            resultVariable: 'rows',
          })
          .build(),
      );
      const done = await admin.finished(await admin.start(defId, { name: hostile, quote: `O'Brien "the" ;` }));
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
    const defId = await admin.define(
      definition('Notify').service('mail', 'email_send', { to: '{{ context.email }}', subject: 'PO {{ context.po }} approved', body: 'Amount {{ context.amount }}' }).build(),
    );
    const id = await admin.start(defId, { email: 'buyer@example.com', po: 'PO-9', amount: 1200 });
    expect((await admin.finished(id)).status).toBe('completed');
    const outbox = (h.rt.handlers.get('email_send') as unknown as { outbox: { to: string; subject: string; text?: string; body?: string }[] }).outbox;
    expect(outbox.some((m) => m.to === 'buyer@example.com' && m.subject === 'PO PO-9 approved')).toBe(true);
  });
});

describe('sub_workflow', () => {
  it("drives the parent's gateway with the child's result and links the child to the parent", async () => {
    await admin.define(definition('Risk assessment').setContext('assess', { risk: 'low' }).build());
    const parentDef = await admin.define(
      definition('Loan')
        .subWorkflow('risk', 'Risk assessment', { outputMapping: { riskLevel: 'context.risk' } })
        .gateway('route', 'context.riskLevel == "low"')
        .setContext('auto', { decision: 'auto' })
        .approval('manual', { approverRole: 'credit' })
        .route('risk', 'route')
        .route('route', 'auto', 'true')
        .route('route', 'manual', 'false')
        .build(),
    );
    const id = await admin.start(parentDef, { applicant: 'ann' });
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ applicant: 'ann', riskLevel: 'low', decision: 'auto' });
    const children = (await admin.get('/api/instances', { workflowName: 'Risk assessment' })).body.items;
    const child = children.find((c: { parentInstanceId: string }) => c.parentInstanceId === id);
    expect(child).toMatchObject({ triggerType: 'sub_workflow', status: 'completed', parentInstanceId: id });
  });

  it('rejects the parent when the child is rejected, and fails the parent node when the child fails', async () => {
    await admin.define(definition('Inner approval').approval('a', { approverRole: 'inner' }).build());
    const parentDef = await admin.define(definition('Outer').subWorkflow('sub', 'Inner approval').build());
    const inner = h.as('ivy', ['inner']);
    const id = await admin.start(parentDef);
    const child = await childOf(id, 'Inner approval');
    await inner.reject(await inner.taskFor(child));
    expect((await admin.finished(id)).status).toBe('rejected');

    // a failed child fails the parent node
    await admin.define(
      definition('Broken child').gateway('g', 'context.nothing == 1').approval('x', { approverRole: 'x' }).route('g', 'x', 'true').build(),
    );
    const parent2 = await admin.define(definition('Outer2').subWorkflow('sub', 'Broken child').build());
    const failed = await admin.finished(await admin.start(parent2));
    expect(failed.status).toBe('failed');
    expect(failed.nodes[0]!.error?.code).toBe('SUBWORKFLOW_FAILED');
  });

  it('stops a workflow that calls itself at the depth limit', async () => {
    const defId = await admin.define(definition('Forever').subWorkflow('again', 'Forever').build());
    const failed = await admin.finished(await admin.start(defId));
    expect(failed.status).toBe('failed');
    // the innermost instance failed at the limit; the failure travelled up
    const all = (await admin.get('/api/instances', { workflowName: 'Forever' })).body.items as { id: string; status: string }[];
    expect(all).toHaveLength(4);
    expect(all.every((i) => i.status === 'failed')).toBe(true);
    const innermost = await eventually(async () => {
      for (const i of all) {
        const d = await admin.instance(i.id);
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
    const defId = await admin.define(
      definition('Contract')
        .parallel('fork')
        .approval('legal', { approverRole: 'legal' })
        .approval('finance', { approverRole: 'finance' })
        .join('join')
        .setContext('notify', { signed: true })
        .route('fork', 'legal')
        .route('fork', 'finance')
        .route('legal', 'join')
        .route('finance', 'join')
        .route('join', 'notify')
        .build(),
    );
    const legal = h.as('lee', ['legal']);
    const finance = h.as('fin', ['finance']);
    const id = await admin.start(defId);
    const legalTask = await legal.taskFor(id);
    const financeTask = await finance.taskFor(id);
    await legal.approve(legalTask);
    // the legal branch has reached the join, which waits for the finance branch
    const midway = await admin.until(id, (d) => d.nodes.some((n) => n.nodeId === 'join' && n.status === 'waiting'), 'the join to wait');
    expect(midway.status).toBe('running');
    expect(midway.nodes.filter((n) => n.nodeId === 'notify')).toHaveLength(0);
    await finance.approve(financeTask);
    const done = await admin.finished(id);
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
    const defId = await admin.define(
      definition('Rework')
        .userTask('draft', { assigneeRole: 'author' })
        .approval('review', { approverRole: 'editor' })
        .setContext('publish', { published: true })
        .route('draft', 'review')
        .route('review', 'publish')
        .route('review', 'draft', 'rejected')
        .with({ startNodeId: 'draft' })
        .build(),
    );
    const author = h.as('ann', ['author']);
    const editor = h.as('ed', ['editor']);
    const id = await admin.start(defId);
    await author.complete(await author.taskFor(id), { text: 'v1' });
    await editor.reject(await editor.taskFor(id), 'tighten it');
    await author.complete(await author.taskFor(id), { text: 'v2' });
    await editor.approve(await editor.taskFor(id));
    const done = await admin.finished(id);
    expect(done.status).toBe('completed');
    expect(done.contextData).toEqual({ text: 'v2', published: true });
    expect(done.nodes.filter((n) => n.nodeId === 'draft')).toHaveLength(2);

    const loopDef = await admin.define(
      definition('Runaway')
        .gateway('spin', 'true')
        .setContext('tick', { ticked: true })
        .route('spin', 'tick', 'true')
        .route('tick', 'spin')
        .with({ startNodeId: 'spin' })
        .build(),
    );
    const stopped = await admin.finished(await admin.start(loopDef));
    expect(stopped.status).toBe('failed');
    const last = stopped.nodes.at(-1)!;
    expect(last.error?.code).toBe('STEP_LIMIT_EXCEEDED');
    expect(last.error?.message).toMatch(/WORKFLOW_MAX_STEPS_PER_INSTANCE \(40\)/);
  });

  it('fails a gateway where nothing matches and no default route exists, with a clear error', async () => {
    const defId = await admin.define(definition('Dead end').gateway('g', 'context.n > 5').setContext('big', { big: true }).route('g', 'big', 'true').build());
    const failed = await admin.finished(await admin.start(defId, { n: 1 }));
    expect(failed.status).toBe('failed');
    expect(failed.nodes[0]!.error?.code).toBe('NO_ROUTE_MATCHED');
  });
});

describe('cancel', () => {
  it('closes the instance, removes its tasks from every queue, and answers 409 to a decision on them', async () => {
    const defId = await admin.define(
      definition('Two approvals')
        .parallel('fork')
        .approval('a', { approverRole: 'ra' })
        .approval('b', { approverUserId: 'bob' })
        .route('fork', 'a')
        .route('fork', 'b')
        .build(),
    );
    const starter = h.as('sam', ['clerk']);
    const ra = h.as('rae', ['ra']);
    const bob = h.as('bob', []);
    const id = await starter.start(defId);
    const taskA = await ra.taskFor(id);
    await bob.taskFor(id);
    // another user may not cancel it; its starter may
    expect((await ra.post(`/api/instances/${id}/cancel`)).status).toBe(403);
    const cancelled = await starter.post(`/api/instances/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    for (const user of [ra, bob]) {
      expect((await user.tasks()).filter((t) => t.instanceId === id)).toEqual([]);
    }
    expect((await ra.post(`/api/tasks/${taskA}/approve`, {})).status).toBe(409);
    const detail = await admin.instance(id);
    expect(detail.nodes.filter((n) => n.nodeId !== 'fork').every((n) => n.status === 'cancelled')).toBe(true);
    expect(await admin.events(id)).toContain('instance_cancelled');
    expect((await admin.post(`/api/instances/${id}/cancel`)).status).toBe(409);
  });

  it('records the reason given with a cancel on the instance and in its history, and refuses a bad one', async () => {
    const defId = await admin.define(definition('Cancel with reason').approval('a', { approverRole: 'ra' }).build());
    const id = await admin.start(defId);
    const bad = await admin.post(`/api/instances/${id}/cancel`, { reason: 'x'.repeat(1001) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('reason');
    const unknown = await admin.post(`/api/instances/${id}/cancel`, { why: 'typo' });
    expect(unknown.status).toBe(400);
    const cancelled = await admin.post(`/api/instances/${id}/cancel`, { reason: 'supplier withdrew the offer' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cancelReason).toBe('supplier withdrew the offer');
    expect((await admin.instance(id)).cancelReason).toBe('supplier withdrew the offer');
    const items = await admin.history(id);
    expect(items.find((e) => e.eventType === 'instance_cancelled')!.details['reason']).toBe('supplier withdrew the offer');
  });

  it('cancels the children of a cancelled parent', async () => {
    await admin.define(definition('Slow child').approval('wait', { approverRole: 'nobody' }).build());
    const parentDef = await admin.define(definition('Parent of slow').subWorkflow('sub', 'Slow child').build());
    const id = await admin.start(parentDef);
    const childId = await childOf(id, 'Slow child');
    expect((await admin.post(`/api/instances/${id}/cancel`)).status).toBe(200);
    expect((await admin.instance(childId)).status).toBe('cancelled');
    expect((await admin.instance(id)).status).toBe('cancelled');
  });
});
