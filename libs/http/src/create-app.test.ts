/**
 * The HTTP mapping only: status codes, error bodies and their order, validation and auth,
 * against an in-memory fake of the services (no Postgres or Redis behind it).
 */

import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import request from 'supertest';
import { ConflictError, ForbiddenError, NotFoundError, type Actor } from '@wf/engine';
import { signToken, type AppServices, type DefinitionDto, type DeputyDto, type InstanceDto, type Readiness, type TaskDetailDto, type TaskDto } from '@wf/runtime';
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
    slaPausedHours: 0,
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
    notStarter: false,
    distinctDeciders: false,
    managerRole: null,
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
    nodeId: 'manager_approval',
    nodeType: 'approval',
    urgencyLevel: 'NORMAL',
    hoursRemaining: 10,
    isOverdue: false,
    slaDeadline: NOW,
    assignedUserId: 'bob',
    assignedRole: null,
    candidateUsers: [],
    claimedAt: null,
    startedBy: 'alice',
    atRiskAt: null,
    onBehalfOf: null,
    contextEntityType: null,
    contextEntityId: null,
    contextData: {},
    createdAt: NOW,
  };
}

function taskDetail(taskId: string): TaskDetailDto {
  const { hoursRemaining, urgencyLevel, isOverdue, slaDeadline, ...t } = task(taskId);
  return {
    ...t,
    workflowVersion: 1,
    status: 'waiting',
    instanceStatus: 'running',
    escalationRole: null,
    escalatedAt: null,
    slaDeadline,
    urgencyLevel,
    hoursRemaining,
    isOverdue,
    decision: null,
    decidedBy: null,
    comments: null,
    revision: null,
    quorum: null,
    separationOfDuties: { notStarter: false, notDeciderOf: [], distinctDeciders: false },
    returnTo: null,
    rounds: null,
    forecast: { available: false, reason: 'too little history' },
    allowedActions: ['approve', 'reject', 'delegate'],
    actingFor: null,
    formSchema: null,
    completedAt: null,
  };
}

const DEPUTY_ID = '77777777-7777-4777-8777-777777777777';

