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
  const key = `${method} ${template} ${res.status}`;
  if (!schema) {
    // documented without a body (a 204): none is sent
    expect({ key, text: res.text ?? '' }).toEqual({ key, text: '' });
    checked.add(key);
    return;
  }
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(closed({ ...schema, components: doc.components }) as Record<string, unknown>);
    compiled.set(key, validate);
  }
  const ok = validate(res.body);
  expect({ key, problems: ok ? [] : validate.errors, body: ok ? null : res.body }).toEqual({ key, problems: [], body: null });
  checked.add(key);
}

/** An error answer that fits the document, with the code the test provoked. */
function refused(method: string, template: string, res: Response, code: string): void {
  fits(method, template, res);
  expect({ operation: `${method} ${template}`, code: (res.body as { error?: { code: string } }).error?.code }).toEqual({ operation: `${method} ${template}`, code });
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

/** A task of the instance in the operator view (also one the admin may not decide, so not in their queue). */
async function openTaskOf(instanceId: string, workflowName: string, nodeId?: string): Promise<string> {
  return eventually(async () => {
    const res = await h.http().get('/api/tasks').query({ workflowName }).set(auth(admin));
    const items = res.body.items as { instanceId: string; taskId: string; nodeId: string }[];
    return items.find((t) => t.instanceId === instanceId && (nodeId === undefined || t.nodeId === nodeId))?.taskId;
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

  it('the operator view, one task, bulk actions and hand-overs', async () => {
    const start = async () => (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId, contextEntityType: 'order', contextEntityId: 'o-ops' })).body.id as string;
    const [a, b, c] = [await start(), await start(), await start()];
    const [ta, tb, tc] = [await taskOf(a), await taskOf(b), await taskOf(c)];

    fits('get', '/api/tasks', await h.http().get('/api/tasks').set(auth(admin)));
    const filtered = await h
      .http()
      .get('/api/tasks')
      .query({ workflowName: 'Documented', nodeId: 'ok', role: 'approver', urgencyLevel: 'NORMAL', overdue: 'false', contextEntityType: 'order', contextEntityId: 'o-ops', olderThanHours: '0', limit: 2 })
      .set(auth(admin));
    fits('get', '/api/tasks', filtered);
    expect(filtered.body.items.length).toBe(2);
    fits('get', '/api/tasks', await h.http().get('/api/tasks').query({ olderThanHours: 'soon' }).set(auth(admin)));
    refused('get', '/api/tasks', await h.http().get('/api/tasks').set(auth(h.token('rita', ['approver']))), 'ADMIN_REQUIRED');

    fits('get', '/api/tasks/{taskId}', await h.http().get(`/api/tasks/${ta}`).set(auth(admin)));
    fits('get', '/api/tasks/{taskId}', await h.http().get('/api/tasks/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d').set(auth(admin)));
    fits('get', '/api/tasks/{taskId}', await h.http().get('/api/tasks/nope').set(auth(admin)));

    // claim and release a role's task, each twice
    const claimed = await h.http().post(`/api/tasks/${ta}/claim`).set(auth(admin)).send({ comments: 'mine' });
    fits('post', '/api/tasks/{taskId}/claim', claimed);
    expect(claimed.body.claimedAt).toEqual(expect.any(String));
    refused('post', '/api/tasks/{taskId}/claim', await h.http().post(`/api/tasks/${ta}/claim`).set(auth(admin)), 'NOT_CLAIMABLE');
    fits('post', '/api/tasks/{taskId}/claim', await h.http().post(`/api/tasks/${ta}/claim`).set(auth(admin)).send({ comments: 1 }));
    const released = await h.http().post(`/api/tasks/${ta}/release`).set(auth(admin));
    fits('post', '/api/tasks/{taskId}/release', released);
    expect(released.status).toBe(200);
    refused('post', '/api/tasks/{taskId}/release', await h.http().post(`/api/tasks/${ta}/release`).set(auth(admin)), 'NOT_CLAIMED');
    refused('post', '/api/tasks/{taskId}/release', await h.http().post(`/api/tasks/${ta}/release`).set(auth(h.token('stranger', []))).send({}), 'NOT_FOUND');

    // reassign: a holder who is no manager, a body with both targets, then an admin
    refused('post', '/api/tasks/{taskId}/reassign', await h.http().post(`/api/tasks/${tb}/reassign`).set(auth(h.token('rita', ['approver']))).send({ toUserId: 'rita' }), 'NOT_TASK_MANAGER');
    fits('post', '/api/tasks/{taskId}/reassign', await h.http().post(`/api/tasks/${tb}/reassign`).set(auth(admin)).send({ toUserId: 'admin', toRole: 'approver' }));
    const reassigned = await h.http().post(`/api/tasks/${tb}/reassign`).set(auth(admin)).send({ toUserId: 'admin', comments: 'covering' });
    fits('post', '/api/tasks/{taskId}/reassign', reassigned);
    expect(reassigned.body.assignedUserId).toBe('admin');

    // bulk: a decided task among waiting ones; a claim answers the tasks
    const approved = await h.http().post('/api/tasks/bulk').set(auth(admin)).send({ action: 'approve', taskIds: [ta, tb], comments: 'batch' });
    fits('post', '/api/tasks/bulk', approved);
    expect(approved.body).toMatchObject({ succeeded: 2, failed: 0 });
    const mixed = await h.http().post('/api/tasks/bulk').set(auth(admin)).send({ action: 'claim', taskIds: [tc, ta] });
    fits('post', '/api/tasks/bulk', mixed);
    expect(mixed.body.results.map((r: { status: number }) => r.status)).toEqual([200, 409]);
    fits('post', '/api/tasks/bulk', await h.http().post('/api/tasks/bulk').set(auth(admin)).send({ action: 'delegate', taskIds: [] }));
    fits('get', '/api/tasks/{taskId}', await h.http().get(`/api/tasks/${ta}`).set(auth(admin)));
  });

  it('return for revision, quorum votes and separation of duties', async () => {
    const review = await h
      .http()
      .post('/api/definitions')
      .set(auth(admin))
      .send({
        name: 'Documented review',
        managerRole: 'approver',
        nodes: [
          { id: 'draft', nodeType: 'user_task', name: 'Draft', assigneeRole: 'buyer' },
          { id: 'review', nodeType: 'approval', name: 'Review', approverRole: 'approver', returnTo: 'draft', maxRounds: 1 },
        ],
        routes: [{ fromNodeId: 'draft', toNodeId: 'review' }],
      });
    fits('post', '/api/definitions', review);
    expect(review.status).toBe(201);
    const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: review.body.id })).body.id as string;
    const draft = await openTaskOf(id, 'Documented review', 'draft');
    await h.http().post(`/api/tasks/${draft}/complete`).set(auth(admin)).send({ data: {} }).expect(200);
    const first = await openTaskOf(id, 'Documented review', 'review');
    fits('post', '/api/tasks/{taskId}/return', await h.http().post(`/api/tasks/${first}/return`).set(auth(admin)).send({ comments: ' ' }));
    const returned = await h.http().post(`/api/tasks/${first}/return`).set(auth(admin)).send({ comments: 'add the quote' });
    fits('post', '/api/tasks/{taskId}/return', returned);
    expect(returned.body.decision).toBe('returned');
    fits('post', '/api/tasks/{taskId}/return', await h.http().post(`/api/tasks/${first}/return`).set(auth(admin)).send({ comments: 'again' }));
    const redraft = await openTaskOf(id, 'Documented review', 'draft');
    const revised = await h.http().get(`/api/tasks/${redraft}`).set(auth(admin));
    fits('get', '/api/tasks/{taskId}', revised);
    expect(revised.body.revision).toMatchObject({ round: 1, fromNodeId: 'review', comments: 'add the quote' });
    await h.http().post(`/api/tasks/${redraft}/complete`).set(auth(admin)).send({ data: {} }).expect(200);
    const second = await openTaskOf(id, 'Documented review', 'review');
    fits('get', '/api/tasks/{taskId}', await h.http().get(`/api/tasks/${second}`).set(auth(admin)));
    refused('post', '/api/tasks/{taskId}/return', await h.http().post(`/api/tasks/${second}/return`).set(auth(admin)).send({ comments: 'and again' }), 'RETURN_LIMIT_REACHED');
    // a node without returnTo
    const plain = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId })).body.id as string;
    refused('post', '/api/tasks/{taskId}/return', await h.http().post(`/api/tasks/${await taskOf(plain)}/return`).set(auth(admin)).send({ comments: 'why' }), 'RETURN_NOT_ALLOWED');

    // a quorum: two of three named voters, rejected only once it can no longer pass
    const board = await h
      .http()
      .post('/api/definitions')
      .set(auth(admin))
      .send({
        name: 'Documented board',
        nodes: [{ id: 'board', nodeType: 'approval', name: 'Board', quorum: { voters: { users: ['admin', 'vic', 'val'] }, required: 2, rejectPolicy: 'quorum' } }],
        routes: [],
      });
    fits('post', '/api/definitions', board);
    const vote = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: board.body.id })).body.id as string;
    const ballot = await openTaskOf(vote, 'Documented board');
    const cast = await h.http().post(`/api/tasks/${ballot}/approve`).set(auth(admin)).send({ comments: 'yes' });
    fits('post', '/api/tasks/{taskId}/approve', cast);
    expect(cast.body).toMatchObject({ status: 'waiting', vote: { approvals: 1, required: 2, outcome: null } });
    refused('post', '/api/tasks/{taskId}/approve', await h.http().post(`/api/tasks/${ballot}/approve`).set(auth(admin)).send({}), 'ALREADY_VOTED');
    refused('post', '/api/tasks/{taskId}/delegate', await h.http().post(`/api/tasks/${ballot}/delegate`).set(auth(admin)).send({ toUserId: 'vic' }), 'NOT_FOR_QUORUM');
    fits('get', '/api/tasks/{taskId}', await h.http().get(`/api/tasks/${ballot}`).set(auth(admin)));
    const settled = await h.http().post(`/api/tasks/${ballot}/reject`).set(auth(h.token('vic', []))).send({ comments: 'no' });
    fits('post', '/api/tasks/{taskId}/reject', settled);
    expect(settled.body).toMatchObject({ status: 'waiting', vote: { rejections: 1 } });
    const passed = await h.http().post(`/api/tasks/${ballot}/approve`).set(auth(h.token('val', []))).send({});
    fits('post', '/api/tasks/{taskId}/approve', passed);
    expect(passed.body).toMatchObject({ status: 'completed', decision: 'approved', vote: { approvals: 2, outcome: 'approved' } });
    fits('get', '/api/tasks/{taskId}', await h.http().get(`/api/tasks/${ballot}`).set(auth(admin)));

    // the starter may not decide
    const sod = await h
      .http()
      .post('/api/definitions')
      .set(auth(admin))
      .send({ name: 'Documented four eyes', notStarter: true, nodes: [{ id: 'check', nodeType: 'approval', name: 'Check', approverRole: 'approver' }], routes: [] });
    fits('post', '/api/definitions', sod);
    fits('get', '/api/definitions/{id}', await h.http().get(`/api/definitions/${sod.body.id}`).set(auth(admin)));
    const own = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: sod.body.id })).body.id as string;
    const check = await openTaskOf(own, 'Documented four eyes');
    const barred = await h.http().post(`/api/tasks/${check}/approve`).set(auth(admin)).send({});
    refused('post', '/api/tasks/{taskId}/approve', barred, 'SEPARATION_OF_DUTIES');
    expect(barred.body.error.details).toMatchObject({ rule: 'notStarter', userId: 'admin', taskId: check, nodeId: 'check' });
  });

  it('comments, deputies, and the instance filters', async () => {
    const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: defId, contextEntityType: 'order', contextEntityId: 'o-filter' })).body.id as string;
    const comment = await h.http().post(`/api/instances/${id}/comments`).set(auth(admin)).send({ text: 'supplier confirmed' });
    fits('post', '/api/instances/{id}/comments', comment);
    expect(comment.status).toBe(201);
    fits('post', '/api/instances/{id}/comments', await h.http().post(`/api/instances/${id}/comments`).set(auth(admin)).send({ text: '' }));
    fits('post', '/api/instances/{id}/comments', await h.http().post('/api/instances/7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/comments').set(auth(admin)).send({ text: 'hello' }));
    const thread = await h.http().get(`/api/instances/${id}/comments`).set(auth(admin));
    fits('get', '/api/instances/{id}/comments', thread);
    expect(thread.body.items.map((c: { text: string }) => c.text)).toEqual(['supplier confirmed']);
    fits('get', '/api/instances/{id}/comments', await h.http().get(`/api/instances/${id}/comments`).query({ page: 2 }).set(auth(admin)));
    fits('get', '/api/instances/{id}/comments', await h.http().get('/api/instances/nope/comments').set(auth(admin)));

    const filters = { contextEntityType: 'order', contextEntityId: 'o-filter', startedBy: 'admin', startedFrom: '2020-01-01', startedTo: '2999-01-01T00:00:00Z' };
    const listed = await h.http().get('/api/instances').query(filters).set(auth(admin));
    fits('get', '/api/instances', listed);
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    fits('get', '/api/instances', await h.http().get('/api/instances').query({ completedFrom: '2026-03-02', completedTo: '2026-03-01' }).set(auth(admin)));

    // ann is away; dan decides her tasks on her behalf
    const now = Date.now();
    const window = { userId: 'ann', deputyUserId: 'dan', startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 7 * 86_400_000).toISOString() };
    const declared = await h.http().post('/api/deputies').set(auth(admin)).send({ ...window, workflows: ['Documented ann'] });
    fits('post', '/api/deputies', declared);
    expect(declared.status).toBe(201);
    refused('post', '/api/deputies', await h.http().post('/api/deputies').set(auth(admin)).send(window), 'DEPUTY_WINDOW_OVERLAP');
    refused('post', '/api/deputies', await h.http().post('/api/deputies').set(auth(admin)).send({ ...window, deputyUserId: 'ann' }), 'DEPUTY_IS_SELF');
    refused('post', '/api/deputies', await h.http().post('/api/deputies').set(auth(h.token('dan', []))).send({ ...window, deputyUserId: 'eve' }), 'NOT_YOUR_ABSENCE');
    fits('post', '/api/deputies', await h.http().post('/api/deputies').set(auth(admin)).send({ ...window, startsAt: 'tomorrow' }));
    fits('get', '/api/deputies', await h.http().get('/api/deputies').set(auth(h.token('dan', []))));
    fits('get', '/api/deputies', await h.http().get('/api/deputies').query({ all: 'true' }).set(auth(admin)));

    const anns = await h
      .http()
      .post('/api/definitions')
      .set(auth(admin))
      .send({ name: 'Documented ann', nodes: [{ id: 'sign', nodeType: 'approval', name: 'Sign', approverUserId: 'ann' }], routes: [] });
    const signing = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: anns.body.id })).body.id as string;
    const dan = auth(h.token('dan', []));
    const queued = await eventually(async () => {
      const res = await h.http().get('/api/tasks/mine').set(dan);
      return (res.body.items as { instanceId: string }[]).some((t) => t.instanceId === signing) ? res : undefined;
    });
    fits('get', '/api/tasks/mine', queued);
    expect(queued.body.items).toEqual([expect.objectContaining({ instanceId: signing, onBehalfOf: 'ann' })]);
    const sign = queued.body.items[0].taskId as string;
    fits('get', '/api/tasks/{taskId}', await h.http().get(`/api/tasks/${sign}`).set(dan));
    fits('post', '/api/tasks/{taskId}/approve', await h.http().post(`/api/tasks/${sign}/approve`).set(dan).send({ comments: 'for ann' }));

    const removed = await h.http().delete(`/api/deputies/${declared.body.id}`).set(auth(admin));
    fits('delete', '/api/deputies/{id}', removed);
    expect(removed.status).toBe(204);
    refused('delete', '/api/deputies/{id}', await h.http().delete(`/api/deputies/${declared.body.id}`).set(auth(admin)), 'NOT_FOUND');
    fits('delete', '/api/deputies/{id}', await h.http().delete('/api/deputies/nope').set(auth(admin)));
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

  it('messages, callbacks, calendars and deadlines', async () => {
    const define = async (definition: Record<string, unknown>) => {
      const res = await h.http().post('/api/definitions').set(auth(admin)).send(definition);
      fits('post', '/api/definitions', res);
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const start = async (workflowDefinitionId: string, contextData: Record<string, unknown> = {}) =>
      (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId, contextData })).body.id as string;
    const waitingAt = (id: string, nodeId: string) =>
      eventually(async () => {
        const res = await h.http().get(`/api/instances/${id}`).set(auth(admin));
        return (res.body.nodes as { nodeId: string; status: string }[]).some((n) => n.nodeId === nodeId && n.status === 'waiting') ? res : undefined;
      });
    const nodeAt = (res: Response, nodeId: string) => (res.body.nodes as { id: string; nodeId: string; wait: Record<string, unknown> | null }[]).find((n) => n.nodeId === nodeId)!;
    const path = (url: string) => new URL(url).pathname;

    // what a waiting timer and a waiting receive node show
    const receiveDef = await define({
      name: 'Documented receive',
      nodes: [
        { id: 'paid', nodeType: 'receive', name: 'Paid', messageName: 'documented_paid', correlationKey: 'context.orderId', timeout: { after: 'P2D' } },
        { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { done: true } } },
      ],
      routes: [{ fromNodeId: 'paid', toNodeId: 'done' }],
    });
    const timerDef = await define({ name: 'Documented timer', nodes: [{ id: 'later', nodeType: 'timer', name: 'Later', duration: 'P1D' }], routes: [] });
    const timed = await waitingAt(await start(timerDef), 'later');
    fits('get', '/api/instances/{id}', timed);
    expect(nodeAt(timed, 'later').wait).toMatchObject({ waitingFor: 'timer', dueAt: expect.any(String), callbackUrl: null });
    const orderA = await start(receiveDef, { orderId: 'doc-a' });
    const receiving = await waitingAt(orderA, 'paid');
    fits('get', '/api/instances/{id}', receiving);
    const paid = nodeAt(receiving, 'paid');
    expect(paid.wait).toMatchObject({ waitingFor: 'message', messageName: 'documented_paid', correlationKey: 'doc-a', wakeAt: expect.any(String), callbackUrl: expect.stringContaining('/api/callbacks/') });

    // messages: nobody waits, kept for later, refused, delivered, replayed
    const unmatched = await h.http().post('/api/messages').set(auth(admin)).send({ name: 'documented_paid', correlationKey: 'nobody' });
    fits('post', '/api/messages', unmatched);
    expect(unmatched.body).toMatchObject({ status: 'unmatched', resumed: 0 });
    const buffered = await h.http().post('/api/messages').set(auth(admin)).send({ name: 'documented_paid', correlationKey: 'doc-later', timeToLive: 'PT1M', data: { early: true } });
    fits('post', '/api/messages', buffered);
    expect(buffered.body).toMatchObject({ status: 'buffered', expiresAt: expect.any(String) });
    refused('post', '/api/messages', await h.http().post('/api/messages').set(auth(admin)).send({ name: 'documented_paid', correlationKey: 'x', timeToLive: 'P31D' }), 'VALIDATION_FAILED');
    refused('post', '/api/messages', await h.http().post('/api/messages').set(auth(admin)).send({ name: 'documented_paid', correlationKey: 'x', timeToLive: 'P1M' }), 'INVALID_DURATION');
    fits('post', '/api/messages', await h.http().post('/api/messages').send({ name: 'documented_paid', correlationKey: 'x' }));
    const orderB = await start(receiveDef, { orderId: 'doc-b' });
    await waitingAt(orderB, 'paid');
    const delivered = await h.http().post('/api/messages').set(auth(admin)).send({ name: 'documented_paid', correlationKey: 'doc-b', messageId: 'doc-b-1', data: { amount: 5 } });
    fits('post', '/api/messages', delivered);
    expect(delivered.body).toMatchObject({ status: 'delivered', resumed: 1, instanceIds: [orderB] });
    const replayed = await h.http().post('/api/messages').set(auth(admin)).send({ name: 'documented_paid', correlationKey: 'doc-b', messageId: 'doc-b-1' });
    fits('post', '/api/messages', replayed);
    expect(replayed.body).toMatchObject({ duplicate: true });

    // a callback rotated, refused, taken once
    const rotate = (instanceId: string, executionId: string) => h.http().post(`/api/instances/${instanceId}/executions/${executionId}/callback/rotate`).set(auth(admin));
    const rotated = await rotate(orderA, paid.id);
    fits('post', '/api/instances/{id}/executions/{executionId}/callback/rotate', rotated);
    expect(rotated.status).toBe(200);
    const approval = await start(defId);
    refused('post', '/api/instances/{id}/executions/{executionId}/callback/rotate', await rotate(approval, await taskOf(approval)), 'NOT_WAITING_FOR_MESSAGE');
    refused('post', '/api/instances/{id}/executions/{executionId}/callback/rotate', await rotate(orderA, '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'), 'NOT_FOUND');
    refused('post', '/api/instances/{id}/executions/{executionId}/callback/rotate', await rotate(orderA, 'nope'), 'INVALID_ID');
    const callback = path(rotated.body.callbackUrl as string);
    refused('post', '/api/callbacks/{token}', await h.http().post(path(paid.wait!['callbackUrl'] as string)).send({}), 'CALLBACK_NOT_WAITING');
    refused('post', '/api/callbacks/{token}', await h.http().post(callback).send([1]), 'VALIDATION_FAILED');
    refused('post', '/api/callbacks/{token}', await h.http().post(callback).set('Content-Type', 'text/plain').send('paid'), 'UNSUPPORTED_MEDIA_TYPE');
    const accepted = await h.http().post(callback).send({ viaCallback: true });
    fits('post', '/api/callbacks/{token}', accepted);
    expect(accepted.body).toEqual({ accepted: true, instanceId: orderA, executionId: paid.id });
    const reused = await h.http().post(callback).send({});
    fits('post', '/api/callbacks/{token}', reused);
    expect(reused.status).toBe(409);
    refused('post', '/api/callbacks/{token}', await h.http().post('/api/callbacks/c1.not.a.real.token').send({}), 'NOT_FOUND');
    expect((await finished(orderA)).contextData).toEqual({ orderId: 'doc-a', viaCallback: true, done: true });
    const limited = createApp({ services: h.rt.services, config: { jwtSecret: 'test-secret', maxBodyBytes: 4096, rateLimitPerMinute: 1 }, logger: pino({ level: 'silent' }) });
    fits('post', '/api/callbacks/{token}', await request(limited).post('/api/callbacks/c1.guess.one').send({}));
    refused('post', '/api/callbacks/{token}', await request(limited).post('/api/callbacks/c1.guess.two').send({}), 'RATE_LIMITED');

    // calendars: created, refused, a task counting in one, replaced (the task recounted), read
    const office = {
      name: 'doc-office',
      timeZone: 'Europe/Berlin',
      workingHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]])),
      holidays: { country: 'DE', region: 'BY' },
      closedDates: ['2026-12-24'],
    };
    const created = await h.http().post('/api/calendars').set(auth(admin)).send(office);
    fits('post', '/api/calendars', created);
    expect(created.status).toBe(201);
    refused('post', '/api/calendars', await h.http().post('/api/calendars').set(auth(h.token('u', []))).send(office), 'ADMIN_REQUIRED');
    refused('post', '/api/calendars', await h.http().post('/api/calendars').set(auth(admin)).send({ ...office, workingHours: { mon: [{ start: '17:00', end: '09:00' }] } }), 'INVALID_CALENDAR');
    const signDef = await define({ name: 'Documented office hours', nodes: [{ id: 'sign', nodeType: 'approval', name: 'Sign', approverRole: 'approver', slaHours: 8, calendar: 'doc-office' }], routes: [] });
    const signing = await start(signDef);
    const sign = await taskOf(signing);
    const early = { ...office, workingHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '07:00', end: '11:00' }]])) };
    const replaced = await h.http().post('/api/calendars').set(auth(admin)).send(early);
    fits('post', '/api/calendars', replaced);
    expect(replaced.body).toMatchObject({ version: 2, recountedDeadlines: 1 });
    const put = await h.http().put('/api/calendars/doc-office').set(auth(admin)).send({ ...office, name: undefined });
    fits('put', '/api/calendars/{name}', put);
    expect(put.body).toMatchObject({ name: 'doc-office', version: 3 });
    const putNew = await h.http().put('/api/calendars/doc-other').set(auth(admin)).send({ ...office, name: 'doc-other' });
    fits('put', '/api/calendars/{name}', putNew);
    expect(putNew.status).toBe(201);
    refused('put', '/api/calendars/{name}', await h.http().put('/api/calendars/doc-other').set(auth(admin)).send(office), 'INVALID_CALENDAR');
    refused('put', '/api/calendars/{name}', await h.http().put('/api/calendars/no%20spaces').set(auth(admin)).send(office), 'VALIDATION_FAILED');
    refused('put', '/api/calendars/{name}', await h.http().put('/api/calendars/doc-other').set(auth(h.token('u', []))).send(office), 'ADMIN_REQUIRED');
    const listed = await h.http().get('/api/calendars').set(auth(h.token('u', [])));
    fits('get', '/api/calendars', listed);
    expect(listed.body.items.map((c: { name: string }) => c.name)).toEqual(['doc-office', 'doc-other']);
    refused('get', '/api/calendars', await h.http().get('/api/calendars').query({ page: 2 }).set(auth(admin)), 'VALIDATION_FAILED');
    fits('get', '/api/calendars/{name}', await h.http().get('/api/calendars/doc-office').set(auth(admin)));
    refused('get', '/api/calendars/{name}', await h.http().get('/api/calendars/doc-none').set(auth(admin)), 'NOT_FOUND');
    refused('get', '/api/calendars/{name}', await h.http().get(`/api/calendars/${'x'.repeat(101)}`).set(auth(admin)), 'VALIDATION_FAILED');

    // a deadline moved by hand, and the moves refused
    const deadline = (taskId: string, body: object, token = admin) => h.http().post(`/api/tasks/${taskId}/deadline`).set(auth(token)).send(body);
    const move = { slaDeadline: '2030-01-07T09:00:00Z', reason: 'the supplier is late' };
    const moved = await deadline(sign, move);
    fits('post', '/api/tasks/{taskId}/deadline', moved);
    expect(moved.body).toMatchObject({ taskId: sign, slaDeadline: '2030-01-07T09:00:00.000Z' });
    refused('post', '/api/tasks/{taskId}/deadline', await deadline(sign, move, h.token('u', [])), 'ADMIN_REQUIRED');
    refused('post', '/api/tasks/{taskId}/deadline', await deadline(sign, { slaDeadline: 'soon' }), 'VALIDATION_FAILED');
    refused('post', '/api/tasks/{taskId}/deadline', await deadline('7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', move), 'NOT_FOUND');
    refused('post', '/api/tasks/{taskId}/deadline', await deadline('nope', move), 'INVALID_ID');
    await h.http().post(`/api/tasks/${sign}/approve`).set(auth(admin)).send({}).expect(200);
    refused('post', '/api/tasks/{taskId}/deadline', await deadline(sign, move), 'TASK_NOT_WAITING');
  });

  it('saved views', async () => {
    const viewer = h.token('doc-viewer', []);
    const put = (page: string, name: string, body: unknown) => h.http().put(`/api/views/${page}/${encodeURIComponent(name)}`).set(auth(viewer)).send(body as object);
    const created = await put('inbox', 'Documented', { filters: { workflowName: 'PO', urgencyLevel: ['URGENT'], mine: true, min: 5 } });
    fits('put', '/api/views/{page}/{name}', created);
    expect(created.status).toBe(201);
    const replaced = await put('inbox', 'Documented', { filters: {}, position: 2 });
    fits('put', '/api/views/{page}/{name}', replaced);
    expect(replaced.status).toBe(200);
    await put('inbox', 'Other', { filters: {} }).expect(201);
    refused('put', '/api/views/{page}/{name}', await put('inbox', 'Other', { name: 'Documented' }), 'VIEW_NAME_TAKEN');
    refused('put', '/api/views/{page}/{name}', await put('inbox', 'Absent', { name: 'Renamed' }), 'NOT_FOUND');
    refused('put', '/api/views/{page}/{name}', await put('dashboard', 'Documented', { filters: {} }), 'VALIDATION_FAILED');
    refused('put', '/api/views/{page}/{name}', await put('inbox', 'Documented', { filters: { nested: { a: 1 } } }), 'VALIDATION_FAILED');
    fits('get', '/api/views', await h.http().get('/api/views').query({ page: 'inbox' }).set(auth(viewer)));
    fits('get', '/api/views', await h.http().get('/api/views').set(auth(viewer)));
    refused('get', '/api/views', await h.http().get('/api/views').query({ page: 'nope' }).set(auth(viewer)), 'VALIDATION_FAILED');
    fits('delete', '/api/views/{page}/{name}', await h.http().delete('/api/views/inbox/Other').set(auth(viewer)));
    refused('delete', '/api/views/{page}/{name}', await h.http().delete('/api/views/inbox/Other').set(auth(viewer)), 'NOT_FOUND');
    refused('delete', '/api/views/{page}/{name}', await h.http().delete('/api/views/nope/Other').set(auth(viewer)), 'VALIDATION_FAILED');
  });

  it('met every operation of the document, and each of its statuses that a test can provoke', () => {
    const statuses = new Set([...checked].map((k) => k.split(' ').pop()));
    expect([...statuses].sort()).toEqual(['200', '201', '202', '204', '400', '401', '403', '404', '409', '413', '415', '422', '429']);
    const operations = new Set([...checked].map((k) => k.split(' ').slice(0, 2).join(' ')));
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    // /metrics is text, not JSON
    expect(documented.filter((o) => !operations.has(o))).toEqual(['get /metrics']);
  });
});
