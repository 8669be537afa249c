/**
 * Operations endpoints through the real app: Bull Board in a headless Chromium behind HTTP Basic
 * authentication, and the Prometheus text at /metrics fed by a worker that records its steps.
 * Chromium is required: without /usr/bin/chromium the browser tests fail, they do not skip.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue } from 'bullmq';
import { Pool } from 'pg';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { createEngineMetrics, createLogger, startWorkerRole, type EngineMetrics, type RunningRole } from '@wf/runtime';
import { bullBoardRouter, createApp, metricsRouter } from '@wf/http';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';
import { serviceChainDefinition } from '@wf/runtime/testing';

const CHROMIUM = '/usr/bin/chromium';
const BOARD = { user: 'ops', password: 'correct horse battery staple' };

let h: Harness;
let metrics: EngineMetrics;
let server: Server;
let baseUrl: string;
let worker: RunningRole | null = null;

beforeAll(async () => {
  // no worker yet: the job enqueued below stays waiting for the board to show
  h = await createHarness({ worker: false, env: { TASK_QUEUE_URGENT_THRESHOLD_HOURS: '24' } });
  const queues: Queue[] = [h.rt.bullDispatcher.queue, h.rt.bullDispatcher.slaQueue];
  metrics = createEngineMetrics({ pool: h.rt.store.pool, queues, urgentThresholdHours: h.rt.config.urgentThresholdHours });
  const app = createApp({
    services: h.rt.services,
    config: h.rt.config,
    logger: createLogger('silent'),
    extraRouters: { public: [bullBoardRouter(queues, BOARD), metricsRouter(metrics.registry)] },
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // a wake-up call for an execution that does not exist: harmless when a worker finally runs it
  await h.rt.bullDispatcher.dispatch([
    { kind: 'run', tenantId: '0a000000-0000-4000-8000-00000000000a', instanceId: '00000000-0000-4000-8000-0000000000f1', executionId: '00000000-0000-4000-8000-0000000000f2', generation: 1 },
  ]);
});

afterAll(async () => {
  await worker?.close();
  await new Promise<void>((done) => {
    server?.close(() => done());
    server?.closeAllConnections();
  });
  await h?.close();
});

describe('Bull Board in a browser', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(() => browser?.close());

  it('shows every engine queue to the configured user', async () => {
    const context = await browser.newContext({ httpCredentials: { username: BOARD.user, password: BOARD.password } });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${baseUrl}/admin/queues`);
      expect(response?.status()).toBe(200);
      // the queue list is rendered from the board's own API calls, which need the credentials too
      for (const name of ['node-executions', 'sla-checks']) await page.getByText(name).first().waitFor({ timeout: 20_000 });
      const text = await page.innerText('body');
      expect(text).toContain('node-executions');
      expect(text).toContain('sla-checks');
    } finally {
      await context.close();
    }
  });

  it.each([
    ['no credentials', undefined],
    ['a wrong password', { username: BOARD.user, password: 'wrong' }],
    ['a wrong user', { username: 'intruder', password: BOARD.password }],
  ])('answers 401 to %s', async (_what, httpCredentials) => {
    const context = await browser.newContext(httpCredentials ? { httpCredentials } : {});
    try {
      const page = await context.newPage();
      // With nothing to answer the challenge with, Chromium ends the navigation with
      // ERR_INVALID_AUTH_CREDENTIALS after the 401 arrives: read the answer itself.
      const [response] = await Promise.all([
        page.waitForResponse(`${baseUrl}/admin/queues`),
        page.goto(`${baseUrl}/admin/queues`).catch((err: Error) => (httpCredentials ? Promise.reject(err) : null)),
      ]);
      expect(response.status()).toBe(401);
      expect(await response.headerValue('www-authenticate')).toBe('Basic realm="workflow-engine"');
    } finally {
      await context.close();
    }
  });
});

describe('Basic authentication of the board', () => {
  it('challenges with a JSON error body, and guards the board API as well as the page', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      const res = await request(baseUrl).get(path);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="workflow-engine"');
      expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String), details: null } });
    }
    const wrong = await request(baseUrl).get('/admin/queues/api/queues').auth(BOARD.user, `${BOARD.password}x`);
    expect(wrong.status).toBe(401);
    const ok = await request(baseUrl).get('/admin/queues/api/queues').auth(BOARD.user, BOARD.password);
    expect(ok.status).toBe(200);
    expect(JSON.stringify(ok.body)).toContain('node-executions');
  });
});

describe('/metrics', () => {
  const admin = () => ({ Authorization: `Bearer ${h.token('admin', ['admin', 'approver'])}` });

  it('serves step timings, queue depths, open tasks and instance counts without a token', async () => {
    worker = startWorkerRole(h.rt, metrics);
    // set_context -> set_context, done at once; and an approval due in 1 hour (URGENT under 24)
    const chain = (await request(baseUrl).post('/api/definitions').set(admin()).send(serviceChainDefinition('Chain', 2))).body.id as string;
    const approval = {
      name: 'Sign-off',
      nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK', approverRole: 'approver', slaHours: 1 }],
      routes: [],
    };
    const signOff = (await request(baseUrl).post('/api/definitions').set(admin()).send(approval)).body.id as string;
    const done = (await request(baseUrl).post('/api/instances').set(admin()).send({ workflowDefinitionId: chain })).body.id as string;
    await request(baseUrl).post('/api/instances').set(admin()).send({ workflowDefinitionId: signOff });
    await eventually(async () => ((await request(baseUrl).get(`/api/instances/${done}`).set(admin())).body.status === 'completed' ? true : undefined));
    await eventually(async () => ((await request(baseUrl).get('/api/tasks/mine').set(admin())).body.items.length === 1 ? true : undefined));

    const res = await request(baseUrl).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = res.text;
    expect(text).toContain('# TYPE workflow_step_duration_seconds histogram');
    expect(text).toContain('workflow_step_duration_seconds_count{node_type="service_task",outcome="plan"} 2');
    expect(text).toContain('workflow_step_duration_seconds_count{node_type="approval",outcome="plan"} 1');
    // the bogus job enqueued before the worker started: nothing to run, nothing to name
    expect(text).toContain('workflow_step_duration_seconds_count{node_type="unknown",outcome="noop"} 1');
    expect(text).toContain('# TYPE workflow_step_failures_total counter');
    expect(text).toContain('workflow_queue_jobs{queue="node-executions",state="waiting"} 0');
    expect(text).toMatch(/^workflow_queue_jobs\{queue="sla-checks",state="delayed"\} \d+$/m);
    expect(text).toContain('workflow_tasks_open{urgency="URGENT"} 1');
    expect(text).toContain('workflow_tasks_open{urgency="OVERDUE"} 0');
    expect(text).toContain('workflow_tasks_open{urgency="NORMAL"} 0');
    expect(text).toContain('workflow_sla_breaches_total 0');
    expect(text).toContain('workflow_instances{status="running"} 1');
    expect(text).toContain('workflow_instances{status="completed"} 1');
    expect(text).toContain('workflow_instances{status="failed"} 0');
    expect(text).toMatch(/^workflow_process_process_cpu_user_seconds_total /m);
  });

  it('still answers when Postgres and Redis do not, leaving out what it could not read', async () => {
    const deadPool = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 1000 });
    const deadQueue = { name: 'broken', getJobCounts: () => Promise.reject(new Error('redis is down')) } as unknown as Queue;
    try {
      const broken = createEngineMetrics({ pool: deadPool, queues: [deadQueue], urgentThresholdHours: 4 });
      const text = await broken.registry.metrics();
      expect(text).toContain('# TYPE workflow_instances gauge');
      expect(text).not.toMatch(/^workflow_instances\{/m);
      expect(text).not.toMatch(/^workflow_tasks_open\{/m);
      expect(text).not.toMatch(/^workflow_sla_breaches_total /m);
      expect(text).not.toMatch(/^workflow_queue_jobs\{/m);
      expect(text).toContain('# TYPE workflow_step_duration_seconds histogram');
    } finally {
      await deadPool.end();
    }
  });
});
