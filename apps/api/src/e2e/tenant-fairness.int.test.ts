/**
 * Fairness between tenants in one worker: tenant B floods the worker with slow http_call steps,
 * and tenant A's one-step workflow still finishes in well under a second, because B may hold only
 * its share (WORKER_TENANT_CONCURRENCY) of the worker's slots and its other jobs are deferred.
 * Every one of B's steps still runs, exactly once. Real API, worker, scheduler, Postgres, Redis.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TENANT_A, TENANT_B, createHarness, eventually, type Harness } from '../testing/engine-harness';

const CONCURRENCY = 4;
const SHARE = 2;
const SLOW_MS = 2000;
const B_INSTANCES = 16;

let h: Harness;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** `/slow/<n>` answers after SLOW_MS, `/fast` at once; requests are counted by path. */
function upstream() {
  const state = { hits: new Map<string, number>(), inFlight: 0, maxInFlight: 0 };
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    state.hits.set(path, (state.hits.get(path) ?? 0) + 1);
    if (!path.startsWith('/slow/')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    setTimeout(() => {
      state.inFlight -= 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }, SLOW_MS);
  });
  return { server, state };
}

const api = upstream();
let port: number;

beforeAll(async () => {
  await new Promise<void>((r) => api.server.listen(0, '127.0.0.1', r));
  port = (api.server.address() as AddressInfo).port;
  h = await createHarness({
    env: {
      HTTP_CALL_ALLOWED_HOSTS: `127.0.0.1:${port}`,
      WORKER_CONCURRENCY: String(CONCURRENCY),
      WORKER_TENANT_CONCURRENCY: String(SHARE),
      // the sweep re-dispatches B's waiting executions while they are deferred: it must add nothing
      WORKFLOW_RECONCILE_AFTER_SECONDS: '1',
    },
  });
  h.startScheduler();
});

afterAll(async () => {
  await h.close();
  await new Promise((r) => api.server.close(r));
});

async function define(token: string, name: string, path: string): Promise<string> {
  const res = await h
    .http()
    .post('/api/definitions')
    .set(auth(token))
    .send({
      name,
      nodes: [{ id: 'call', nodeType: 'service_task', name: 'Call', serviceType: 'http_call', serviceConfig: { url: `http://127.0.0.1:${port}${path}`, method: 'GET', resultVariable: 'reply' } }],
      routes: [],
    });
  if (res.status !== 201) throw new Error(`definition refused: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function start(token: string, definitionId: string, contextData: object = {}): Promise<string> {
  const res = await h.http().post('/api/instances').set(auth(token)).send({ workflowDefinitionId: definitionId, contextData });
  if (res.status !== 201) throw new Error(`start refused: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

type Detail = { status: string; nodes: { nodeId: string; status: string; attempts: number }[] };

async function detail(token: string, id: string): Promise<Detail> {
  return (await h.http().get(`/api/instances/${id}`).set(auth(token))).body as Detail;
}

async function deferrals(): Promise<number> {
  const metric = await h.rt.metrics.registry.getSingleMetric('workflow_steps_deferred_total')?.get();
  return metric?.values.find((v) => v.labels['reason'] === 'tenant_share')?.value ?? 0;
}

it("keeps tenant A's one-step workflow under a second while tenant B's slow steps saturate the worker, and runs each of B's steps once", async () => {
  const adminA = h.token('admin-a', ['admin'], TENANT_A);
  const adminB = h.token('admin-b', ['admin'], TENANT_B);
  const slowDef = await define(adminB, 'Slow supplier sync', '/slow/{{ context.n }}');
  const fastDef = await define(adminA, 'Quick lookup', '/fast');

  const bIds = await Promise.all(Array.from({ length: B_INSTANCES }, (_, n) => start(adminB, slowDef, { n })));
  // B saturates: it holds its share of the slots and the rest of its steps are being deferred
  await eventually(async () => (api.state.inFlight === SHARE && (await deferrals()) > 0 ? true : undefined), 10_000, 'B to saturate its share');

  const t0 = performance.now();
  const aId = await start(adminA, fastDef);
  const aDone = await eventually(async () => {
    const d = await detail(adminA, aId);
    return d.status === 'running' ? undefined : d;
  }, 10_000, "A's instance to finish");
  const aSeconds = (performance.now() - t0) / 1000;
  expect(aDone.status).toBe('completed');
  expect(aSeconds).toBeLessThan(1);
  // measured while B was still busy: its slow calls were in flight when A finished
  expect(api.state.inFlight).toBeGreaterThan(0);

  // nothing lost: every B instance completes, its step on its first attempt
  const bDone = await Promise.all(
    bIds.map((id) =>
      eventually(async () => {
        const d = await detail(adminB, id);
        return d.status === 'running' ? undefined : d;
      }, 60_000, `B instance ${id} to finish`),
    ),
  );
  expect(bDone.map((d) => d.status)).toEqual(bIds.map(() => 'completed'));
  expect(bDone.every((d) => d.nodes.length === 1 && d.nodes[0]!.attempts === 1)).toBe(true);
  // nothing twice: the slow service saw each of B's steps exactly once, never more than B's share at a time
  expect([...api.state.hits.entries()].filter(([p]) => p.startsWith('/slow/')).sort()).toEqual(
    Array.from({ length: B_INSTANCES }, (_, n) => [`/slow/${n}`, 1] as [string, number]).sort(),
  );
  expect(api.state.hits.get('/fast')).toBe(1);
  expect(api.state.maxInFlight).toBe(SHARE);
}, 90_000);
