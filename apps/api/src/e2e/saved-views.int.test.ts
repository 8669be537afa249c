/**
 * Saved views through the real app and Postgres (issue 18: filters and saved views stored on the
 * server per user): create and replace by PUT (201, then 200, with Location), list by page,
 * rename by PUT, delete (204, then 404), the limits (50 a page, 4 KiB of filters, names of 1 to 80
 * characters), the 400s naming the field, and isolation: another user of the same tenant, and a
 * user of the same name in another tenant, neither see nor change my views.
 */
import type { Response } from 'supertest';
import { TENANT_B, createHarness, type Harness } from '../testing/engine-harness';

let h: Harness;
let ann: string;
let bob: string;
let annOfB: string;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await createHarness({ worker: false });
  ann = h.token('ann', ['approver']);
  bob = h.token('bob', ['approver']);
  annOfB = h.token('ann', ['approver'], TENANT_B);
});
afterAll(() => h.close());

const put = (token: string, page: string, name: string, body: unknown) =>
  h.http().put(`/api/views/${page}/${encodeURIComponent(name)}`).set(auth(token)).send(body as object);
const list = (token: string, page?: string) => h.http().get('/api/views').query(page ? { page } : {}).set(auth(token));
const remove = (token: string, page: string, name: string) => h.http().delete(`/api/views/${page}/${encodeURIComponent(name)}`).set(auth(token));
const names = (res: Response) => (res.body.items as { page: string; name: string }[]).map((v) => `${v.page}/${v.name}`);

/** A 400 VALIDATION_FAILED whose details name `path`. */
function invalid(res: Response, path: string): void {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  expect((res.body.error.details as { path: string }[]).map((d) => d.path)).toContain(path);
}

