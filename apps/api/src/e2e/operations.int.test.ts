/** Analytics, the tamper-evident history, the OpenAPI document, and a fuzz of every endpoint. */
import { createHarness, eventually, sqlAsOwner, type Harness } from '../testing/engine-harness';
import { purchaseOrderDefinition } from '@wf/runtime/testing';

let h: Harness;
let admin: string;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

async function owner<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return sqlAsOwner<T>(h.db.url, text, params);
}

beforeAll(async () => {
  h = await createHarness({ env: { MAX_BODY_BYTES: '65536' } });
  admin = h.token('admin', ['admin', 'approver']);
});
afterAll(() => h.close());

async function finished(id: string) {
  return eventually(async () => {
    const d = (await h.http().get(`/api/instances/${id}`).set(auth(admin))).body;
    return d.status !== 'running' ? d : undefined;
  });
}

async function oneApprovalRun(defId: string, decision: 'approve' | 'reject' | null): Promise<string> {
  const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
  const task = await eventually(async () => {
    const items = (await h.http().get('/api/tasks/mine').set(auth(admin))).body.items;
    return items.find((t: { instanceId: string }) => t.instanceId === id)?.taskId as string | undefined;
  });
  if (decision) {
    expect((await h.http().post(`/api/tasks/${task}/${decision}`).set(auth(admin)).send({})).status).toBe(200);
    await finished(id);
  }
  return id;
}

describe('analytics', () => {
  it('reports totals, SLA compliance and average completion hours of a known scenario', async () => {
    const empty = await h.http().get('/api/analytics/workflows').set(auth(admin));
    expect(empty.status).toBe(200);
    expect(empty.body.items).toEqual([]);

    const def = { name: 'Expense', slaHours: 10, nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK', approverRole: 'approver' }], routes: [] };
    const v1 = (await h.http().post('/api/definitions').set(auth(admin)).send(def)).body.id as string;
    const v2 = (await h.http().post('/api/definitions').set(auth(admin)).send(def)).body.id as string;
    const onTime = await oneApprovalRun(v1, 'approve');
    const late = await oneApprovalRun(v2, 'approve');
    const rejected = await oneApprovalRun(v1, 'reject');
    await oneApprovalRun(v2, null); // still running
    // known durations: completed ones took 2 and 4 hours; the late one finished past its deadline
    await owner(`UPDATE workflow_instances SET started_at = completed_at - interval '2 hours' WHERE id = $1`, [onTime]);
    await owner(`UPDATE workflow_instances SET started_at = completed_at - interval '4 hours', sla_deadline = completed_at - interval '1 minute' WHERE id = $1`, [late]);
    expect(rejected).toBeDefined();

    const res = await h.http().get('/api/analytics/workflows').set(auth(admin));
    expect(res.body.items).toEqual([
      {
        workflowName: 'Expense',
        totalInstances: 4,
        runningInstances: 1,
        completedInstances: 2,
        rejectedInstances: 1,
        failedInstances: 0,
        cancelledInstances: 0,
        // 2 of 3 finished met their deadline
        slaCompliancePercentage: 66.67,
        avgCompletionHours: 3,
      },
    ]);
    // another tenant sees none of it
    const other = await h.http().get('/api/analytics/workflows').set(auth(h.token('x', ['admin'], '0b000000-0000-4000-8000-00000000000b')));
    expect(other.body.items).toEqual([]);
  });
});

describe('tamper-evident history', () => {
  it('verifies untouched history and names the first row altered behind the trigger', async () => {
    const defId = (await h.http().post('/api/definitions').set(auth(admin)).send(purchaseOrderDefinition('Audited'))).body.id as string;
    const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId, contextData: { amount: 5 } })).body.id as string;
    const task = await eventually(async () => (await h.http().get('/api/tasks/mine').set(auth(h.token('m', ['manager'])))).body.items.find((t: { instanceId: string }) => t.instanceId === id)?.taskId as string | undefined);
    // four eyes: the starter (admin) may not approve their own order
    await h.http().post(`/api/tasks/${task}/approve`).set(auth(h.token('m', ['manager']))).send({ comments: 'fine' });
    await finished(id);

    const ok = await h.http().get(`/api/instances/${id}/history/verify`).set(auth(admin));
    expect(ok.status).toBe(200);
    const history = (await h.http().get(`/api/instances/${id}/history`).set(auth(admin))).body.items as { id: string; eventType: string }[];
    expect(ok.body).toEqual({ valid: true, checked: history.length, brokenAt: null });

    const target = history.find((e) => e.eventType === 'task_approved')!;
    await owner(`ALTER TABLE workflow_instance_history DISABLE TRIGGER trg_workflow_instance_history_append_only`);
    try {
      await owner(`UPDATE workflow_instance_history SET details = jsonb_set(details, '{comments}', '"rubber-stamped"') WHERE id = $1`, [target.id]);
    } finally {
      await owner(`ALTER TABLE workflow_instance_history ENABLE TRIGGER trg_workflow_instance_history_append_only`);
    }
    const broken = await h.http().get(`/api/instances/${id}/history/verify`).set(auth(admin));
    expect(broken.body).toEqual({ valid: false, checked: history.indexOf(target) + 1, brokenAt: target.id });
  });

  it('names the last row left when rows were removed from the end of the chain', async () => {
    const defId = (await h.http().post('/api/definitions').set(auth(admin)).send(purchaseOrderDefinition('Trimmed'))).body.id as string;
    const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId, contextData: { amount: 5 } })).body.id as string;
    const task = await eventually(async () => (await h.http().get('/api/tasks/mine').set(auth(h.token('m', ['manager'])))).body.items.find((t: { instanceId: string }) => t.instanceId === id)?.taskId as string | undefined);
    // four eyes: the starter (admin) may not approve their own order
    await h.http().post(`/api/tasks/${task}/approve`).set(auth(h.token('m', ['manager']))).send({});
    await finished(id);
    const history = (await h.http().get(`/api/instances/${id}/history`).set(auth(admin))).body.items as { id: string }[];
    const [lastTwo, left] = [history.slice(-2), history.at(-3)!];

    await owner(`ALTER TABLE workflow_instance_history DISABLE TRIGGER trg_workflow_instance_history_append_only`);
    try {
      await owner(`DELETE FROM workflow_instance_history WHERE id = ANY ($1)`, [lastTwo.map((e) => e.id)]);
    } finally {
      await owner(`ALTER TABLE workflow_instance_history ENABLE TRIGGER trg_workflow_instance_history_append_only`);
    }
    const trimmed = await h.http().get(`/api/instances/${id}/history/verify`).set(auth(admin));
    expect(trimmed.body).toEqual({ valid: false, checked: history.length - 2, brokenAt: left.id });
  });
});

