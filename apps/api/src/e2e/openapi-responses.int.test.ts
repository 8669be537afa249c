/**
 * The answers the API really sends fit the OpenAPI document it serves: every status met here is
 * documented for its operation, and every body fits that answer's schema, read strictly (a field
 * the document does not describe fails too). Walks each operation through the real API, worker
 * and Postgres.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import pino from 'pino';
import type { Response } from 'supertest';
import request from 'supertest';
import { createApp } from '@wf/http';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';

let h: Harness;
let admin: string;
let doc: OpenApiDocument;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

interface OpenApiDocument {
  components: Record<string, unknown>;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>>;
}

beforeAll(async () => {
  h = await createHarness({ env: { MAX_BODY_BYTES: '4096' } });
  admin = h.token('admin', ['admin', 'approver', 'buyer']);
  doc = (await h.http().get('/api/openapi.json')).body as OpenApiDocument;
});
afterAll(() => h.close());

/** Objects the document leaves open are closed here, so an undocumented field fails the check. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'examples' || k === 'example' ? v : closed(v)]));
  if ('properties' in out && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
const compiled = new Map<string, ValidateFunction>();
const checked = new Set<string>();

/** The answer fits the document: its status is documented for the operation, its body fits. */
function fits(method: string, template: string, res: Response): void {
  const op = doc.paths[template]?.[method];
  expect({ operation: `${method} ${template}`, documented: op !== undefined }).toEqual({ operation: `${method} ${template}`, documented: true });
  const answer = op!.responses[String(res.status)];
  expect({ operation: `${method} ${template}`, status: res.status, documented: answer !== undefined, body: answer ? null : res.body }).toEqual({
    operation: `${method} ${template}`,
    status: res.status,
    documented: true,
    body: null,
  });
  const schema = answer!.content?.['application/json']?.schema;
  if (!schema) return;
  const key = `${method} ${template} ${res.status}`;
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(closed({ ...schema, components: doc.components }) as Record<string, unknown>);
    compiled.set(key, validate);
  }
  const ok = validate(res.body);
  expect({ key, problems: ok ? [] : validate.errors, body: ok ? null : res.body }).toEqual({ key, problems: [], body: null });
  checked.add(key);
}

async function finished(id: string) {
  return eventually(async () => {
    const d = (await h.http().get(`/api/instances/${id}`).set(auth(admin))).body;
    return d.status !== 'running' ? d : undefined;
  });
}

async function taskOf(instanceId: string): Promise<string> {
  return eventually(async () => {
    const items = (await h.http().get('/api/tasks/mine').set(auth(admin))).body.items as { instanceId: string; taskId: string }[];
    return items.find((t) => t.instanceId === instanceId)?.taskId;
  });
}

const approvalDefinition = (name: string) => ({
  name,
  description: 'one approval',
  category: 'approval',
  slaHours: 72,
  escalationEnabled: true,
  escalationRole: 'cfo',
  nodes: [
    { id: 'ok', nodeType: 'approval', name: 'OK', approverRole: 'approver', slaHours: 24 },
    { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { done: true } } },
  ],
  routes: [{ fromNodeId: 'ok', toNodeId: 'done' }],
  triggers: [
    { type: 'event', eventType: 'order.placed' },
    { type: 'cron', cron: '0 3 * * *', timezone: 'Europe/Berlin', contextData: { nightly: true } },
  ],
});