function deputy(): DeputyDto {
  return {
    id: DEPUTY_ID,
    userId: 'alice',
    deputyUserId: 'bob',
    startsAt: NOW,
    endsAt: '2026-01-08T00:00:00.000Z',
    workflows: null,
    roles: null,
    createdBy: 'alice',
    createdAt: NOW,
    active: true,
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
      get: async () => ({ ...instance(), atRisk: false, nodes: [] }),
      history: async () => ({ items: [] }),
      verifyHistory: async () => ({ valid: true, checked: 0, brokenAt: null }),
      cancel: async () => instance({ status: 'cancelled' }),
      retry: async () => {
        throw new Error('database exploded: password=hunter2');
      },
      comments: async () => ({ items: [] }),
      comment: async (actor, id, body) => {
        record('instances.comment', actor, id, body);
        return { id: MISSING_ID, instanceId: id, authorUserId: actor.userId, text: body.text, createdAt: NOW };
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
      open: async (actor, filter, page) => {
        record('tasks.open', actor, filter, page);
        if (!actor.roles.includes('admin')) throw new ForbiddenError('operators only', 'ADMIN_REQUIRED');
        return { items: [task(WAITING_TASK)], nextCursor: null };
      },
      get: async (actor, taskId) => {
        await checkTask(actor, taskId);
        return taskDetail(taskId);
      },
      return: async (actor, taskId) => {
        await checkTask(actor, taskId);
        return { taskId, instanceId: INSTANCE_ID, status: 'completed', decision: 'returned' };
      },
      claim: async (actor, taskId) => {
        await checkTask(actor, taskId);
        return { ...task(taskId), assignedUserId: actor.userId, claimedAt: NOW };
      },
      release: async (actor, taskId) => {
        await checkTask(actor, taskId);
        return { ...task(taskId), assignedUserId: null };
      },
      reassign: async (actor, taskId, body) => {
        record('tasks.reassign', actor, taskId, body);
        await checkTask(actor, taskId);
        return { ...task(taskId), assignedUserId: body.toUserId ?? null, assignedRole: body.toRole ?? null };
      },
      moveDeadline: async (actor, taskId, body) => {
        record('tasks.moveDeadline', actor, taskId, body);
        await checkTask(actor, taskId);
        return taskDetail(taskId);
      },
      bulk: async (actor, body) => ({
        results: await Promise.all(
          body.taskIds.map(async (taskId) => {
            try {
              await checkTask(actor, taskId);
              return { taskId, ok: true as const, result: { taskId, instanceId: INSTANCE_ID, status: 'completed' as const, decision: 'approved' as const } };
            } catch (error) {
              return { taskId, ok: false as const, error };
            }
          }),
        ),
      }),
    },
    deputies: {
      declare: async (actor, input) => (record('deputies.declare', actor, input), deputy()),
      list: async () => ({ items: [deputy()] }),
      remove: async (_actor, id) => {
        if (id !== DEPUTY_ID) throw new NotFoundError('Deputy window', id);
      },
    },
    messages: {
      send: async (actor, input) => (record('messages.send', actor, input), { status: 'buffered', duplicate: false, messageId: input.messageId ?? null, resumed: 0, instanceIds: [], expiresAt: NOW }),
      callback: async (token, data) => {
        record('messages.callback', token, data);
        if (token !== 'good-token') throw new NotFoundError('Callback');
        return { accepted: true, instanceId: INSTANCE_ID, executionId: WAITING_TASK };
      },
      rotateCallback: async (actor, instanceId, executionId) => (record('messages.rotateCallback', actor, instanceId, executionId), { callbackUrl: 'http://localhost/api/callbacks/new' }),
      callbackUrlOf: () => 'http://localhost/api/callbacks/token',
    },
    calendars: {
      // a calendar named "existing" is replaced (version 2, two deadlines recounted); any other is created
      put: async (actor, body, name) => {
        record('calendars.put', actor, body, name);
        const given = name ?? String((body as { name?: unknown }).name ?? 'nine-to-five');
        const replaced = given === 'existing';
        return { calendar: { name: given, version: replaced ? 2 : 1, definition: {}, createdBy: actor.userId, createdAt: NOW, updatedAt: NOW }, created: !replaced, recounted: replaced ? 2 : 0 };
      },
      list: async () => ({ items: [] }),
      get: async (_actor, name) => {
        throw new NotFoundError('Calendar', name);
      },
    },
    views: {
      list: async () => ({ items: [] }),
      put: async (actor, page, name, input) => (
        record('views.put', actor, page, name, input),
        { view: { id: DEPUTY_ID, page, name: input.name ?? name, filters: input.filters ?? {}, position: 0, createdAt: NOW, updatedAt: NOW }, created: true }
      ),
      remove: async (_actor, page, name) => {
        throw new NotFoundError('Saved view', `${page}/${name}`);
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

describe('approvals: the operator view, bulk actions, hand-overs, comments and deputies', () => {
  const { app, calls } = setup();
  const userToken = signToken(SECRET, { tenantId: TENANT, userId: 'bob', roles: ['manager'], expiresInSeconds: 600 });

  it('answers the operator view to an admin with its filters parsed, 403 ADMIN_REQUIRED to anyone else', async () => {
    const res = await request(app).get('/api/tasks?overdue=true&olderThanHours=1.5&role=manager').set(bearer());
    expect(res.status).toBe(200);
    expect(calls.find((c) => c.method === 'tasks.open')?.args.slice(1)).toEqual([{ overdue: true, olderThanHours: 1.5, role: 'manager' }, { limit: 100, cursor: null }]);
    const refused = await request(app).get('/api/tasks').set(bearer(userToken));
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('ADMIN_REQUIRED');
  });

  it('answers a bulk request 200 with each task\'s own status and error, as acting on it alone would', async () => {
    const res = await request(app).post('/api/tasks/bulk').set(bearer()).send({ action: 'approve', taskIds: [WAITING_TASK, DECIDED_TASK, OTHERS_TASK] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      action: 'approve',
      succeeded: 1,
      failed: 2,
      results: [
        { taskId: WAITING_TASK, status: 200, ok: true, result: { taskId: WAITING_TASK, instanceId: INSTANCE_ID, status: 'completed', decision: 'approved' } },
        { taskId: DECIDED_TASK, status: 409, ok: false, error: { code: 'TASK_NOT_WAITING', message: 'Task is already completed', details: null } },
        { taskId: OTHERS_TASK, status: 403, ok: false, error: { code: 'FORBIDDEN', message: 'Not your task', details: null } },
      ],
    });
    const invalid = await request(app).post('/api/tasks/bulk').set(bearer()).send({ action: 'delegate', taskIds: [] });
    expect(invalid.status).toBe(400);
    expect((invalid.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path).sort()).toEqual(['action', 'taskIds']);
  });

  it('checks a reassignment\'s task before its body, and passes a valid one on', async () => {
    const conflict = await request(app).post(`/api/tasks/${DECIDED_TASK}/reassign`).set(bearer()).send({ toUserId: 'carol', toRole: 'manager' });
    expect(conflict.status).toBe(409);
    const invalid = await request(app).post(`/api/tasks/${WAITING_TASK}/reassign`).set(bearer()).send({ toUserId: 'carol', toRole: 'manager' });
    expect(invalid.status).toBe(400);
    expect((invalid.body as { error: { details: unknown } }).error.details).toEqual([{ path: 'toUserId', message: 'give exactly one of toUserId or toRole' }]);
    const ok = await request(app).post(`/api/tasks/${WAITING_TASK}/reassign`).set(bearer()).send({ toRole: 'finance' });
    expect(ok.status).toBe(200);
    expect(calls.find((c) => c.method === 'tasks.reassign')?.args.slice(1)).toEqual([WAITING_TASK, { toRole: 'finance' }]);
  });

  it('answers one task 200, a missing one 404', async () => {
    expect((await request(app).get(`/api/tasks/${WAITING_TASK}`).set(bearer())).status).toBe(200);
    expect((await request(app).get(`/api/tasks/${MISSING_ID}`).set(bearer())).status).toBe(404);
  });

  it('answers a comment 201, and a blank one 400', async () => {
    const res = await request(app).post(`/api/instances/${INSTANCE_ID}/comments`).set(bearer()).send({ text: 'looks fine' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ instanceId: INSTANCE_ID, authorUserId: 'alice', text: 'looks fine' });
    const blank = await request(app).post(`/api/instances/${INSTANCE_ID}/comments`).set(bearer()).send({ text: '  ' });
    expect(blank.status).toBe(400);
  });

  it('declares a deputy window with 201 and its Location, removes it with an empty 204', async () => {
    const res = await request(app).post('/api/deputies').set(bearer()).send({ deputyUserId: 'bob', startsAt: '2026-01-01', endsAt: '2026-01-08T00:00:00Z' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/deputies/${DEPUTY_ID}`);
    expect(calls.find((c) => c.method === 'deputies.declare')?.args[1]).toEqual({
      deputyUserId: 'bob',
      startsAt: new Date('2026-01-01T00:00:00Z'),
      endsAt: new Date('2026-01-08T00:00:00Z'),
    });
    const removed = await request(app).delete(`/api/deputies/${DEPUTY_ID}`).set(bearer());
    expect(removed.status).toBe(204);
    expect(removed.text).toBe('');
    expect((await request(app).delete(`/api/deputies/${MISSING_ID}`).set(bearer())).status).toBe(404);
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

describe('waits: messages, callbacks, calendars and deadlines', () => {
  const { app, calls } = setup();
  const lastCall = (method: string) => calls.filter((c) => c.method === method).at(-1)?.args;
  const problemPaths = (res: request.Response) => (res.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path).sort();

  it('sends a message with its time to live in milliseconds and a numeric correlation key as text', async () => {
    const res = await request(app).post('/api/messages').set(bearer()).send({ name: 'paid', correlationKey: 1001, data: { amount: 5 }, messageId: 'm-1', timeToLive: 'PT10M' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'buffered', duplicate: false, messageId: 'm-1', resumed: 0, instanceIds: [], expiresAt: NOW });
    expect(lastCall('messages.send')?.slice(1)).toEqual([{ name: 'paid', correlationKey: '1001', data: { amount: 5 }, messageId: 'm-1', timeToLiveMs: 600_000 }]);
    await request(app).post('/api/messages').set(bearer()).send({ name: 'paid', correlationKey: 'SO-1', timeToLive: 60 }).expect(200);
    expect(lastCall('messages.send')?.[1]).toEqual({ name: 'paid', correlationKey: 'SO-1', timeToLiveMs: 60_000 });
  });

  it('refuses a message without its key, with unknown fields or a time to live past 30 days (every problem), a duration in months on its own', async () => {
    const invalid = await request(app).post('/api/messages').set(bearer()).send({ name: ' ', extra: 1, timeToLive: 'P31D' });
    expect(invalid.status).toBe(400);
    expect(errorCode(invalid)).toBe('VALIDATION_FAILED');
    expect(problemPaths(invalid)).toEqual(['correlationKey', 'extra', 'name', 'timeToLive']);
    const months = await request(app).post('/api/messages').set(bearer()).send({ name: 'paid', correlationKey: 'SO-1', timeToLive: 'P1M' });
    expect(months.status).toBe(400);
    expect(errorCode(months)).toBe('INVALID_DURATION');
    expect((await request(app).post('/api/messages').send({ name: 'paid', correlationKey: 'SO-1' })).status).toBe(401);
  });

  it('takes a callback without a bearer token: 202 with the body as data, none as empty data; 404 for a token it does not know', async () => {
    const res = await request(app).post('/api/callbacks/good-token').send({ paid: true });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true, instanceId: INSTANCE_ID, executionId: WAITING_TASK });
    expect(lastCall('messages.callback')).toEqual(['good-token', { paid: true }]);
    await request(app).post('/api/callbacks/good-token').expect(202);
    expect(lastCall('messages.callback')).toEqual(['good-token', {}]);
    const unknown = await request(app).post('/api/callbacks/forged').send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Callback not found', details: null } });
  });

  it('refuses a callback body that is not a JSON object (400), or not JSON at all (415)', async () => {
    const list = await request(app).post('/api/callbacks/good-token').send([1]);
    expect(list.status).toBe(400);
    expect(errorCode(list)).toBe('VALIDATION_FAILED');
    const text = await request(app).post('/api/callbacks/good-token').set('Content-Type', 'text/plain').send('paid');
    expect(text.status).toBe(415);
  });

  it('limits callbacks per client address, whatever the token, apart from the tenants\' budgets', async () => {
    const limited = setup({ rateLimitPerMinute: 1 }).app;
    await request(limited).post('/api/callbacks/good-token').send({}).expect(202);
    const refused = await request(limited).post('/api/callbacks/another-token').send({});
    expect(refused.status).toBe(429);
    expect(errorCode(refused)).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await request(limited).get('/api/tasks/mine').set(bearer()).expect(200);
  });

  it('rotates a callback of an instance\'s execution, both ids checked', async () => {
    const res = await request(app).post(`/api/instances/${INSTANCE_ID}/executions/${WAITING_TASK}/callback/rotate`).set(bearer());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ callbackUrl: 'http://localhost/api/callbacks/new' });
    expect(lastCall('messages.rotateCallback')?.slice(1)).toEqual([INSTANCE_ID, WAITING_TASK]);
    const bad = await request(app).post(`/api/instances/${INSTANCE_ID}/executions/nope/callback/rotate`).set(bearer());
    expect(bad.body).toEqual({ error: { code: 'INVALID_ID', message: 'executionId must be a UUID', details: [{ path: 'executionId', message: 'must be a UUID' }] } });
    expect((await request(app).post(`/api/instances/${INSTANCE_ID}/executions/${WAITING_TASK}/callback/rotate`)).status).toBe(401);
  });

  it('creates a calendar with 201 and its Location, replaces one with 200 and the deadlines it recounted', async () => {
    const body = { name: 'nine-to-five', timeZone: 'Europe/Berlin', workingHours: { mon: [{ start: '09:00', end: '17:00' }] } };
    const created = await request(app).post('/api/calendars').set(bearer()).send(body);
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/api/calendars/nine-to-five');
    expect(created.body).toMatchObject({ name: 'nine-to-five', version: 1, recountedDeadlines: 0 });
    expect(lastCall('calendars.put')?.slice(1)).toEqual([body, undefined]);
    const replaced = await request(app).post('/api/calendars').set(bearer()).send({ ...body, name: 'existing' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'existing', version: 2, recountedDeadlines: 2 });
  });

  it('puts a calendar by the name in its path, checked before the body', async () => {
    const res = await request(app).put('/api/calendars/existing').set(bearer()).send({ timeZone: 'UTC' });
    expect(res.status).toBe(200);
    expect(lastCall('calendars.put')?.slice(1)).toEqual([{ timeZone: 'UTC' }, 'existing']);
    expect((await request(app).put('/api/calendars/new-one').set(bearer()).send({})).status).toBe(201);
    const badName = await request(app).put('/api/calendars/no%20spaces').set(bearer()).send({});
    expect(badName.status).toBe(400);
    expect(problemPaths(badName)).toEqual(['name']);
  });

  it('lists calendars (no parameters), reads one by name (404 when missing, 400 for a malformed name)', async () => {
    expect((await request(app).get('/api/calendars').set(bearer())).body).toEqual({ items: [] });
    const unknown = await request(app).get('/api/calendars?page=2').set(bearer());
    expect(unknown.status).toBe(400);
    expect(problemPaths(unknown)).toEqual(['page']);
    const missing = await request(app).get('/api/calendars/nine-to-five').set(bearer());
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('NOT_FOUND');
    expect((await request(app).get(`/api/calendars/${'x'.repeat(101)}`).set(bearer())).status).toBe(400);
  });

  it('moves a task\'s deadline with the instant parsed, the body checked before the task', async () => {
    const res = await request(app).post(`/api/tasks/${WAITING_TASK}/deadline`).set(bearer()).send({ slaDeadline: '2026-01-05T12:00:00+01:00', reason: 'supplier is late' });
    expect(res.status).toBe(200);
    expect((res.body as TaskDetailDto).taskId).toBe(WAITING_TASK);
    expect(lastCall('tasks.moveDeadline')?.slice(1)).toEqual([WAITING_TASK, { slaDeadline: new Date('2026-01-05T11:00:00Z'), reason: 'supplier is late' }]);
    const invalid = await request(app).post(`/api/tasks/${MISSING_ID}/deadline`).set(bearer()).send({ slaDeadline: 'next week', reason: ' ' });
    expect(invalid.status).toBe(400);
    expect(problemPaths(invalid)).toEqual(['reason', 'slaDeadline']);
    const missing = await request(app).post(`/api/tasks/${MISSING_ID}/deadline`).set(bearer()).send({ slaDeadline: '2026-01-05', reason: 'late' });
    expect(missing.status).toBe(404);
  });
});
