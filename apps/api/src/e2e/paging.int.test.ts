/**
 * Paging through every list returns each row exactly once, in the list's order, even when rows
 * share a millisecond (cursors carry Postgres's microseconds), share a whole timestamp (the id
 * breaks the tie), or have no deadline (sorted last). Cursors this API did not hand out are
 * `400 INVALID_CURSOR` without a word from Postgres; unknown parameters are refused everywhere;
 * the page sizes the OpenAPI document allows are accepted.
 */
import { definition } from '@wf/testkit/definitions';
import { TENANT_A, createHarness, sqlAsOwner, type Harness } from '../testing/engine-harness';
import type { UserClient } from '../testing/user-client';

let h: Harness;
let admin: UserClient;
let pager: UserClient;
let instanceId: string;
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

async function owner<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return sqlAsOwner<T>(h.db.url, text, params);
}

/** One millisecond, many microseconds: the rows a millisecond cursor repeated or skipped. */
const SAME_MS = `'2026-05-01T08:00:00.500Z'::timestamptz + (g % 7) * interval '1 microsecond'`;

beforeAll(async () => {
  h = await createHarness();
  admin = h.as('admin', ['admin']);
  pager = h.as('pia', ['pager']);
  const definitionId = await admin.define(definition('Paged').approval('ok', { name: 'OK', approverRole: 'pager', slaHours: 24 }).build());
  instanceId = await admin.start(definitionId);
  const taskId = await pager.taskFor(instanceId);

  // 180 more tasks: a third overdue, a third due in a month, a third without a deadline; deadlines
  // and creation times within one millisecond, several rows on each exact timestamp
  await owner(
    `INSERT INTO workflow_instance_nodes (tenant_id, instance_id, node_id, node_type, node_name, status, waiting_for,
       assigned_role, sla_deadline, created_at)
     SELECT tenant_id, instance_id, node_id, node_type, node_name, 'waiting', 'task', assigned_role,
       CASE g % 3
         WHEN 0 THEN NULL
         WHEN 1 THEN date_trunc('milliseconds', now()) - interval '1 day' + (g % 4) * interval '1 microsecond'
         ELSE date_trunc('milliseconds', now()) + interval '30 days' + (g % 4) * interval '1 microsecond'
       END,
       ${SAME_MS}
     FROM workflow_instance_nodes, generate_series(1, 180) g WHERE id = $1`,
    [taskId],
  );
  // 150 more instances and definitions, all started (created) within one millisecond
  await owner(
    `INSERT INTO workflow_instances (tenant_id, definition_id, status, started_by, started_at, completed_at)
     SELECT tenant_id, definition_id, 'completed', started_by, ${SAME_MS}, ${SAME_MS}
     FROM workflow_instances, generate_series(1, 150) g WHERE id = $1`,
    [instanceId],
  );
  await owner(
    `INSERT INTO workflow_definitions (tenant_id, name, version, is_active, nodes, routes, start_node_id, created_by, created_at)
     SELECT tenant_id, 'Paged ' || g, 1, g % 2 = 0, nodes, routes, start_node_id, created_by, ${SAME_MS}
     FROM workflow_definitions, generate_series(1, 150) g WHERE id = $1`,
    [definitionId],
  );
});
afterAll(() => h.close());

/** Follow nextCursor to the end; every id in the order served. */
async function walk(path: string, user: UserClient, query: Record<string, string | number>, idOf: (item: Record<string, unknown>) => string) {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; ; pages += 1) {
    if (pages > 500) throw new Error(`${path}: more pages than rows`);
    const res = await user.get(path, cursor ? { ...query, cursor } : query);
    expect({ path, status: res.status, body: res.status === 200 ? null : res.body }).toEqual({ path, status: 200, body: null });
    ids.push(...(res.body.items as Record<string, unknown>[]).map(idOf));
    cursor = res.body.nextCursor as string | null;
    if (cursor === null) return ids;
  }
}

const TASK_ORDER = `ORDER BY sla_deadline ASC NULLS LAST, created_at ASC, task_id ASC`;