describe('saved views', () => {
  it('creates a view (201, Location), replaces it (200), and lists it on its page', async () => {
    const filters = { workflowName: 'Purchase Order Approval', urgencyLevel: ['OVERDUE', 'URGENT'], mineOnly: true, minAmount: 10000 };
    const created = await put(ann, 'inbox', 'Urgent POs', { filters });
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe('/api/views/inbox/Urgent%20POs');
    expect(created.body).toEqual({
      id: expect.any(String),
      page: 'inbox',
      name: 'Urgent POs',
      filters,
      position: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const replaced = await put(ann, 'inbox', 'Urgent POs', { filters: { urgencyLevel: ['OVERDUE'] } });
    expect(replaced.status).toBe(200);
    expect(replaced.headers['location']).toBe('/api/views/inbox/Urgent%20POs');
    expect(replaced.body).toMatchObject({ id: created.body.id, filters: { urgencyLevel: ['OVERDUE'] }, createdAt: created.body.createdAt });
    expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));

    // the name is trimmed: the same view
    const trimmed = await put(ann, 'inbox', '  Urgent POs  ', { filters: { urgencyLevel: ['URGENT'] } });
    expect(trimmed.status).toBe(200);
    expect(trimmed.body.id).toBe(created.body.id);

    await put(ann, 'instances', 'Failed last week', { filters: { status: 'failed', startedFrom: '2026-03-01' } }).expect(201);
    const inbox = await list(ann, 'inbox');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toEqual([{ ...trimmed.body }]);
    expect(names(await list(ann))).toEqual(['inbox/Urgent POs', 'instances/Failed last week']);
  });

  it('orders a page by position, then by name; a new view goes last unless given a position', async () => {
    await put(ann, 'tasks', 'B', { filters: {} }).expect(201);
    await put(ann, 'tasks', 'A', { filters: {} }).expect(201);
    await put(ann, 'tasks', 'First', { filters: { role: 'cfo' }, position: 0 }).expect(201);
    expect((await list(ann, 'tasks')).body.items.map((v: { name: string; position: number }) => [v.name, v.position])).toEqual([
      ['B', 0],
      ['First', 0],
      ['A', 1],
    ]);
    // a position alone moves the view and keeps its filters
    const moved = await put(ann, 'tasks', 'B', { position: 5 });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ name: 'B', position: 5, filters: {} });
    expect(names(await list(ann, 'tasks'))).toEqual(['tasks/First', 'tasks/A', 'tasks/B']);
  });

  it('renames by PUT: the view at the path takes the body\'s name, keeping its id and filters', async () => {
    const made = await put(ann, 'incidents', 'Old name', { filters: { workflowName: 'Vendor onboarding' } });
    expect(made.status).toBe(201);
    const renamed = await put(ann, 'incidents', 'Old name', { name: 'New name' });
    expect(renamed.status).toBe(200);
    expect(renamed.headers['location']).toBe('/api/views/incidents/New%20name');
    expect(renamed.body).toMatchObject({ id: made.body.id, name: 'New name', filters: { workflowName: 'Vendor onboarding' } });
    expect(names(await list(ann, 'incidents'))).toEqual(['incidents/New name']);

    // renaming a view I do not have: 404; onto a name I already use: 409 VIEW_NAME_TAKEN
    const missing = await put(ann, 'incidents', 'Old name', { name: 'Other' });
    expect({ status: missing.status, code: missing.body.error.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    await put(ann, 'incidents', 'Second', { filters: {} }).expect(201);
    const taken = await put(ann, 'incidents', 'Second', { name: 'New name', filters: { x: 1 } });
    expect({ status: taken.status, code: taken.body.error.code, details: taken.body.error.details }).toEqual({
      status: 409,
      code: 'VIEW_NAME_TAKEN',
      details: { page: 'incidents', name: 'New name' },
    });
    // nothing changed
    expect((await list(ann, 'incidents')).body.items.map((v: { name: string; filters: unknown }) => [v.name, v.filters])).toEqual([
      ['New name', { workflowName: 'Vendor onboarding' }],
      ['Second', {}],
    ]);
  });

  it('deletes a view (204), then answers 404 for it', async () => {
    await put(ann, 'incidents', 'Doomed', { filters: { status: 'failed' } }).expect(201);
    const gone = await remove(ann, 'incidents', 'Doomed');
    expect(gone.status).toBe(204);
    expect(gone.text).toBe('');
    const again = await remove(ann, 'incidents', 'Doomed');
    expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(names(await list(ann, 'incidents'))).not.toContain('incidents/Doomed');
  });

  it('keeps another user\'s views apart: bob neither sees, changes nor deletes ann\'s, and may use the same names', async () => {
    expect((await list(bob)).body.items).toEqual([]);
    const bobs = await put(bob, 'inbox', 'Urgent POs', { filters: { mine: true } });
    expect(bobs.status).toBe(201);
    expect(names(await list(bob))).toEqual(['inbox/Urgent POs']);
    // bob's delete and rename of "ann's" names touch only his own (none besides his own view)
    expect((await remove(bob, 'instances', 'Failed last week')).status).toBe(404);
    expect((await put(bob, 'instances', 'Failed last week', { name: 'Stolen' })).status).toBe(404);
    // ann's view is as she left it
    const annInbox = (await list(ann, 'inbox')).body.items as { id: string; filters: unknown }[];
    expect(annInbox).toHaveLength(1);
    expect(annInbox[0]!.id).not.toBe(bobs.body.id);
    expect(annInbox[0]!.filters).toEqual({ urgencyLevel: ['URGENT'] });
    expect(names(await list(ann, 'instances'))).toEqual(['instances/Failed last week']);
    await remove(bob, 'inbox', 'Urgent POs').expect(204);
    expect(names(await list(ann, 'inbox'))).toEqual(['inbox/Urgent POs']);
  });

  it('keeps another tenant apart: a user of the same name in tenant B sees and changes nothing of tenant A', async () => {
    expect((await list(annOfB)).body.items).toEqual([]);
    expect((await remove(annOfB, 'inbox', 'Urgent POs')).status).toBe(404);
    const own = await put(annOfB, 'inbox', 'Urgent POs', { filters: { tenant: 'b' } });
    expect(own.status).toBe(201);
    expect((await list(annOfB)).body.items.map((v: { filters: unknown }) => v.filters)).toEqual([{ tenant: 'b' }]);
    expect((await list(ann, 'inbox')).body.items.map((v: { filters: unknown }) => v.filters)).toEqual([{ urgencyLevel: ['URGENT'] }]);
  });

  it('keeps at most 50 views a page: the 51st is 409 VIEW_LIMIT_REACHED, replacing one still works, another page is not full', async () => {
    const user = h.token('collector', []);
    for (let i = 0; i < 50; i += 1) {
      const res = await put(user, 'inbox', `View ${String(i).padStart(2, '0')}`, { filters: { n: i } });
      expect({ i, status: res.status }).toEqual({ i, status: 201 });
    }
    const over = await put(user, 'inbox', 'One too many', { filters: {} });
    expect({ status: over.status, code: over.body.error.code, details: over.body.error.details }).toEqual({
      status: 409,
      code: 'VIEW_LIMIT_REACHED',
      details: { page: 'inbox', limit: 50 },
    });
    expect(over.body.error.message).toMatch(/50/);
    await put(user, 'inbox', 'View 07', { filters: { n: 'seven' } }).expect(200);
    await put(user, 'inbox', 'View 07', { name: 'Seven' }).expect(200);
    await put(user, 'tasks', 'Elsewhere', { filters: {} }).expect(201);
    expect((await list(user, 'inbox')).body.items).toHaveLength(50);
    // after a delete there is room again
    await remove(user, 'inbox', 'View 00').expect(204);
    await put(user, 'inbox', 'One too many', { filters: {} }).expect(201);
  });

  it('refuses bad input with 400 VALIDATION_FAILED naming the field', async () => {
    invalid(await put(ann, 'dashboard', 'Mine', { filters: {} }), 'page');
    invalid(await put(ann, 'inbox', '   ', { filters: {} }), 'name');
    invalid(await put(ann, 'inbox', 'x'.repeat(81), { filters: {} }), 'name');
    invalid(await put(ann, 'inbox', 'tab\there', { filters: {} }), 'name');
    invalid(await put(ann, 'inbox', 'Mine', { filters: { nested: { a: 1 } } }), 'filters.nested');
    invalid(await put(ann, 'inbox', 'Mine', { filters: { status: null } }), 'filters.status');
    invalid(await put(ann, 'inbox', 'Mine', { filters: { ids: [1, 2] } }), 'filters.ids');
    invalid(await put(ann, 'inbox', 'Mine', { filters: ['a'] }), 'filters');
    invalid(await put(ann, 'inbox', 'Mine', { filters: 'urgent' }), 'filters');
    invalid(await put(ann, 'inbox', 'Mine', { filters: { big: 'x'.repeat(4100) } }), 'filters');
    invalid(await put(ann, 'inbox', 'Mine', { filters: {}, colour: 'red' }), 'colour');
    invalid(await put(ann, 'inbox', 'Mine', { filters: {}, position: -1 }), 'position');
    invalid(await put(ann, 'inbox', 'Mine', { filters: {}, name: '' }), 'name');
    invalid(await put(ann, 'inbox', 'Mine', []), 'body');
    // creating needs filters
    invalid(await put(ann, 'inbox', 'No filters', {}), 'filters');
    // the path's and the body's problems at once
    const both = await put(ann, 'dashboard', 'Mine', { filters: 3 });
    invalid(both, 'page');
    invalid(both, 'filters');
    invalid(await list(ann, 'dashboard'), 'page');
    invalid(await h.http().get('/api/views').query({ pages: 'inbox' }).set(auth(ann)), 'pages');
    invalid(await remove(ann, 'dashboard', 'Mine'), 'page');
    // just under the size limit is fine: 4,096 bytes of JSON
    const exact = { big: 'x'.repeat(4096 - '{"big":""}'.length) };
    expect(JSON.stringify(exact)).toHaveLength(4096);
    await put(ann, 'inbox', 'Exactly 4 KiB', { filters: exact }).expect(201);
    // nothing refused was saved
    expect(names(await list(ann, 'inbox'))).toEqual(['inbox/Urgent POs', 'inbox/Exactly 4 KiB']);
  });

  it('needs a token', async () => {
    expect((await h.http().get('/api/views')).status).toBe(401);
    expect((await h.http().put('/api/views/inbox/Mine').send({ filters: {} })).status).toBe(401);
  });
});
