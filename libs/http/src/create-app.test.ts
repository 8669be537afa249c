/**
 * The HTTP mapping only: status codes, error bodies and their order, validation and auth,
 * against an in-memory fake of the services (no Postgres or Redis behind it).
 */

import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import request from 'supertest';
import { ConflictError, ForbiddenError, NotFoundError, type Actor } from '@wf/engine';
import { signToken, type AppServices, type DefinitionDto, type InstanceDto, type Readiness, type TaskDto } from '@wf/runtime';
import { createApp } from './create-app';

const SECRET = 'test-secret';
const TENANT = '00000000-0000-0000-0000-000000000001';
const WAITING_TASK = '11111111-1111-4111-8111-111111111111';
const DECIDED_TASK = '22222222-2222-4222-8222-222222222222';
const OTHERS_TASK = '33333333-3333-4333-8333-333333333333';
const MISSING_ID = '44444444-4444-4444-8444-444444444444';
const DEFINITION_ID = '55555555-5555-4555-8555-555555555555';
const INSTANCE_ID = '66666666-6666-4666-8666-666666666666';

const adminToken = signToken(SECRET, { tenantId: TENANT, userId: 'alice', roles: ['admin'], expiresInSeconds: 600 });
const bearer = (token = adminToken) => ({ Authorization: `Bearer ${token}` });

const NOW = '2026-01-01T00:00:00.000Z';

function instance(overrides: Partial<InstanceDto> = {}): InstanceDto {
  return {
    id: INSTANCE_ID,
    status: 'running',
    workflowDefinitionId: DEFINITION_ID,
    workflowName: 'po',
    workflowVersion: 1,
    contextEntityType: null,
    contextEntityId: null,
    contextData: {},
    triggerType: 'manual',
    startedBy: 'alice',
    parentInstanceId: null,
    slaDeadline: null,
    startedAt: NOW,
    completedAt: null,
    cancelReason: null,
    ...overrides,
  };
}

function definition(): DefinitionDto {
  return {
    id: DEFINITION_ID,
    name: 'po',
    version: 1,
    isActive: true,
    category: null,
    description: null,
    startNodeId: 'a',
    nodes: [],
    routes: [],
    triggers: [],
    slaHours: null,
    escalationEnabled: false,
    escalationRole: null,
    contextSchema: null,
    createdBy: 'alice',
    createdAt: NOW,
    updatedAt: NOW,
  };
}

function task(taskId: string): TaskDto {
  return {
    taskId,
    instanceId: INSTANCE_ID,
    workflowName: 'po',
    taskName: 'Manager approval',
    nodeType: 'approval',
    urgencyLevel: 'NORMAL',
    hoursRemaining: 10,
    isOverdue: false,
    slaDeadline: NOW,
    assignedUserId: 'bob',
    assignedRole: null,
    contextEntityType: null,
    contextEntityId: null,
    contextData: {},
    createdAt: NOW,
  };
}

