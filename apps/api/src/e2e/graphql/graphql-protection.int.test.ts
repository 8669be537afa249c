/**
 * What protects /graphql, against a live engine: a fixed number of SQL statements however many
 * instances a list shows (DataLoader), documents refused before they run (malformed, unknown
 * fields, wrong argument types, too deep, too many aliases or tokens, too large), batches, CSRF
 * (only JSON bodies), the token, the rate limit REST and GraphQL share, and introspection and the
 * playground switched by GRAPHQL_INTROSPECTION.
 *
 *   approve (approval, role manager): each instance parks at it
 */
import type { PoolClient } from 'pg';
import request from 'supertest';
import { TENANT_A, createHarness, eventually, type Harness } from '../../testing/engine-harness';
import { codes, graphqlApp, type GraphqlAnswer, type GraphqlApp } from './graphql-test-kit';

let h: Harness;
let gql: GraphqlApp;
let admin: string;
let definitionId: string;

beforeAll(async () => {
  h = await createHarness();
  gql = graphqlApp(h);
  admin = h.token('alice', ['admin', 'manager']);
  const created = await gql.run<{ createWorkflowDefinition: { id: string } }>(
    admin,
    'mutation { createWorkflowDefinition(input: { name: "Parked", nodes: [{ id: "approve", nodeType: "approval", name: "Approve", approverRole: "manager" }], routes: [] }) { id } }',
  );
  definitionId = created.data!.createWorkflowDefinition.id;
});

afterAll(async () => {
  await gql?.close();
  await h?.close();
});

const post = (body: unknown, token: string | null = admin) => {
  const req = request(gql.app).post('/graphql').set('Content-Type', 'application/json');
  if (token) req.set('Authorization', `Bearer ${token}`);
  return req.send(JSON.stringify(body));
};

describe('no N+1: a list of instances with their nodes and history is a fixed number of statements', () => {
  /** Round trips to Postgres from the engine's pool while `work` runs (each client's `query` calls). */
  async function statementsOf(work: () => Promise<unknown>): Promise<number> {
    let count = 0;
    let counting = false;
    const wrapped = new WeakSet<PoolClient>();
    const onAcquire = (client: PoolClient) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        if (counting) count += 1;
        return query(...args);
      };
    };
    h.rt.store.pool.on('acquire', onAcquire);
    try {
      counting = true;
      await work();
      counting = false;
      return count;
    } finally {
      h.rt.store.pool.off('acquire', onAcquire);
    }
  }

  const LIST = 'query ($n: Int) { workflowInstances(limit: $n) { id status nodes { id nodeId status assignedRole } history { eventType } } }';

  it('counts the same for 5 instances as for 100', async () => {
    const actor = { tenantId: TENANT_A, userId: 'alice', roles: ['admin', 'manager'] };
    for (let i = 0; i < 100; i++) await h.rt.services.instances.start(actor, { workflowDefinitionId: definitionId, contextData: { i } });
    await eventually(async () => {
      const a = await gql.run<{ myPendingTasksPage: { items: unknown[] } }>(admin, '{ myPendingTasksPage(limit: 500) { items { taskId } } }');
      return (a.data?.myPendingTasksPage.items.length ?? 0) >= 100 ? true : undefined;
    }, 30_000, '100 parked tasks');
    // with no worker running, nothing else uses the pool while the requests run
    await h.stopWorker();

    let five: GraphqlAnswer<{ workflowInstances: { nodes: unknown[]; history: unknown[] }[] }> | undefined;
    let hundred: typeof five;
    const fewStatements = await statementsOf(async () => (five = await gql.run(admin, LIST, { n: 5 })));
    const manyStatements = await statementsOf(async () => (hundred = await gql.run(admin, LIST, { n: 100 })));
    expect(five?.data?.workflowInstances).toHaveLength(5);
    expect(hundred?.data?.workflowInstances).toHaveLength(100);
    for (const instance of hundred!.data!.workflowInstances) {
      expect(instance.nodes).toHaveLength(1);
      expect(instance.history.length).toBeGreaterThanOrEqual(3);
    }
    expect(manyStatements).toBe(fewStatements);
    // the list, the nodes, the history: one transaction each, a few round trips per transaction
    expect(manyStatements).toBeLessThanOrEqual(9);

    // tasks with their instances: one more statement, not one per task (and one read of the
    // deputy windows, whose absent users' tasks are in the queue too)
    const tasks = await statementsOf(() => gql.run(admin, '{ myPendingTasks(limit: 100) { taskId instance { id status nodes { id } } } }'));
    expect(tasks).toBeLessThanOrEqual(10);
    h.startWorker();
  });
});

