/**
 * `npm start` with nothing but Node.js: the engine runs its own embedded PostgreSQL (forced here
 * with WORKFLOW_EMBEDDED_POSTGRES=true, since this machine has a Postgres on 5432) and the queues
 * on BullMQ's PostgreSQL backend, says so, serves the sample workflow, and after a kill -9 of the
 * engine the next start finds the server gone (its watchdog stopped it), the lock recovered and
 * every instance and task still there.
 */
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_TENANT_ID, SAMPLE_WORKFLOW_NAME, signToken } from '@wf/runtime';
import { eventually, freePort, launchEngine, type EngineProcess, type OutputLine } from '@wf/testkit';

const SECRET = 'embedded-start-test-secret';
const manager = signToken(SECRET, { tenantId: DEV_TENANT_ID, userId: 'mia', roles: ['manager'] });
const requester = signToken(SECRET, { tenantId: DEV_TENANT_ID, userId: 'rob', roles: ['employee'] });

let dataDir: string;
let port: number;
let engine: { process: EngineProcess; lines: OutputLine[] } | null = null;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'wf-embedded-start-'));
  // mkdtemp makes it 0700; run as root, the server runs as the postgres user, who must get in
  await chmod(dataDir, 0o755);
  port = await freePort();
});

afterAll(async () => {
  await engine?.process.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function start(): { process: EngineProcess; lines: OutputLine[] } {
  const lines: OutputLine[] = [];
  const proc = launchEngine({
    name: 'engine',
    entry: 'all-in-one',
    // nothing of the test's environment: no DATABASE_URL, no REDIS_URL
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'development',
      WORKFLOW_EMBEDDED_POSTGRES: 'true',
      WORKFLOW_DATA_DIR: dataDir,
      QUEUE_BACKEND: 'postgres',
      PORT: String(port),
      AUTH_JWT_SECRET: SECRET,
      LOG_LEVEL: 'info',
    },
    onLine: (line) => lines.push(line),
  });
  return { process: proc, lines };
}

const api = async (path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const managerTask = async (instanceId: string): Promise<string | undefined> => {
  const { body } = await api('/api/tasks/mine', manager);
  return (body['items'] as { instanceId: string; taskId: string }[]).find((t) => t.instanceId === instanceId)?.taskId;
};

it('starts on its own PostgreSQL and queue, and after a kill -9 the next start finds every instance and task', async () => {
  engine = start();
  await engine.process.ready.catch((err: Error) => {
    throw new Error(`${err.message}:\n${engine?.lines.map((l) => l.text).join('\n')}`);
  });
  const said = engine.lines.map((l) => l.text).join('\n');
  expect(said).toContain(`WORKFLOW_EMBEDDED_POSTGRES=true: using embedded PostgreSQL 18 in ${dataDir}/postgres on 127.0.0.1:`);
  expect(said).toContain('(initialised now)');
  expect(said).toContain('queues on PostgreSQL (QUEUE_BACKEND=postgres');
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(await ready.json()).toEqual({ status: 'ready', postgres: true, queue: { backend: 'postgres', ok: true }, store: 'embedded' });

  const started = await api('/api/instances', requester, { workflowName: SAMPLE_WORKFLOW_NAME, contextData: { amount: 500 } });
  expect(started.status).toBe(201);
  const instanceId = started.body['id'] as string;
  const taskId = await eventually(() => managerTask(instanceId), 15_000, 'the manager task');

  engine.process.signal('SIGKILL');
  await engine.process.exited;
  // the watchdog stops the server once its engine is gone: the lock file goes with it
  await eventually(async () => ((await stat(join(dataDir, 'postgres', 'postmaster.pid')).catch(() => null)) === null ? true : undefined), 15_000, 'the orphaned server to stop');

  engine = start();
  await engine.process.ready;
  expect(engine.lines.map((l) => l.text).join('\n')).not.toContain('(initialised now)');
  expect(await managerTask(instanceId)).toBe(taskId);
  expect((await api(`/api/tasks/${taskId}/approve`, manager, { comments: 'after the crash' })).status).toBe(200);
  await eventually(async () => ((await api(`/api/instances/${instanceId}`, requester)).body['status'] === 'completed' ? true : undefined), 15_000, 'the instance to complete');

  const sentAt = Date.now();
  engine.process.signal('SIGTERM');
  const exit = await engine.process.exited;
  expect(exit.code).toBe(0);
  expect(exit.at - sentAt).toBeLessThan(10_000);
  // a clean stop takes the server down with the engine
  await expect(stat(join(dataDir, 'postgres', 'postmaster.pid'))).rejects.toThrow();
  engine = null;
});
