/**
 * The attempts of an I/O step: each failed one is in the audit trail, and the count that limits
 * retries is the one in Postgres, so a job dispatched afresh (removed in Bull Board, re-dispatched
 * by reconciliation) cannot start it over. The worker is off: the test delivers the jobs itself,
 * each as a fresh job whose queue-side count says "first attempt".
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { executeNode } from '@wf/engine';
import { createHarness, TENANT_A, type Harness } from '../testing/engine-harness';

let h: Harness;
let admin: string;
let port: number;
let requests = 0;
const server: Server = createServer((_req, res) => {
  requests += 1;
  res.writeHead(503).end('down');
});
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  h = await createHarness({ worker: false, env: { HTTP_CALL_ALLOWED_HOSTS: `127.0.0.1:${port}`, WORKFLOW_MAX_RETRIES: '2' } });
  admin = h.token('admin', ['admin']);
});

afterAll(async () => {
  await h.close();
  server.close();
});

it('fails the step after 1 + WORKFLOW_MAX_RETRIES attempts counted in Postgres, each failed attempt in the history', async () => {
  const def = await h.http().post('/api/definitions').set(auth(admin)).send({
    name: 'Always down',
    nodes: [{ id: 'call', nodeType: 'service_task', name: 'Call', serviceType: 'http_call', serviceConfig: { url: `http://127.0.0.1:${port}/x`, method: 'GET' } }],
    routes: [],
  });
  expect(def.status).toBe(201);
  const started = await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: def.body.id });
  const instanceId = started.body.id as string;
  const executionId = ((await h.http().get(`/api/instances/${instanceId}`).set(auth(admin))).body.nodes as { id: string }[])[0]!.id;
  const job = { kind: 'run' as const, tenantId: TENANT_A, instanceId, executionId, generation: 0 };

  // every delivery looks like a brand-new job to the queue: attempt 1, not final
  const outcomes: string[] = [];
  for (let i = 0; i < 5; i += 1) {
    try {
      const r = await executeNode(h.rt.ports, job, { attempt: 1, finalAttempt: false });
      outcomes.push(r.outcome);
    } catch (err) {
      outcomes.push((err as { kind?: string }).kind ?? 'error');
    }
  }
  // three attempts (1 + 2 retries) reached the server; the third failed the node; later deliveries found nothing to do
  expect(requests).toBe(3);
  expect(outcomes).toEqual(['transient', 'transient', 'node_failed', 'noop', 'noop']);

  const detail = (await h.http().get(`/api/instances/${instanceId}`).set(auth(admin))).body;
  expect(detail.status).toBe('failed');
  expect(detail.nodes[0].attempts).toBe(3);
  expect(detail.nodes[0].error.message).toContain('after 3 attempts');
  const history = (await h.http().get(`/api/instances/${instanceId}/history`).set(auth(admin))).body.items as { eventType: string; details: { attempt?: number; error?: { code: string } } }[];
  const attempts = history.filter((e) => e.eventType === 'step_attempt_failed');
  expect(attempts.map((e) => e.details.attempt)).toEqual([1, 2]);
  expect(attempts.every((e) => typeof e.details.error?.code === 'string')).toBe(true);
  expect(history.filter((e) => e.eventType === 'node_failed')).toHaveLength(1);
});