describe('documents refused before they run: a clear GraphQL error, never a 500', () => {
  const expectRefused = (res: request.Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/json/);
    const body = res.body as GraphqlAnswer;
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe(code);
    expect(body.errors?.[0]?.message).toEqual(expect.any(String));
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|stack|SELECT /);
  };

  it('a malformed document', async () => {
    const res = await post({ query: '{ workflowDefinitions { id ' });
    expectRefused(res, 400, 'GRAPHQL_PARSE_FAILED');
    expect(res.body.errors[0].message).toMatch(/^Syntax Error: Expected Name, found <EOF>/);
  });

  it('an unknown field, with a suggestion while introspection is on', async () => {
    const res = await post({ query: '{ workflowDefinitions { id nmae } }' });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].message).toBe('Cannot query field "nmae" on type "WorkflowDefinition". Did you mean "name"?');
  });

  it('an unknown input field and a wrongly typed argument, each reported', async () => {
    const res = await post({ query: '{ myPendingTasks(limit: "ten") { taskId } } mutation M { startWorkflow(input: { workflowId: "x" }) { id } }' });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors.map((e: { message: string }) => e.message)).toEqual(
      expect.arrayContaining(['Int cannot represent non-integer value: "ten"', expect.stringContaining('Field "workflowId" is not defined by type "StartWorkflowInput"')]),
    );
  });

  it('a variable of the wrong type: BAD_USER_INPUT, 400', async () => {
    const res = await post({ query: 'query ($n: Int) { myPendingTasks(limit: $n) { taskId } }', variables: { n: 'ten' } });
    expectRefused(res, 400, 'BAD_USER_INPUT');
  });

  it('a JSON literal with a __proto__ key, as a REST body would be', async () => {
    const res = await post({ query: 'mutation { startWorkflow(input: { workflowName: "Parked", contextData: { __proto__: { admin: true } } }) { id } }' });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].message).toContain('"__proto__" is not allowed as an object key');
  });

  it('a query 50 levels deep', async () => {
    const deep = `{ __type(name: "Query") { ${'ofType { '.repeat(50)}name${' }'.repeat(50)} } }`;
    expectRefused(await post({ query: deep }), 400, 'QUERY_TOO_DEEP');
    const nonsense = `{ ${'a { '.repeat(50)}b${' }'.repeat(50)} }`;
    expectRefused(await post({ query: nonsense }), 400, 'QUERY_TOO_DEEP');
  });

  it('introspection nesting a list in itself (exponential answers)', async () => {
    const res = await post({ query: '{ __schema { types { fields { type { fields { type { name } } } } } } }' });
    expectRefused(res, 400, 'QUERY_TOO_DEEP');
  });

  it('10,000 aliases, and 31', async () => {
    const many = `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expectRefused(await post({ query: many }), 400, 'DOCUMENT_TOO_LARGE');
    const tokens = `{ ${'a '.repeat(12_000)}}`;
    expectRefused(await post({ query: tokens }), 400, 'TOO_MANY_TOKENS');
    const some = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await post({ query: some });
    expectRefused(res, 400, 'TOO_MANY_ALIASES');
    expect(res.body.errors[0].message).toBe('Aliases limit of 30 exceeded, found 31.');
  });

  it('a query too costly: twenty full instance lists in one request (ten pass)', async () => {
    const full =
      'workflowInstances(limit: 1) { id status workflowDefinitionId workflowName workflowVersion contextEntityType contextEntityId contextData triggerType startedBy parentInstanceId slaDeadline startedAt completedAt cancelReason nodes { id nodeId nodeType name status assignedUserId assignedRole decision comments attempts error slaDeadline startedAt completedAt } history { id eventType nodeExecutionId actorUserId details createdAt } }';
    const lists = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `w${i}: ${full}`).join(' ')} }`;
    const res = await post({ query: lists(20) });
    expectRefused(res, 400, 'QUERY_TOO_COSTLY');
    expect(res.body.errors[0].message).toMatch(/^Query Cost limit of 1000 exceeded, found 15\d\d/);
    const ten = await post({ query: lists(10) });
    expect(ten.status).toBe(200);
    expect(ten.body.errors).toBeUndefined();
  });

  it('a 1 MiB document: 413 before anything is parsed', async () => {
    const started = Date.now();
    const res = await post({ query: `{ __typename ${' '.repeat(1024 * 1024)}}` });
    expectRefused(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(res.body.errors[0].extensions.details).toEqual({ limitBytes: 1048576 });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a batch (a JSON array of operations)', async () => {
    expectRefused(await post([{ query: '{ __typename }' }, { query: '{ __typename }' }]), 400, 'BATCHING_NOT_SUPPORTED');
  });

  it('a body that is not a GraphQL request', async () => {
    expectRefused(await post({ variables: {} }), 400, 'BAD_REQUEST');
    expectRefused(await post('just a string'), 400, 'BAD_REQUEST');
    const broken = await request(gql.app).post('/graphql').set('Content-Type', 'application/json').set('Authorization', `Bearer ${admin}`).send('{"query": ');
    expectRefused(broken, 400, 'INVALID_JSON');
  });

  it('a mutation over GET', async () => {
    const res = await request(gql.app).get('/graphql').query({ query: 'mutation { retryWorkflowInstance(id: "x") { id } }' }).set('Authorization', `Bearer ${admin}`).set('Accept', 'application/json');
    expect(res.status).toBe(405);
  });

  it('a query over GET runs', async () => {
    const res = await request(gql.app).get('/graphql').query({ query: '{ workflowDefinitions { name } }' }).set('Authorization', `Bearer ${admin}`).set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { workflowDefinitions: [{ name: 'Parked' }] } });
  });
});

