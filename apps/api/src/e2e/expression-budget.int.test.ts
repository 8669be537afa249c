/**
 * Expression budgets end to end (issue 12, item 4), through the real API, worker, Postgres and
 * Redis: a gateway whose condition is over its evaluation budget fails the instance at once with
 * EXPRESSION_TOO_EXPENSIVE, is not retried and is not re-dispatched by reconciliation; `matches`
 * runs on RE2, and a pattern RE2 refuses is refused when the definition is saved.
 */
import { reconcileOnce } from '@wf/runtime';
import { createHarness, eventually, type Harness } from '../testing/engine-harness';

let h: Harness;
let admin: string;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await createHarness({ env: { WORKFLOW_MAX_RETRIES: '3', WORKFLOW_RETRY_BACKOFF_MS: '50', WORKFLOW_RECONCILE_AFTER_SECONDS: '1' } });
  admin = h.token('admin', ['admin']);
});

afterAll(() => h.close());

type Detail = { status: string; contextData: Record<string, unknown>; nodes: { nodeId: string; status: string; attempts: number; error: { code: string; message: string } | null }[] };

async function define(body: object): Promise<string> {
  const res = await h.http().post('/api/definitions').set(auth(admin)).send(body);
  if (res.status !== 201) throw new Error(`definition refused: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function start(definitionId: string, contextData: object = {}): Promise<string> {
  const res = await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: definitionId, contextData });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function get(id: string): Promise<Detail> {
  return (await h.http().get(`/api/instances/${id}`).set(auth(admin))).body as Detail;
}

const finished = (id: string) =>
  eventually(async () => {
    const d = await get(id);
    return d.status !== 'running' ? d : undefined;
  }, 15_000, `instance ${id} to finish`);

async function history(id: string): Promise<string[]> {
  return (await h.http().get(`/api/instances/${id}/history`).set(auth(admin))).body.items.map((i: { eventType: string }) => i.eventType);
}

const TWENTY = `[${Array.from({ length: 20 }, (_, i) => i + 1).join(', ')}]`;
/** 3.2 million iterations without a budget: seconds of work inside the step's transaction. */
const BOMB = `${TWENTY}.all(a, ${TWENTY}.all(b, ${TWENTY}.all(c, ${TWENTY}.all(d, ${TWENTY}.all(e, a + b + c + d + e > 0)))))`;

/**
 *   gate --true--> yes (set_context)
 *        \-false-> no  (set_context)
 */
function gateway(name: string, conditionExpression: string) {
  return {
    name,
    nodes: [
      { id: 'gate', nodeType: 'gateway', name: 'Gate', conditionExpression },
      { id: 'yes', nodeType: 'service_task', name: 'Yes', serviceType: 'set_context', serviceConfig: { values: { took: 'yes' } } },
      { id: 'no', nodeType: 'service_task', name: 'No', serviceType: 'set_context', serviceConfig: { values: { took: 'no' } } },
    ],
    routes: [
      { fromNodeId: 'gate', toNodeId: 'yes', condition: 'true' },
      { fromNodeId: 'gate', toNodeId: 'no', condition: 'false' },
    ],
  };
}

describe('a gateway over its evaluation budget', () => {
  it('fails the instance with EXPRESSION_TOO_EXPENSIVE once, and stays failed', async () => {
    const started = Date.now();
    const id = await start(await define(gateway('Bomb', BOMB)));
    const failed = await finished(id);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(failed.status).toBe('failed');
    const gate = failed.nodes.find((n) => n.nodeId === 'gate')!;
    expect(gate.status).toBe('failed');
    expect(gate.error?.code).toBe('EXPRESSION_TOO_EXPENSIVE');
    expect(gate.error?.message).toMatch(/over its evaluation budget of 100000 cost units$/);
    const events = await history(id);
    expect(events.filter((e) => e === 'node_failed')).toHaveLength(1);
    expect(events).toContain('instance_failed');

    // reconciliation finds nothing of it to re-dispatch, however long it waits
    await new Promise((r) => setTimeout(r, 1_200));
    await reconcileOnce(h.rt);
    await new Promise((r) => setTimeout(r, 300));
    expect(await history(id)).toEqual(events);
    expect((await get(id)).status).toBe('failed');
  });
});

describe('matches on RE2', () => {
  it('routes on ^(a|a)*$ over a string that stalls a backtracking RegExp', async () => {
    const defId = await define(gateway('Regex', "context.code.matches('^(a|a)*$')"));
    const started = Date.now();
    const done = await finished(await start(defId, { code: `${'a'.repeat(40)}!` }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(done.status).toBe('completed');
    expect(done.contextData['took']).toBe('no');
  });

  it('refuses a definition whose pattern RE2 does not accept', async () => {
    const res = await h.http().post('/api/definitions').set(auth(admin)).send(gateway('Lookahead', "context.code.matches('^a(?=b)')"));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(JSON.stringify(res.body.error.details)).toContain('invalid RE2 pattern');
  });
});