describe('every answer fits the OpenAPI document', () => {
  let defId: string;
  let formDefId: string;

  it('definitions', async () => {
    const created = await h.http().post('/api/definitions').set(auth(admin)).send(approvalDefinition('Documented'));
    fits('post', '/api/definitions', created);
    expect(created.status).toBe(201);
    defId = created.body.id as string;
    const form = await h
      .http()
      .post('/api/definitions')
      .set(auth(admin))
      .send({
        name: 'Documented form',
        nodes: [{ id: 'fill', nodeType: 'user_task', name: 'Fill', assigneeRole: 'buyer', formSchema: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } }],
        routes: [],
      });
    fits('post', '/api/definitions', form);
    formDefId = form.body.id as string;

    fits('get', '/api/definitions', await h.http().get('/api/definitions').query({ limit: 1 }).set(auth(admin)));
    fits('get', '/api/definitions/{id}', await h.http().get(`/api/definitions/${defId}`).set(auth(admin)));
    fits('post', '/api/definitions/{id}/deactivate', await h.http().post(`/api/definitions/${defId}/deactivate`).set(auth(admin)));
    fits('post', '/api/definitions/{id}/activate', await h.http().post(`/api/definitions/${defId}/activate`).set(auth(admin)));
    // errors
    fits('post', '/api/definitions', await h.http().post('/api/definitions').set(auth(admin)).send({ name: 'Broken', nodes: [], routes: [] }));
    fits('post', '/api/definitions', await h.http().post('/api/definitions').set(auth(h.token('u', []))).send(approvalDefinition('x')));
    fits('post', '/api/definitions', await h.http().post('/api/definitions').set(auth(admin)).set('Content-Type', 'application/json').send('{"name":'));
    fits('post', '/api/definitions', await h.http().post('/api/definitions').set(auth(admin)).set('Content-Type', 'text/plain').send('name'));
    fits('post', '/api/definitions', await h.http().post('/api/definitions').set(auth(admin)).send({ ...approvalDefinition('Big'), description: 'x'.repeat(5000) }));
    fits('get', '/api/definitions', await h.http().get('/api/definitions').query({ cursor: 'nope' }).set(auth(admin)));
    fits('get', '/api/definitions', await h.http().get('/api/definitions').query({ limit: 0 }).set(auth(admin)));
    fits('get', '/api/definitions', await h.http().get('/api/definitions'));
    fits('get', '/api/definitions/{id}', await h.http().get('/api/definitions/not-a-uuid').set(auth(admin)));
    fits('get', '/api/definitions/{id}', await h.http().get('/api/definitions/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d').set(auth(admin)));
  });

  it('instances, tasks and events', async () => {
    const start = { workflowDefinitionId: defId, contextEntityType: 'order', contextEntityId: 'o-1', contextData: { amount: 3 } };
    const first = await h.http().post('/api/instances').set(auth(admin)).set('Idempotency-Key', 'doc-1').send(start);
    fits('post', '/api/instances', first);
    expect(first.status).toBe(201);
    const replay = await h.http().post('/api/instances').set(auth(admin)).set('Idempotency-Key', 'doc-1').send(start);
    fits('post', '/api/instances', replay);
    expect(replay.status).toBe(200);
    fits('post', '/api/instances', await h.http().post('/api/instances').set(auth(admin)).set('Idempotency-Key', 'doc-1').send({ ...start, contextData: { amount: 4 } }));
    fits('post', '/api/instances', await h.http().post('/api/instances').set(auth(admin)).send({ workflowName: 'No such workflow' }));
    fits('post', '/api/instances', await h.http().post('/api/instances').set(auth(admin)).send({}));
    const id = first.body.id as string;

    const taskId = await taskOf(id);
    fits('get', '/api/tasks/mine', await h.http().get('/api/tasks/mine').set(auth(admin)));
    fits('get', '/api/tasks/mine', await h.http().get('/api/tasks/mine').query({ urgencyLevel: 'NORMAL', limit: 1 }).set(auth(admin)));
    fits('get', '/api/tasks/mine', await h.http().get('/api/tasks/mine').query({ urgencyLevel: 'LATE' }).set(auth(admin)));
    fits('get', '/api/instances', await h.http().get('/api/instances').set(auth(admin)));
    fits('get', '/api/instances/{id}', await h.http().get(`/api/instances/${id}`).set(auth(admin)));

    const delegated = await h.http().post(`/api/tasks/${taskId}/delegate`).set(auth(admin)).send({ toUserId: 'admin', comments: 'mine now' });
    fits('post', '/api/tasks/{taskId}/delegate', delegated);
    expect(delegated.status).toBe(200);
    fits('post', '/api/tasks/{taskId}/approve', await h.http().post(`/api/tasks/${taskId}/approve`).set(auth(h.token('stranger', ['approver']))).send({}));
    fits('post', '/api/tasks/{taskId}/complete', await h.http().post(`/api/tasks/${taskId}/complete`).set(auth(admin)).send({ data: {} }));
    const approved = await h.http().post(`/api/tasks/${taskId}/approve`).set(auth(admin)).send({ comments: 'fine' });
    fits('post', '/api/tasks/{taskId}/approve', approved);
    expect(approved.status).toBe(200);
    fits('post', '/api/tasks/{taskId}/reject', await h.http().post(`/api/tasks/${taskId}/reject`).set(auth(admin)).send({}));
    fits('post', '/api/tasks/{taskId}/reject', await h.http().post(`/api/tasks/${taskId}/reject`).set(auth(admin)).send({ comments: 7 }));
    await finished(id);
    fits('get', '/api/instances/{id}', await h.http().get(`/api/instances/${id}`).set(auth(admin)));
    fits('get', '/api/instances/{id}/history', await h.http().get(`/api/instances/${id}/history`).set(auth(admin)));
    fits('get', '/api/instances/{id}/history', await h.http().get(`/api/instances/${id}/history`).query({ page: 2 }).set(auth(admin)));
    fits('get', '/api/instances/{id}/history/verify', await h.http().get(`/api/instances/${id}/history/verify`).set(auth(admin)));
    fits('get', '/api/instances/{id}', await h.http().get('/api/instances/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d').set(auth(admin)));

    // a rejection, and a user task with its form
    const second = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
    const rejected = await h.http().post(`/api/tasks/${await taskOf(second)}/reject`).set(auth(admin)).send({ comments: 'no' });
    fits('post', '/api/tasks/{taskId}/reject', rejected);
    expect(rejected.body.decision).toBe('rejected');
    const third = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: formDefId })).body.id as string;
    const fill = await taskOf(third);
    fits('post', '/api/tasks/{taskId}/complete', await h.http().post(`/api/tasks/${fill}/complete`).set(auth(admin)).send({ data: { n: 'one' } }));
    fits('post', '/api/tasks/{taskId}/approve', await h.http().post(`/api/tasks/${fill}/approve`).set(auth(admin)).send({}));
    const completed = await h.http().post(`/api/tasks/${fill}/complete`).set(auth(admin)).send({ data: { n: 1 } });
    fits('post', '/api/tasks/{taskId}/complete', completed);
    expect(completed.status).toBe(200);

    // cancel: running, then no longer running
    const fourth = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
    const cancelled = await h.http().post(`/api/instances/${fourth}/cancel`).set(auth(admin));
    fits('post', '/api/instances/{id}/cancel', cancelled);
    expect(cancelled.status).toBe(200);
    fits('post', '/api/instances/{id}/cancel', await h.http().post(`/api/instances/${fourth}/cancel`).set(auth(admin)));

    const event = await h.http().post('/api/events').set(auth(admin)).send({ eventType: 'order.placed', contextData: { amount: 1 } });
    fits('post', '/api/events', event);
    expect(event.status).toBe(202);
    fits('post', '/api/events', await h.http().post('/api/events').set(auth(admin)).send({ eventType: '' }));
  });

  it('retry of a failed instance', async () => {
    const failing = await h
      .http()
      .post('/api/definitions')
      .set(auth(admin))
      .send({ name: 'Refused call', nodes: [{ id: 'call', nodeType: 'service_task', name: 'Call', serviceType: 'http_call', serviceConfig: { url: 'http://127.0.0.1:9/', method: 'GET' } }], routes: [] });
    const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: failing.body.id })).body.id as string;
    expect((await finished(id)).status).toBe('failed');
    fits('get', '/api/instances/{id}', await h.http().get(`/api/instances/${id}`).set(auth(admin)));
    fits('post', '/api/instances/{id}/retry', await h.http().post(`/api/instances/${id}/retry`).set(auth(h.token('u', []))));
    const retried = await h.http().post(`/api/instances/${id}/retry`).set(auth(admin));
    fits('post', '/api/instances/{id}/retry', retried);
    expect(retried.status).toBe(200);
    await finished(id);
    const running = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
    fits('post', '/api/instances/{id}/retry', await h.http().post(`/api/instances/${running}/retry`).set(auth(admin)));
  });

  it('analytics, probes, and the limits', async () => {
    fits('get', '/api/analytics/workflows', await h.http().get('/api/analytics/workflows').set(auth(admin)));
    fits('get', '/api/analytics/workflows', await h.http().get('/api/analytics/workflows').query({ since: 'yesterday' }).set(auth(admin)));
    fits('get', '/healthz', await h.http().get('/healthz'));
    fits('get', '/readyz', await h.http().get('/readyz'));
    fits('post', '/api/instances', await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId, contextData: { blob: 'x'.repeat(5000) } }));
    fits('get', '/api/instances', await h.http().get('/api/instances').set('Authorization', 'Bearer not.a.token'));

    // the same services behind a limit of one request a minute
    const limited = createApp({ services: h.rt.services, config: { jwtSecret: 'test-secret', maxBodyBytes: 4096, rateLimitPerMinute: 1 }, logger: pino({ level: 'silent' }) });
    const token = h.token('busy', []);
    fits('get', '/api/instances', await request(limited).get('/api/instances').set(auth(token)));
    const refused = await request(limited).get('/api/instances').set(auth(token));
    fits('get', '/api/instances', refused);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
  });

  it('met every operation of the document, and each of its statuses that a test can provoke', () => {
    const statuses = new Set([...checked].map((k) => k.split(' ').pop()));
    expect([...statuses].sort()).toEqual(['200', '201', '202', '400', '401', '403', '404', '409', '413', '415', '422', '429']);
    const operations = new Set([...checked].map((k) => k.split(' ').slice(0, 2).join(' ')));
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    // /metrics is text, not JSON
    expect(documented.filter((o) => !operations.has(o))).toEqual(['get /metrics']);
  });
});
