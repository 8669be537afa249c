/**
 * User-task forms through the real API, worker, Postgres and Redis: patterns run in linear time,
 * each form is compiled in its own scope (no `$id` clash between tenants or versions, no `$ref`
 * across them), bad forms and unknown sub-workflows are refused at save with their path, and a
 * completion cannot push the context past its limit.
 */
import { TENANT_B, createHarness, eventually, type Harness } from '../testing/engine-harness';

let h: Harness;
let adminA: string;
let adminB: string;
let clerkA: string;
let clerkB: string;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await createHarness();
  adminA = h.token('admin-a', ['admin']);
  adminB = h.token('admin-b', ['admin'], TENANT_B);
  clerkA = h.token('clerk-a', ['clerk']);
  clerkB = h.token('clerk-b', ['clerk'], TENANT_B);
});

afterAll(async () => {
  await h.close();
});

/** fill (user_task with `form`) -> done (set_context) */
function formWorkflow(name: string, form: object) {
  return {
    name,
    nodes: [
      { id: 'fill', nodeType: 'user_task', name: 'Fill in', assigneeRole: 'clerk', formSchema: form },
      { id: 'done', nodeType: 'service_task', name: 'Done', serviceType: 'set_context', serviceConfig: { values: { done: true } } },
    ],
    routes: [{ fromNodeId: 'fill', toNodeId: 'done' }],
  };
}

async function save(body: object, admin = adminA) {
  return h.http().post('/api/definitions').set(auth(admin)).send(body);
}