describe('paging', () => {
  it('serves every task of the queue exactly once, most urgent first, across shared milliseconds and missing deadlines', async () => {
    const expected = (await owner<{ task_id: string }>(`SELECT task_id FROM v_user_task_queue WHERE tenant_id = $1 AND assigned_role = 'pager' ${TASK_ORDER}`, [TENANT_A])).map((r) => r.task_id);
    expect(expected).toHaveLength(181);
    for (const limit of [1, 7, 50]) {
      const served = await walk('/api/tasks/mine', pager, { limit }, (t) => t['taskId'] as string);
      expect({ limit, count: served.length, distinct: new Set(served).size }).toEqual({ limit, count: 181, distinct: 181 });
      expect(served).toEqual(expected);
    }
  });

  it('pages a filtered queue the same way: overdue ones, and normal ones whose last pages have no deadline', async () => {
    const overdue = (await owner<{ task_id: string }>(`SELECT task_id FROM v_user_task_queue WHERE tenant_id = $1 AND assigned_role = 'pager' AND sla_deadline <= now() ${TASK_ORDER}`, [TENANT_A])).map((r) => r.task_id);
    const normal = (await owner<{ task_id: string }>(
      `SELECT task_id FROM v_user_task_queue WHERE tenant_id = $1 AND assigned_role = 'pager' AND (sla_deadline > now() + interval '4 hours' OR sla_deadline IS NULL) ${TASK_ORDER}`,
      [TENANT_A],
    )).map((r) => r.task_id);
    expect(overdue).toHaveLength(60);
    expect(normal).toHaveLength(121);
    expect(await walk('/api/tasks/mine', pager, { limit: 8, urgencyLevel: 'OVERDUE' }, (t) => t['taskId'] as string)).toEqual(overdue);
    expect(await walk('/api/tasks/mine', pager, { limit: 8, urgencyLevel: 'NORMAL' }, (t) => t['taskId'] as string)).toEqual(normal);
  });

  it('serves every instance exactly once, newest first', async () => {
    const expected = (await owner<{ id: string }>(`SELECT id FROM workflow_instances WHERE tenant_id = $1 ORDER BY started_at DESC, id DESC`, [TENANT_A])).map((r) => r.id);
    expect(expected).toHaveLength(151);
    for (const limit of [1, 7]) {
      expect(await walk('/api/instances', admin, { limit }, (i) => i['id'] as string)).toEqual(expected);
    }
    // a filter pages the same way
    const completed = (await owner<{ id: string }>(`SELECT id FROM workflow_instances WHERE tenant_id = $1 AND status = 'completed' ORDER BY started_at DESC, id DESC`, [TENANT_A])).map((r) => r.id);
    expect(await walk('/api/instances', admin, { limit: 9, status: 'completed' }, (i) => i['id'] as string)).toEqual(completed);
  });

  it('serves every definition exactly once, newest first', async () => {
    const expected = (await owner<{ id: string }>(`SELECT id FROM workflow_definitions WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC`, [TENANT_A])).map((r) => r.id);
    expect(expected).toHaveLength(151);
    expect(await walk('/api/definitions', admin, { limit: 7 }, (d) => d['id'] as string)).toEqual(expected);
    const active = (await owner<{ id: string }>(`SELECT id FROM workflow_definitions WHERE tenant_id = $1 AND is_active ORDER BY created_at DESC, id DESC`, [TENANT_A])).map((r) => r.id);
    expect(await walk('/api/definitions', admin, { limit: 6, isActive: 'true' }, (d) => d['id'] as string)).toEqual(active);
  });
});