/** Tasks: one waiting, one already decided (409), one visible but someone else's (403). */
function fakeServices() {
  const calls: { method: string; args: unknown[] }[] = [];
  const ready: Readiness = { postgres: true, queue: true, queueBackend: 'redis', store: 'external' };
  const record = (method: string, ...args: unknown[]) => calls.push({ method, args });

  const checkTask = async (_actor: Actor, taskId: string): Promise<void> => {
    if (taskId === DECIDED_TASK) throw new ConflictError('TASK_NOT_WAITING', 'Task is already completed');
    if (taskId === OTHERS_TASK) throw new ForbiddenError('Not your task');
    if (taskId !== WAITING_TASK) throw new NotFoundError('Task', taskId);
  };

  const services: AppServices = {
    analytics: { workflows: async () => ({ items: [] }) },
    events: {
      publish: async (actor, input) => (record('events.publish', actor, input), { startedInstanceIds: [] }),
    },
    definitions: {
      create: async (actor, body) => (record('definitions.create', actor, body), definition()),
      list: async (actor, filter, page) => (record('definitions.list', actor, filter, page), { items: [definition()], nextCursor: null }),
      get: async (_actor, id) => {
        if (id !== DEFINITION_ID) throw new NotFoundError('Definition', id);
        return definition();
      },
      setActive: async (actor, id, active) => (record('definitions.setActive', actor, id, active), definition()),
    },
    instances: {
      start: async (actor, input) => {
        record('instances.start', actor, input);
        return { instance: instance(), created: input.idempotencyKey !== 'seen-before' };
      },
      list: async (actor, filter, page) => (record('instances.list', actor, filter, page), { items: [instance()], nextCursor: 'next' }),
      get: async () => ({ ...instance(), nodes: [] }),
      history: async () => ({ items: [] }),
      verifyHistory: async () => ({ valid: true, checked: 0, brokenAt: null }),
      cancel: async () => instance({ status: 'cancelled' }),
      retry: async () => {
        throw new Error('database exploded: password=hunter2');
      },
    },
    tasks: {
      check: async (actor, taskId, action) => (record('tasks.check', actor, taskId, action), checkTask(actor, taskId)),
      mine: async (actor, filter, page) => (record('tasks.mine', actor, filter, page), { items: [task(WAITING_TASK)], nextCursor: null }),
      approve: async (actor, taskId, body) => {
        record('tasks.approve', actor, taskId, body);
        await checkTask(actor, taskId);
        return { taskId, instanceId: INSTANCE_ID, status: 'completed', decision: 'approved' };
      },
      reject: async (actor, taskId) => {
        await checkTask(actor, taskId);
        return { taskId, instanceId: INSTANCE_ID, status: 'completed', decision: 'rejected' };
      },
      delegate: async (actor, taskId, body) => {
        await checkTask(actor, taskId);
        return { ...task(taskId), assignedUserId: body.toUserId };
      },
      complete: async (actor, taskId) => {
        await checkTask(actor, taskId);
        return { taskId, instanceId: INSTANCE_ID, status: 'completed' };
      },
    },
    health: { readiness: async () => ({ ...ready }) },
  };
  return { services, calls, ready };
}

function setup(config: { maxBodyBytes?: number; rateLimitPerMinute?: number } = {}) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const fake = fakeServices();
  const app = createApp({
    services: fake.services,
    config: { jwtSecret: SECRET, maxBodyBytes: config.maxBodyBytes ?? 2048, rateLimitPerMinute: config.rateLimitPerMinute ?? 0 },
    logger,
  });
  return { app, lines, ...fake };
}

const errorCode = (res: request.Response) => (res.body as { error: { code: string } }).error.code;