async function define(body: object, admin = adminA): Promise<string> {
  const res = await save(body, admin);
  if (res.status !== 201) throw new Error(`definition refused: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function start(definitionId: string, contextData: object = {}, admin = adminA): Promise<string> {
  const res = await h.http().post('/api/instances').set(auth(admin)).send({ workflowDefinitionId: definitionId, contextData });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function taskOf(token: string, instanceId: string): Promise<string> {
  return eventually(async () => {
    const res = await h.http().get('/api/tasks/mine').set(auth(token));
    return res.body.items.find((t: { instanceId: string }) => t.instanceId === instanceId)?.taskId as string | undefined;
  }, 10_000, `the task of ${instanceId}`);
}

async function complete(token: string, taskId: string, data: object) {
  return h.http().post(`/api/tasks/${taskId}/complete`).set(auth(token)).send({ data });
}

/** Start an instance of `definitionId` and complete its form with `data`. */
async function startAndComplete(definitionId: string, data: object, admin = adminA, clerk = clerkA) {
  const id = await start(definitionId, {}, admin);
  return complete(clerk, await taskOf(clerk, id), data);
}

const paths = (body: { error: { details: { path: string }[] } }) => body.error.details.map((d) => d.path);

describe('patterns', () => {
  it('checks a backtracking pattern in linear time: the API keeps answering', async () => {
    const defId = await define(formWorkflow('Pattern', { type: 'object', properties: { code: { type: 'string', pattern: '^(a|a)*$' } } }));
    const id = await start(defId);
    const task = await taskOf(clerkA, id);
    const started = Date.now();
    let healthAt = 0;
    const [bad, health] = await Promise.all([
      complete(clerkA, task, { code: `${'a'.repeat(40)}b` }),
      h.http().get('/healthz').then((r) => {
        healthAt = Date.now() - started;
        return r;
      }),
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('FORM_VALIDATION_FAILED');
    expect(bad.body.error.details).toEqual([{ path: 'data.code', message: 'must match pattern "^(a|a)*$"' }]);
    expect(health.status).toBe(200);
    expect(healthAt).toBeLessThan(1000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await complete(clerkA, task, { code: 'a'.repeat(40) })).status).toBe(200);
  });
});

describe('one scope per form', () => {
  const contact = (required: string) => ({ $id: 'https://forms.example/contact', type: 'object', required: [required] });

  it('lets two tenants use the same $id, and refuses a $ref to the other tenant\'s $id at save', async () => {
    const a = await define(formWorkflow('Contact', contact('phone')));
    const b = await define(formWorkflow('Contact', contact('email')), adminB);
    await define(formWorkflow('Address', { $id: 'https://forms.example/b-address', type: 'object', properties: { zip: { type: 'string' } } }), adminB);

    expect((await startAndComplete(a, { phone: '123' })).status).toBe(200);
    expect((await startAndComplete(b, { email: 'b@example.com' }, adminB, clerkB)).status).toBe(200);
    // each form is its own: A's does not ask for B's field
    const wrong = await startAndComplete(a, { email: 'a@example.com' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ path: 'data', message: "must have required property 'phone'" }]);

    const borrowing = await save(formWorkflow('Borrowing', { type: 'object', properties: { addr: { $ref: 'https://forms.example/b-address' } } }));
    expect(borrowing.status).toBe(400);
    expect(borrowing.body.error.code).toBe('INVALID_DEFINITION');
    expect(paths(borrowing.body)).toEqual(['nodes[0].formSchema.properties.addr.$ref']);
  });

  it('completes the form of version 2 of a workflow whose form has an $id', async () => {
    const form = { $id: 'https://forms.example/expense', type: 'object', required: ['amount'], properties: { amount: { type: 'number' } } };
    const v1 = await define(formWorkflow('Expense', form));
    const v2 = await define(formWorkflow('Expense', { ...form, required: ['amount', 'reason'] }));
    expect((await startAndComplete(v1, { amount: 1 })).status).toBe(200);
    expect((await startAndComplete(v2, { amount: 1 })).status).toBe(400);
    expect((await startAndComplete(v2, { amount: 1, reason: 'travel' })).status).toBe(200);
    expect((await startAndComplete(v1, { amount: 2 })).status).toBe(200);
  });
});

describe('forms refused at save', () => {
  it('reports each bad form with its path, all at once', async () => {
    /** a -> b -> c -> d, each with a form that cannot be used */
    const task = (id: string, formSchema: object) => ({ id, nodeType: 'user_task', name: id, assigneeRole: 'clerk', formSchema });
    const res = await save({
      name: 'Bad forms',
      nodes: [
        task('a', { type: 'object', properties: { x: { type: 'strin' } } }),
        task('b', { type: 'object', properties: { x: { $ref: 'http://127.0.0.1:9/remote.json' } } }),
        task('c', { type: 'object', properties: { x: { type: 'string', pattern: '(?=lookahead)' } } }),
        task('d', { type: 'object', description: 'x'.repeat(70 * 1024) }),
      ],
      routes: [
        { fromNodeId: 'a', toNodeId: 'b' },
        { fromNodeId: 'b', toNodeId: 'c' },
        { fromNodeId: 'c', toNodeId: 'd' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(paths(res.body)).toEqual(
      expect.arrayContaining(['nodes[0].formSchema.properties.x.type', 'nodes[1].formSchema.properties.x.$ref', 'nodes[2].formSchema.properties.x.pattern', 'nodes[3].formSchema']),
    );
    const byPath = new Map(res.body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]));
    expect(byPath.get('nodes[1].formSchema.properties.x.$ref')).toMatch(/points outside this schema.*nothing is fetched/);
    expect(byPath.get('nodes[2].formSchema.properties.x.pattern')).toMatch(/not supported/);
    expect(byPath.get('nodes[3].formSchema')).toMatch(/the limit is 65536/);
    expect((await h.http().get('/api/definitions').query({ name: 'Bad forms' }).set(auth(adminA))).body.items).toEqual([]);
  });

  it('refuses an unknown keyword (strict mode)', async () => {
    const res = await save(formWorkflow('Typo', { type: 'object', requird: ['x'] }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'nodes[0].formSchema', message: expect.stringContaining('unknown keyword: "requird"') }]);
  });
});

describe('sub-workflows referenced at save', () => {
  const caller = (name: string, sub: object) => ({ name, nodes: [{ id: 'sub', nodeType: 'sub_workflow', name: 'Sub', ...sub }], routes: [] });

  it('refuses an unknown subWorkflowName with its path', async () => {
    const res = await save(caller('Calls nobody', { subWorkflowName: 'No such workflow' }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_DEFINITION');
    expect(res.body.error.details).toEqual([{ path: 'nodes[0].subWorkflowName', message: 'no workflow named "No such workflow" in this tenant' }]);
  });

  it('accepts a workflow that calls itself by name, and one that calls an existing workflow', async () => {
    await define(caller('Recursive', { subWorkflowName: 'Recursive' }));
    await define(caller('Calls recursive', { subWorkflowName: 'Recursive' }));
  });

  it("refuses another tenant's sub-workflow id, accepts its own", async () => {
    const theirs = await define(formWorkflow('B child', { type: 'object' }), adminB);
    // tenant A cannot tell B's id from one that does not exist
    const res = await save(caller('Calls B', { subWorkflowDefinitionId: theirs }));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'nodes[0].subWorkflowDefinitionId', message: `no workflow definition ${theirs} in this tenant` }]);
    // and the name B uses means nothing in A
    expect((await save(caller('Calls B by name', { subWorkflowName: 'B child' }))).status).toBe(400);
    const mine = await define(formWorkflow('A child', { type: 'object' }));
    await define(caller('Calls A', { subWorkflowDefinitionId: mine }));
  });
});

describe('the context limit on a completion', () => {
  it('refuses form data that would take the context past 256 KiB; the task stays open', async () => {
    const defId = await define(formWorkflow('Big notes', { type: 'object', properties: { notes: { type: 'string' } } }));
    const id = await start(defId, { existing: 'x'.repeat(200 * 1024) });
    const task = await taskOf(clerkA, id);
    const res = await complete(clerkA, task, { notes: 'y'.repeat(100 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('CONTEXT_TOO_LARGE');
    expect((await complete(clerkA, task, { notes: 'short' })).status).toBe(200);
  });
});