describe('cursors this API did not hand out', () => {
  const ID = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const AT = '2026-05-01T08:00:00.500001Z';
  const lists = [
    { path: '/api/definitions', list: 'definitions', key: [AT, ID] },
    { path: '/api/instances', list: 'instances', key: [AT, ID] },
    // the task queue's key leads with the urgency rank (0 overdue, 1 at risk, 2 the rest)
    { path: '/api/tasks/mine', list: 'tasks2', key: ['2', AT, AT, ID] },
    { path: '/api/tasks', list: 'tasks2', key: ['1', null, AT, ID] },
  ];
  const malformed = (list: string, key: unknown[]) => ({
    garbage: 'not a cursor at all!',
    'base64 of something else': b64('SELECT 1'),
    'JSON of the wrong shape': b64({ l: list, k: 'all' }),
    'too few components': b64({ l: list, k: key.slice(1) }),
    'the old millisecond cursor': b64(['2026-05-01T08:00:00.500Z', ID]),
    'a bad timestamp': b64({ l: list, k: key.map((k) => (k === AT ? '2026-05-01 08:00:00 +00' : k)) }),
    'a date that does not exist': b64({ l: list, k: key.map((k) => (k === AT ? '2026-02-30T08:00:00.000000Z' : k)) }),
    'a year Postgres cannot hold': b64({ l: list, k: key.map((k) => (k === AT ? '300000-01-01T00:00:00.000000Z' : k)) }),
    'a bad uuid': b64({ l: list, k: key.map((k) => (k === ID ? 'zzzzzzzz-4e5f-4a6b-8c7d-9e0f1a2b3c4d' : k)) }),
    'SQL for a uuid': b64({ l: list, k: key.map((k) => (k === ID ? "'; DROP TABLE workflow_instances; --" : k)) }),
    "another list's cursor": b64({ l: list === 'tasks2' ? 'instances' : 'tasks2', k: key }),
  });

  it.each(lists)('$path answers 400 INVALID_CURSOR, with no Postgres text, for each', async ({ path, list, key }) => {
    for (const [what, cursor] of Object.entries(malformed(list, key))) {
      const res = await admin.get(path, { cursor });
      expect({ what, status: res.status, code: res.body.error?.code }).toEqual({ what, status: 400, code: 'INVALID_CURSOR' });
      expect(res.body.error.message).toMatch(/^cursor is not valid: /);
      expect(res.body.error.details).toEqual([{ path: 'cursor', message: expect.any(String) }]);
      expect({ what, text: JSON.stringify(res.body) }).not.toEqual({ what, text: expect.stringMatching(/syntax|input syntax|out of range|postgres|pg_|relation|SQLSTATE|type uuid|timestamp with time zone/i) });
    }
  });

  it('accepts a well-formed cursor of the right list, even for a row that is gone', async () => {
    for (const { path, list, key } of lists) {
      const res = await admin.get(path, { cursor: b64({ l: list, k: key }) });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
    }
  });
});

describe('query parameters', () => {
  it('refuses unknown ones on every list, naming them', async () => {
    for (const path of ['/api/definitions', '/api/instances', '/api/tasks/mine', '/api/analytics/workflows', `/api/instances/${instanceId}/history`]) {
      const res = await admin.get(path, { stauts: 'running' });
      expect({ path, status: res.status, error: res.body.error }).toEqual({
        path,
        status: 400,
        error: { code: 'VALIDATION_FAILED', message: 'Invalid request: stauts: unknown field', details: [{ path: 'stauts', message: 'unknown field' }] },
      });
    }
    // lists that are not paged take no page parameters either
    const paged = await admin.get('/api/analytics/workflows', { limit: 5 });
    expect(paged.body.error.details).toEqual([{ path: 'limit', message: 'unknown field' }]);
    expect((await admin.get('/api/analytics/workflows')).status).toBe(200);
    expect((await admin.get(`/api/instances/${instanceId}/history`)).status).toBe(200);
  });

  it('accepts every page size the OpenAPI document allows, and refuses those it does not', async () => {
    const doc = (await h.http().get('/api/openapi.json')).body as {
      paths: Record<string, { get?: { parameters?: { name: string; in: string; schema: { minimum: number; maximum: number; default: number } }[] } }>;
    };
    const paged = Object.entries(doc.paths).filter(([, item]) => item.get?.parameters?.some((p) => p.name === 'limit'));
    expect(paged.map(([path]) => path).sort()).toEqual(['/api/definitions', '/api/instances', '/api/tasks', '/api/tasks/mine']);
    for (const [path, item] of paged) {
      const { minimum, maximum, default: byDefault } = item.get!.parameters!.find((p) => p.name === 'limit')!.schema;
      // the operator view is an admin's
      const client = path === '/api/tasks' ? admin : pager;
      for (const limit of [minimum, byDefault, maximum]) {
        const res = await client.get(path, { limit });
        expect({ path, limit, status: res.status }).toEqual({ path, limit, status: 200 });
      }
      const unlimited = await admin.get(path);
      expect(unlimited.body.items.length).toBeLessThanOrEqual(byDefault);
      for (const limit of [minimum - 1, maximum + 1]) {
        const res = await client.get(path, { limit });
        expect({ path, limit, status: res.status, code: res.body.error?.code }).toEqual({ path, limit, status: 400, code: 'VALIDATION_FAILED' });
      }
    }
  });
});