describe('OpenAPI', () => {
  it('serves a document generated from the request schemas, and a page to browse it, without a token', async () => {
    const doc = await h.http().get('/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/definitions', '/api/instances', '/api/tasks/{taskId}/approve', '/api/events', '/api/analytics/workflows']));
    const start = doc.body.paths['/api/instances'].post.requestBody.content['application/json'].schema;
    expect(start.properties.workflowDefinitionId.format).toBe('uuid');
    expect(start.additionalProperties).toBe(false);
    expect(doc.body.components.schemas.DefinitionInput.required).toEqual(expect.arrayContaining(['name', 'nodes', 'routes']));
    const page = await h.http().get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
    expect((await h.http().get('/api/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });
});

describe('hardening', () => {
  it('sends security headers', async () => {
    const res = await h.http().get('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  /** A small deterministic generator, so a failure reproduces. */
  function rng(seed: number) {
    let s = seed;
    return () => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      return s / 0x7fffffff;
    };
  }

  it('answers hundreds of malformed requests with a 4xx in the error format, never a 5xx, and keeps serving', async () => {
    const rand = rng(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const defId = (await h.http().post('/api/definitions').set(auth(admin)).send(purchaseOrderDefinition('Fuzzed'))).body.id as string;
    const badIds = ['not-a-uuid', '1', "'; DROP TABLE workflow_instances; --", '00000000-0000-0000-0000-00000000000g', '%00', '..%2F..%2Fetc', 'a'.repeat(500), '{{context}}'];
    const injections = ["'; DROP TABLE workflow_definitions; --", '{{ context.__proto__ }}', '<script>alert(1)</script>', '${7*7}', '\u0000', '../../etc/passwd', 'x'.repeat(5000)];
    const weird: unknown[] = [null, 1, -1, 1e308, true, [], [1, 2], {}, { a: { b: { c: [] } } }, '', 'string', ...injections];
    const tokens = ['', 'Bearer', 'Bearer x', 'Basic YWRtaW46YWRtaW4=', `Bearer ${admin}x`, `Bearer ${admin.split('.').slice(0, 2).join('.')}.`, 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.'];
    type Req = { method: 'get' | 'post'; path: string; body?: unknown; raw?: string; token?: string; query?: Record<string, string> };
    const endpoints: ((id: string) => Req)[] = [
      () => ({ method: 'post', path: '/api/definitions', body: pick(weird) }),
      () => ({ method: 'post', path: '/api/definitions', body: { name: pick(weird), nodes: pick(weird), routes: pick(weird) } }),
      () => ({ method: 'post', path: '/api/definitions', body: { name: 'x', nodes: [{ id: pick(injections), nodeType: pick(['gateway', 'nope', 1]), name: 'n', conditionExpression: pick(injections) }], routes: [] } }),
      (id) => ({ method: 'get', path: `/api/definitions/${id}` }),
      (id) => ({ method: 'post', path: `/api/definitions/${id}/activate` }),
      () => ({ method: 'get', path: '/api/definitions', query: { isActive: pick(['yes', '1', 'TRUE', '']), limit: pick(['0', '501', '-1', 'abc', '1e3']) } }),
      () => ({ method: 'post', path: '/api/instances', body: { workflowDefinitionId: pick([...badIds, defId]), workflowName: pick([undefined, 'x']), contextData: pick(weird) } }),
      () => ({ method: 'post', path: '/api/instances', body: { workflowName: pick(injections) } }),
      () => ({ method: 'get', path: '/api/instances', query: { status: pick(['done', 'RUNNING', "'", '']), workflowDefinitionId: pick(badIds) } }),
      (id) => ({ method: 'get', path: `/api/instances/${id}` }),
      (id) => ({ method: 'get', path: `/api/instances/${id}/history` }),
      (id) => ({ method: 'get', path: `/api/instances/${id}/history/verify` }),
      (id) => ({ method: 'post', path: `/api/instances/${id}/cancel` }),
      (id) => ({ method: 'post', path: `/api/instances/${id}/retry` }),
      () => ({ method: 'get', path: '/api/tasks/mine', query: { urgencyLevel: pick(['overdue', 'LATE', '1', '']), cursor: pick(injections) } }),
      (id) => ({ method: 'post', path: `/api/tasks/${id}/approve`, body: { comments: pick(weird) } }),
      (id) => ({ method: 'post', path: `/api/tasks/${id}/reject`, body: pick(weird) }),
      (id) => ({ method: 'post', path: `/api/tasks/${id}/delegate`, body: { toUserId: pick(weird) } }),
      (id) => ({ method: 'post', path: `/api/tasks/${id}/complete`, body: { data: pick(weird) } }),
      () => ({ method: 'post', path: '/api/events', body: { eventType: pick(weird), contextData: pick(weird) } }),
      () => ({ method: 'post', path: pick(['/api/instances', '/api/definitions', '/api/events']), raw: pick(['{', '{"a":', '[1,2', 'nul', '{"__proto__": {"x": 1}}', '\u0000\u0001', '{"a":1}}']) }),
      () => ({ method: 'post', path: pick(['/api/instances', '/api/definitions', '/api/events']), raw: JSON.stringify({ contextData: { blob: 'x'.repeat(70_000) } }) }),
      () => ({ method: pick(['get', 'post'] as const), path: pick(['/api/nothing', '/api/instances/x/y/z', '/api/tasks', '/api/../etc']) }),
      () => ({ method: 'get', path: '/api/instances', token: pick(tokens) }),
    ];
    const seen = new Map<number, number>();
    for (let i = 0; i < 400; i += 1) {
      const make = endpoints[i % endpoints.length]!;
      const r = make(rand() < 0.8 ? pick(badIds) : '5f4b6e2c-1d2a-4b7e-9c3d-2a1b0c9d8e7f');
      let req = h.http()[r.method](r.path);
      if (r.token !== undefined) {
        if (r.token) req = req.set('Authorization', r.token);
      } else req = req.set(auth(admin));
      if (r.query) req = req.query(r.query);
      let res;
      if (r.raw !== undefined) res = await req.set('Content-Type', 'application/json').send(r.raw);
      else if (r.body !== undefined) res = await req.set('Content-Type', 'application/json').send(JSON.stringify(r.body));
      else res = await req;
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      if (res.status < 400 || res.status >= 500) {
        // a well-formed request may legitimately succeed; a 5xx never may
        if (res.status >= 500) throw new Error(`request ${i} answered ${res.status}: ${JSON.stringify({ request: r, body: res.body }).slice(0, 600)}`);
        continue;
      }
      expect({ i, keys: Object.keys(res.body) }).toEqual({ i, keys: ['error'] });
      expect(res.body.error).toEqual({ code: expect.stringMatching(/^[A-Z][A-Z0-9_]*$/), message: expect.any(String), details: res.body.error.details });
      expect('details' in res.body.error).toBe(true);
    }
    expect([...seen.keys()].every((s) => s < 500)).toBe(true);
    expect(seen.get(413)).toBeGreaterThan(0);
    expect(seen.get(401)).toBeGreaterThan(0);
    expect(seen.get(400)).toBeGreaterThan(0);
    // still serving
    expect((await h.http().get('/healthz')).status).toBe(200);
    const started = await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId, contextData: { amount: 1 } });
    expect(started.status).toBe(201);
  });
});