describe('authentication', () => {
  const { app } = setup();

  it('answers 401 UNAUTHENTICATED without a token', async () => {
    const res = await request(app).get('/api/definitions');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Missing bearer token', details: null } });
  });

  it('answers 401 for a header that is not a bearer token', async () => {
    const res = await request(app).get('/api/definitions').set('Authorization', 'Basic YTpi');
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });

  it('answers 401 INVALID_TOKEN for a token signed with another secret', async () => {
    const forged = signToken('not-the-secret', { tenantId: TENANT, userId: 'mallory', roles: ['admin'] });
    const res = await request(app).get('/api/definitions').set(bearer(forged));
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('INVALID_TOKEN');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('answers 401 INVALID_TOKEN for an unsigned (alg none) token', async () => {
    const unsigned = jwt.sign({ sub: 'mallory', tenant: TENANT, roles: ['admin'] }, '', { algorithm: 'none' });
    const res = await request(app).get('/api/definitions').set(bearer(unsigned));
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('INVALID_TOKEN');
  });

  it('answers 401 TOKEN_EXPIRED for an expired token', async () => {
    const expired = signToken(SECRET, { tenantId: TENANT, userId: 'alice', roles: [], expiresInSeconds: -10 });
    const res = await request(app).get('/api/definitions').set(bearer(expired));
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('TOKEN_EXPIRED');
  });

  it('answers 401 INVALID_TOKEN when the claims are wrong', async () => {
    const noTenant = jwt.sign({ sub: 'alice', tenant: 'acme', roles: ['admin'] }, SECRET, { algorithm: 'HS256' });
    const badRoles = jwt.sign({ sub: 'alice', tenant: TENANT, roles: 'admin' }, SECRET, { algorithm: 'HS256' });
    for (const token of [noTenant, badRoles]) {
      const res = await request(app).get('/api/definitions').set(bearer(token));
      expect(res.status).toBe(401);
      expect(errorCode(res)).toBe('INVALID_TOKEN');
    }
  });

  it('puts the token claims on the actor, roles defaulting to none', async () => {
    const { app: app2, calls } = setup();
    const noRoles = jwt.sign({ sub: 'bob', tenant: TENANT }, SECRET, { algorithm: 'HS256', expiresIn: 600 });
    const res = await request(app2).get('/api/definitions').set(bearer(noRoles));
    expect(res.status).toBe(200);
    expect(calls[0]?.args[0]).toEqual({ tenantId: TENANT, userId: 'bob', roles: [] });
  });
});

describe('request bodies', () => {
  const { app } = setup({ maxBodyBytes: 2048 });

  it('answers 400 INVALID_JSON for malformed JSON', async () => {
    const res = await request(app)
      .post('/api/instances')
      .set(bearer())
      .set('Content-Type', 'application/json')
      .send('{"workflowName": ');
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('INVALID_JSON');
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over the limit', async () => {
    const res = await request(app)
      .post('/api/instances')
      .set(bearer())
      .send({ workflowName: 'po', contextData: { blob: 'x'.repeat(4096) } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large', details: { limitBytes: 2048 } },
    });
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await request(app).post('/api/instances').set(bearer()).type('form').send('workflowName=po');
    expect(res.status).toBe(415);
    expect(errorCode(res)).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a __proto__ key', async () => {
    const res = await request(app)
      .post('/api/instances')
      .set(bearer())
      .set('Content-Type', 'application/json')
      .send('{"workflowName":"po","contextData":{"__proto__":{"admin":true}}}');
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('INVALID_JSON');
  });
});

describe('task actions: 404, 403, 409 come before a 400 for the body', () => {
  const { app, calls } = setup();

  it('answers 404 for an invalid body on a missing task', async () => {
    const res = await request(app).post(`/api/tasks/${MISSING_ID}/approve`).set(bearer()).send({ comments: 42 });
    expect(res.status).toBe(404);
    expect(errorCode(res)).toBe('NOT_FOUND');
  });

  it('answers 403 for an invalid body on someone else’s task, 409 on a decided one', async () => {
    const forbidden = await request(app).post(`/api/tasks/${OTHERS_TASK}/reject`).set(bearer()).send({ comments: 42 });
    expect(forbidden.status).toBe(403);
    const conflict = await request(app).post(`/api/tasks/${DECIDED_TASK}/delegate`).set(bearer()).send({});
    expect(conflict.status).toBe(409);
    expect(errorCode(conflict)).toBe('TASK_NOT_WAITING');
  });

  it('answers 400 VALIDATION_FAILED listing every problem on a waiting task', async () => {
    const res = await request(app)
      .post(`/api/tasks/${WAITING_TASK}/delegate`)
      .set(bearer())
      .send({ comments: 42, extra: true });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('VALIDATION_FAILED');
    const details = (res.body as { error: { details: { path: string }[] } }).error.details;
    expect(details.map((d) => d.path).sort()).toEqual(['comments', 'extra', 'toUserId']);
    expect(calls.some((c) => c.method === 'tasks.check' && c.args[2] === 'delegate')).toBe(true);
  });

  it('answers 400 when a complete body has no data object', async () => {
    const res = await request(app).post(`/api/tasks/${WAITING_TASK}/complete`).set(bearer()).send({ data: [1] });
    expect(res.status).toBe(400);
    expect((res.body as { error: { details: unknown } }).error.details).toEqual([{ path: 'data', message: 'must be a JSON object' }]);
  });

  it('approves a waiting task with a valid body, and without one', async () => {
    const res = await request(app).post(`/api/tasks/${WAITING_TASK}/approve`).set(bearer()).send({ comments: 'ok' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ taskId: WAITING_TASK, instanceId: INSTANCE_ID, status: 'completed', decision: 'approved' });
    const bare = await request(app).post(`/api/tasks/${WAITING_TASK}/approve`).set(bearer());
    expect(bare.status).toBe(200);
  });

  it('answers 400 for a JSON null body rather than reading it as empty', async () => {
    const res = await request(app)
      .post(`/api/tasks/${WAITING_TASK}/approve`)
      .set(bearer())
      .set('Content-Type', 'application/json')
      .send('null');
    expect(res.status).toBe(400);
    expect((res.body as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe('body');
  });

  it('answers 400 INVALID_ID for a task id that is not a UUID', async () => {
    const res = await request(app).post('/api/tasks/not-a-uuid/approve').set(bearer()).send({});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'INVALID_ID', message: 'taskId must be a UUID', details: [{ path: 'taskId', message: 'must be a UUID' }] },
    });
  });
});

describe('ids and query strings', () => {
  const { app, calls } = setup();

  it('answers 400 INVALID_ID for a malformed id', async () => {
    for (const path of ['/api/definitions/123', '/api/instances/xyz/history', '/api/instances/xyz/cancel']) {
      const res = path.endsWith('cancel') ? await request(app).post(path).set(bearer()) : await request(app).get(path).set(bearer());
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe('INVALID_ID');
    }
  });

  it('answers 400 for unknown enum values', async () => {
    for (const query of ['status=paused', 'status=running&status=failed']) {
      const res = await request(app).get(`/api/instances?${query}`).set(bearer());
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe('VALIDATION_FAILED');
    }
    const urgency = await request(app).get('/api/tasks/mine?urgencyLevel=LATER').set(bearer());
    expect(urgency.status).toBe(400);
    const active = await request(app).get('/api/definitions?isActive=yes').set(bearer());
    expect(active.status).toBe(400);
  });

  it('answers 400 for limit 501, 0 or not a number, and for an unknown parameter', async () => {
    for (const query of ['limit=501', 'limit=0', 'limit=ten', 'limit=1.5', 'stauts=running']) {
      const res = await request(app).get(`/api/instances?${query}`).set(bearer());
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });

  it('passes parsed filters and paging to the service and returns its page as-is', async () => {
    const res = await request(app)
      .get(`/api/instances?status=failed&workflowDefinitionId=${DEFINITION_ID}&limit=500&cursor=abc`)
      .set(bearer());
    expect(res.status).toBe(200);
    expect((res.body as { nextCursor: unknown }).nextCursor).toBe('next');
    const call = calls.find((c) => c.method === 'instances.list');
    expect(call?.args.slice(1)).toEqual([{ status: 'failed', workflowDefinitionId: DEFINITION_ID }, { limit: 500, cursor: 'abc' }]);

    await request(app).get('/api/definitions?isActive=false').set(bearer()).expect(200);
    const defs = calls.find((c) => c.method === 'definitions.list');
    expect(defs?.args.slice(1)).toEqual([{ isActive: false }, { limit: 100, cursor: null }]);
  });
});

describe('definitions', () => {
  const { app, calls } = setup();

  it('creates with 201 and hands the raw body to the service', async () => {
    const body = { name: 'po', nodes: [], routes: [], anything: { nested: true } };
    const res = await request(app).post('/api/definitions').set(bearer()).send(body);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/definitions/${DEFINITION_ID}`);
    expect(calls.find((c) => c.method === 'definitions.create')?.args[1]).toEqual(body);
  });

  it('answers 400 for a body that is not an object', async () => {
    const res = await request(app).post('/api/definitions').set(bearer()).send([1, 2]);
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('VALIDATION_FAILED');
  });

  it('activates and deactivates with 200', async () => {
    await request(app).post(`/api/definitions/${DEFINITION_ID}/deactivate`).set(bearer()).expect(200);
    expect(calls.find((c) => c.method === 'definitions.setActive')?.args.slice(1)).toEqual([DEFINITION_ID, false]);
  });

  it('answers a missing definition with 404', async () => {
    const res = await request(app).get(`/api/definitions/${MISSING_ID}`).set(bearer());
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: `Definition ${MISSING_ID} not found`, details: null } });
  });
});

describe('starting instances', () => {
  const { app, calls } = setup();

  it('answers 201 when an instance was created', async () => {
    const res = await request(app).post('/api/instances').set(bearer()).send({ workflowName: 'po', contextData: { amount: 1 } });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/instances/${INSTANCE_ID}`);
    expect((res.body as InstanceDto).id).toBe(INSTANCE_ID);
  });

  it('answers 200 when the Idempotency-Key replays an earlier start', async () => {
    const res = await request(app)
      .post('/api/instances')
      .set(bearer())
      .set('Idempotency-Key', 'seen-before')
      .send({ workflowDefinitionId: DEFINITION_ID });
    expect(res.status).toBe(200);
    const input = calls.filter((c) => c.method === 'instances.start').at(-1)?.args[1];
    expect(input).toEqual({ workflowDefinitionId: DEFINITION_ID, idempotencyKey: 'seen-before' });
  });

  it('answers 400 for both or neither of workflowDefinitionId and workflowName', async () => {
    const both = await request(app).post('/api/instances').set(bearer()).send({ workflowDefinitionId: DEFINITION_ID, workflowName: 'po' });
    expect(both.status).toBe(400);
    const neither = await request(app).post('/api/instances').set(bearer()).send({ contextData: {} });
    expect(neither.status).toBe(400);
    expect(errorCode(neither)).toBe('VALIDATION_FAILED');
  });

  it('lists body and header problems together', async () => {
    const res = await request(app)
      .post('/api/instances')
      .set(bearer())
      .set('Idempotency-Key', 'k'.repeat(201))
      .send({ workflowDefinitionId: 'nope', contextData: 'x' });
    expect(res.status).toBe(400);
    const details = (res.body as { error: { details: { path: string }[] } }).error.details;
    expect(details.map((d) => d.path).sort()).toEqual(['Idempotency-Key', 'contextData', 'workflowDefinitionId']);
  });
});

describe('probes, unknown routes and failures', () => {
  it('answers /healthz with 200 without a token', async () => {
    const { app } = setup();
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when both dependencies answer, 503 naming the one down', async () => {
    const { app, ready } = setup();
    const ok = await request(app).get('/readyz');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ready', postgres: true, redis: true, queue: { backend: 'redis', ok: true }, store: 'external' });

    ready.queue = false;
    const down = await request(app).get('/readyz');
    expect(down.status).toBe(503);
    expect(errorCode(down)).toBe('NOT_READY');
    expect((down.body as { error: { details: unknown } }).error.details).toEqual({ postgres: true, redis: false, queue: { backend: 'redis', ok: false }, store: 'external', down: ['redis'] });
  });

  it('says on /readyz which store and queue backend run, without a redis field on the postgres backend', async () => {
    const { app, ready } = setup();
    Object.assign(ready, { queueBackend: 'postgres', store: 'embedded' });
    const ok = await request(app).get('/readyz');
    expect(ok.body).toEqual({ status: 'ready', postgres: true, queue: { backend: 'postgres', ok: true }, store: 'embedded' });
    ready.queue = false;
    const down = await request(app).get('/readyz');
    expect(down.status).toBe(503);
    expect((down.body as { error: { message: string; details: { down: string[] } } }).error.message).toBe('Not ready: the postgres queue backend not answering');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const { app } = setup();
    const res = await request(app).get('/api/nothing-here').set(bearer());
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Route GET /api/nothing-here not found', details: null } });
    const outside = await request(app).get('/nope');
    expect(outside.status).toBe(404);
    expect(errorCode(outside)).toBe('NOT_FOUND');
  });

  it('answers an unexpected error with a generic 500 and logs its stack', async () => {
    const { app, lines } = setup();
    const res = await request(app).post(`/api/instances/${INSTANCE_ID}/retry`).set(bearer());
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error', details: null } });
    const logged = lines.find((l) => l.msg === 'unhandled error') as { err?: { stack?: string } } | undefined;
    expect(logged?.err?.stack).toContain('database exploded');
  });

  it('echoes the request id and logs one access line without the Authorization header', async () => {
    const { app, lines } = setup();
    const res = await request(app).get('/api/tasks/mine').set(bearer()).set('x-request-id', 'req-123');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(res.headers['x-powered-by']).toBeUndefined();
    const access = lines.filter((l) => l.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ requestId: 'req-123', method: 'GET', path: '/api/tasks/mine', status: 200, tenantId: TENANT, userId: 'alice' });
    expect(JSON.stringify(lines)).not.toContain(adminToken);
  });

  it('answers 429 with Retry-After past the per-minute limit', async () => {
    const { app } = setup({ rateLimitPerMinute: 2 });
    await request(app).get('/api/tasks/mine').set(bearer()).expect(200);
    await request(app).get('/api/tasks/mine').set(bearer()).expect(200);
    const res = await request(app).get('/api/tasks/mine').set(bearer());
    expect(res.status).toBe(429);
    expect(errorCode(res)).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