describe('CSRF: only JSON bodies', () => {
  it.each([
    ['application/x-www-form-urlencoded', 'query=%7B__typename%7D'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{__typename}\r\n--x--\r\n'],
    ['text/plain', '{"query":"{__typename}"}'],
    ['application/graphql', '{ __typename }'],
  ])('refuses %s with 415, before the token is looked at', async (type, body) => {
    const res = await request(gql.app).post('/graphql').set('Content-Type', type).set('Authorization', `Bearer ${admin}`).send(body);
    expect(res.status).toBe(415);
    expect(res.body.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // without a token as well: the refusal comes first
    const anonymous = await request(gql.app).post('/graphql').set('Content-Type', type).send(body);
    expect(anonymous.status).toBe(415);
  });
});

describe('the token', () => {
  it('refuses a request without one as REST does: 401 UNAUTHENTICATED, GraphQL-shaped', async () => {
    const res = await post({ query: '{ workflowDefinitions { id } }' }, null);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toEqual({ errors: [{ message: 'Missing bearer token', extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it('refuses a forged one: 401 INVALID_TOKEN', async () => {
    const res = await post({ query: '{ __typename }' }, `${admin.slice(0, -4)}AAAA`);
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('INVALID_TOKEN');
  });
});

describe('the rate limit REST and GraphQL share', () => {
  it('counts both against one budget: 429 RATE_LIMITED with Retry-After', async () => {
    const limited = graphqlApp(h, { rateLimitPerMinute: 3 });
    try {
      const token = h.token('rita', ['manager']);
      const rest = await request(limited.app).get('/api/tasks/mine').set('Authorization', `Bearer ${token}`);
      expect(rest.status).toBe(200);
      expect((await limited.run(token, '{ __typename }')).status).toBe(200);
      expect((await limited.run(token, '{ __typename }')).status).toBe(200);
      const res = await request(limited.app).post('/graphql').set('Content-Type', 'application/json').set('Authorization', `Bearer ${token}`).send({ query: '{ __typename }' });
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body.errors[0].extensions.code).toBe('RATE_LIMITED');
      expect((await request(limited.app).get('/api/tasks/mine').set('Authorization', `Bearer ${token}`)).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('introspection and the playground', () => {
  const INTROSPECTION = '{ __schema { queryType { name } } }';

  it('are on outside production: the schema, and GraphiQL from the engine with a strict CSP', async () => {
    expect((await gql.run(admin, INTROSPECTION)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const page = await request(gql.app).get('/graphql').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe-eval|https?:/);
    // no inline script, nothing from another origin
    expect(page.text).not.toMatch(/<script>|<script [^>]*>[^<]|https?:\/\//);
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts).toEqual(['graphql/assets/react.production.min.js', 'graphql/assets/react-dom.production.min.js', 'graphql/assets/graphiql.min.js', 'graphql/assets/graphql-sse.min.js', 'graphql/assets/playground.js']);
    for (const src of [...scripts, 'graphql/assets/graphiql.min.css', 'graphql/assets/playground.css']) {
      const asset = await request(gql.app).get(`/${src}`);
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toMatch(src!.endsWith('.css') ? /^text\/css/ : /javascript/);
    }
    const boot = await request(gql.app).get('/graphql/assets/playground.js');
    expect(boot.text).toContain("'Bearer ' + t");
    expect(boot.text).toContain('localStorage');
    expect((await request(gql.app).get('/graphql/assets/..%2Fpackage.json')).status).toBe(404);
  });

  it('are off in production unless GRAPHQL_INTROSPECTION=true', async () => {
    const production = graphqlApp(h, { graphqlIntrospection: false });
    try {
      const a = await production.run(admin, INTROSPECTION);
      expect(a.status).toBe(400);
      expect(new Set(codes(a))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
      expect(a.errors?.[0]?.message).toContain('introspection has been disabled');
      // and validation messages no longer spell the schema out
      const typo = await production.run(admin, '{ workflowDefinitions { nmae } }');
      expect(typo.errors?.[0]?.message).toBe('Cannot query field "nmae" on type "WorkflowDefinition".');
      const page = await request(production.app).get('/graphql').set('Accept', 'text/html');
      expect(page.status).toBe(404);
      expect(page.body.errors[0].extensions.code).toBe('NOT_FOUND');
      expect((await request(production.app).get('/graphql/assets/graphiql.min.js')).status).toBe(404);
      // the API itself still answers
      expect((await production.run(admin, '{ workflowDefinitions { name } }')).data).toEqual({ workflowDefinitions: [{ name: 'Parked' }] });
    } finally {
      await production.close();
    }
  });
});
