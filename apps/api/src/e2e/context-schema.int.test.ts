/**
 * A definition's `contextSchema` is kept with the version and checked on every start; rows saved
 * before the strict checks (unbounded slaHours) still start, with a deadline held to the bound.
 */
import { createHarness, sqlAsOwner, type Harness } from '../testing/engine-harness';

let h: Harness;
let admin: string;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await createHarness({ worker: false });
  admin = h.token('admin', ['admin']);
});

afterAll(() => h.close());

const contextSchema = {
  type: 'object',
  required: ['amount'],
  properties: { amount: { type: 'number', minimum: 0 }, currency: { type: 'string', pattern: '^[A-Z]{3}$' } },
};

function orderWorkflow(name: string, extra: object = {}) {
  return {
    name,
    contextSchema,
    nodes: [
      { id: 'route', nodeType: 'gateway', name: 'Route', conditionExpression: 'context.amount > 1000' },
      { id: 'big', nodeType: 'approval', name: 'Big', approverRole: 'cfo' },
      { id: 'small', nodeType: 'approval', name: 'Small', approverRole: 'manager' },
    ],
    routes: [
      { fromNodeId: 'route', toNodeId: 'big', condition: 'true' },
      { fromNodeId: 'route', toNodeId: 'small', condition: 'false' },
    ],
    ...extra,
  };
}

const start = (workflowDefinitionId: string, contextData: object) =>
  h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId, contextData });

it('keeps the contextSchema with the version and returns it', async () => {
  const saved = await h.http().post('/api/definitions').set(auth(admin)).send(orderWorkflow('Kept schema'));
  expect(saved.status).toBe(201);
  expect(saved.body.contextSchema).toEqual(contextSchema);
  const read = await h.http().get(`/api/definitions/${saved.body.id}`).set(auth(admin));
  expect(read.body.contextSchema).toEqual(contextSchema);
});

it('refuses a start whose contextData does not match, naming each problem, and writes nothing', async () => {
  const id = (await h.http().post('/api/definitions').set(auth(admin)).send(orderWorkflow('Checked start'))).body.id as string;
  const bad = await start(id, { currency: 'euro' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('CONTEXT_VALIDATION_FAILED');
  expect(bad.body.error.details).toEqual(
    expect.arrayContaining([
      { path: 'contextData', message: "must have required property 'amount'" },
      { path: 'contextData.currency', message: 'must match pattern "^[A-Z]{3}$"' },
    ]),
  );
  const [count] = await sqlAsOwner<{ n: number }>(h.db.url, 'SELECT count(*)::int AS n FROM workflow_instances WHERE definition_id = $1', [id]);
  expect(count!.n).toBe(0);
  expect((await start(id, { amount: 15000, currency: 'EUR' })).status).toBe(201);
});

it('refuses an invalid contextSchema at save, with its path', async () => {
  const res = await h
    .http()
    .post('/api/definitions')
    .set(auth(admin))
    .send(orderWorkflow('Bad schema', { contextSchema: { type: 'object', properties: { amount: { type: 'number', minimun: 0 } } } }));
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('INVALID_DEFINITION');
  expect(res.body.error.details).toEqual([{ path: 'contextSchema', message: expect.stringContaining('unknown keyword: "minimun"') }]);
});

it('starts a row stored before the bounds, its deadline held to ten years', async () => {
  const id = (
    await h
      .http()
      .post('/api/definitions')
      .set(auth(admin))
      .send({ name: 'Old row', slaHours: 24, nodes: [{ id: 'ok', nodeType: 'approval', name: 'OK', approverRole: 'manager' }], routes: [] })
  ).body.id as string;
  // what a save before the bound could store: 1e10 hours is past the last date JavaScript can hold
  await sqlAsOwner(h.db.url, 'UPDATE workflow_definitions SET sla_hours = 1e10 WHERE id = $1', [id]);
  const res = await start(id, {});
  expect(res.status).toBe(201);
  const [row] = await sqlAsOwner<{ years: number }>(
    h.db.url,
    `SELECT extract(epoch FROM (sla_deadline - now())) / (365.25 * 86400) AS years FROM workflow_instances WHERE id = $1`,
    [res.body.id],
  );
  expect(Number(row!.years)).toBeGreaterThan(9.9);
  expect(Number(row!.years)).toBeLessThan(10.1);
});
