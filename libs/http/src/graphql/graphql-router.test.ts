/**
 * The GraphQL mapping only, over in-memory fakes of the services (no Postgres or Redis behind
 * them): errors keep the REST codes, a bug is INTERNAL without its text and logged with its stack,
 * task actions check in REST's order, and a process without a feed refuses subscriptions cleanly.
 */

import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { ConflictError, NotFoundError } from '@wf/engine';
import { signToken, type AppServices, type ReadBatchesService } from '@wf/runtime';
import { createApp } from '../create-app';
import { graphqlApi } from './graphql-router';

const SECRET = 'test-secret';
const TENANT = '00000000-0000-0000-0000-000000000001';
const DECIDED_TASK = '22222222-2222-4222-8222-222222222222';
const token = signToken(SECRET, { tenantId: TENANT, userId: 'alice', roles: ['admin'], expiresInSeconds: 600 });

const unused = () => {
  throw new Error('not used by these tests');
};

function setup() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const calls: string[] = [];
  const services = {
    analytics: { workflows: unused },
    events: { publish: unused },
    definitions: { create: unused, list: unused, get: unused, setActive: unused },
    instances: {
      start: unused,
      list: unused,
      get: unused,
      history: unused,
      verifyHistory: unused,
      cancel: unused,
      retry: async () => {
        throw new Error('database exploded: password=hunter2');
      },
    },
    tasks: {
      check: async (_actor: unknown, taskId: string) => {
        calls.push(`check ${taskId}`);
        if (taskId === DECIDED_TASK) throw new ConflictError('TASK_NOT_WAITING', 'Task is already completed');
        throw new NotFoundError('Task', taskId);
      },
      mine: unused,
      approve: async (_actor: unknown, taskId: string) => {
        calls.push(`approve ${taskId}`);
        throw new ConflictError('TASK_NOT_WAITING', 'Task is already completed');
      },
      reject: unused,
      delegate: unused,
      complete: unused,
    },
    health: { readiness: async () => ({ postgres: true, queue: true, queueBackend: 'redis', store: 'external' }) },
  } as unknown as AppServices;
  const batches: ReadBatchesService = { executionsOf: unused, historiesOf: unused, instances: unused, queuedTasks: unused };
  const gql = graphqlApi({ services, batches, feed: null, logger, maxBodyBytes: 32_768, introspection: true });
  const app = createApp({ services, config: { jwtSecret: SECRET, maxBodyBytes: 32_768, rateLimitPerMinute: 0 }, logger, graphql: gql.mount });
  const run = (query: string) => request(app).post('/graphql').set('Authorization', `Bearer ${token}`).send({ query });
  return { app, run, lines, calls, close: () => gql.close() };
}

describe('errors', () => {
  it('a bug is INTERNAL: generic message, no trace of it in the answer, logged with its stack', async () => {
    const { run, lines } = setup();
    const res = await run('mutation { retryWorkflowInstance(id: "66666666-6666-4666-8666-666666666666") { id } }');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: { retryWorkflowInstance: null },
      errors: [{ message: 'Internal server error', locations: [{ line: 1, column: 12 }], path: ['retryWorkflowInstance'], extensions: { code: 'INTERNAL' } }],
    });
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    const logged = lines.find((l) => l['msg'] === 'graphql resolver failed');
    expect(logged?.['level']).toBe(50);
    expect(JSON.stringify(logged?.['err'])).toContain('database exploded');
    expect(JSON.stringify(logged?.['err'])).toContain('stack');
  });

  it('an engine error keeps its REST code and message', async () => {
    const { run } = setup();
    const res = await run(`mutation { approveTask(taskId: "${DECIDED_TASK}") { id status } }`);
    expect(res.body.errors).toEqual([expect.objectContaining({ message: 'Task is already completed', extensions: { code: 'TASK_NOT_WAITING' } })]);
  });

  it('an invalid argument on a task is reported after the task: 409 before 400, as REST', async () => {
    const { run, calls } = setup();
    const res = await run(`mutation { approveTask(taskId: "${DECIDED_TASK}", comments: "${'x'.repeat(10_001)}") { id } }`);
    expect(res.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['TASK_NOT_WAITING']);
    expect(calls).toEqual([`check ${DECIDED_TASK}`]);
  });

  it('an oversized body is 413 in GraphQL shape, before the token is looked at', async () => {
    const { app } = setup();
    const res = await request(app).post('/graphql').set('Content-Type', 'application/json').send({ query: `{ __typename ${' '.repeat(40_000)}}` });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ errors: [{ message: 'Request body is too large', extensions: { code: 'PAYLOAD_TOO_LARGE', details: { limitBytes: 32768 } } }] });
  });

  it('an unknown path under /graphql is a GraphQL-shaped 404', async () => {
    const { app } = setup();
    const res = await request(app).get('/graphql/nope').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(404);
    expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('subscriptions without a feed', () => {
  it('answer SUBSCRIPTIONS_UNAVAILABLE in the stream, and the stream completes', async () => {
    const { app, close } = setup();
    const res = await request(app)
      .post('/graphql/stream')
      .set('Authorization', `Bearer ${token}`)
      .set('Accept', 'text/event-stream')
      .send({ query: 'subscription { taskQueueChanged { change } }' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(res.text).toContain('"code":"SUBSCRIPTIONS_UNAVAILABLE"');
    expect(res.text).toContain('event: complete');
    await close();
  });

  it('refuse a stream request that does not accept text/event-stream (406)', async () => {
    const { app } = setup();
    const res = await request(app).post('/graphql/stream').set('Authorization', `Bearer ${token}`).set('Accept', 'application/json').send({ query: 'subscription { taskQueueChanged { change } }' });
    expect(res.status).toBe(406);
    expect(res.body.errors[0].extensions.code).toBe('NOT_ACCEPTABLE');
  });
});
