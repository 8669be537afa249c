/**
 * Context updates from handler results are held to the same rules as request bodies and starts:
 * no key that reaches a prototype, and the 256 KiB context limit.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';

let h: Harness;
let admin: string;
let port: number;
const server: Server = createServer((req, res) => {
  const body = req.url === '/proto' ? '{"profile": {"__proto__": {"isAdmin": true}}}' : JSON.stringify({ blob: 'x'.repeat(300 * 1024) });
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
});
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  h = await createHarness({ env: { HTTP_CALL_ALLOWED_HOSTS: `127.0.0.1:${port}`, WORKFLOW_MAX_RETRIES: '0' } });
  admin = h.token('admin', ['admin']);
});

afterAll(async () => {
  await h.close();
  server.close();
});

async function runCall(path: string): Promise<{ status: string; contextData: Record<string, unknown>; nodes: { error: { code: string } | null }[] }> {
  const def = await h.http().post('/api/definitions').set(auth(admin)).send({
    name: `Call ${path}`,
    nodes: [{ id: 'call', nodeType: 'service_task', name: 'Call', serviceType: 'http_call', serviceConfig: { url: `http://127.0.0.1:${port}${path}`, method: 'GET', resultVariable: 'result' } }],
    routes: [],
  });
  const id = (await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: def.body.id, contextData: { keep: 1 } })).body.id as string;
  return eventually(async () => {
    const i = (await h.http().get(`/api/instances/${id}`).set(auth(admin))).body;
    return i.status === 'running' ? undefined : i;
  }, 10_000, `instance of ${path}`);
}

it('fails the node when a handler result holds a __proto__ key, leaving the context as it was', async () => {
  const done = await runCall('/proto');
  expect(done.status).toBe('failed');
  expect(done.nodes[0]!.error!.code).toBe('UNSAFE_CONTEXT_KEY');
  expect(done.contextData).toEqual({ keep: 1 });
});

it('fails the node when a handler result would take the context past 256 KiB', async () => {
  const done = await runCall('/big');
  expect(done.status).toBe('failed');
  expect(done.nodes[0]!.error!.code).toBe('CONTEXT_TOO_LARGE');
  expect(done.contextData).toEqual({ keep: 1 });
});

it('refuses constructor and prototype keys in request bodies as it does __proto__', async () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    const res = await h.http().post('/api/instances').set(auth(admin)).set('content-type', 'application/json').send(`{"workflowName":"x","contextData":{"${key}":{"a":1}}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_JSON');
  }
});
