/**
 * Tenant isolation of what issue 16 added (migration 0009), proven as the non-owner role
 * workflow_app, as rls.int.test.ts proves it for the rest: the deputy windows (workflow_deputies)
 * and the approval columns of executions (candidate_users, excluded_users, votes, claimed_at,
 * on_behalf_of), read raw, through the queue view, and through the repositories the services
 * call. Both tenants use the same user names, so a leak would show as the other tenant's row.
 */

import { randomUUID } from 'node:crypto';
import type { Pool, ClientBase } from 'pg';
import type { Principal } from '@wf/engine';
// The lib's public API, imported relatively because this file sits inside the db project.
import {
  PgStore,
  activeDeputyWindows,
  deleteDeputyWindow,
  findDeputyWindow,
  findQueuedTasks,
  findTaskView,
  findVisibleInstance,
  insertDeputyWindow,
  listDeputyWindows,
  listMyTasks,
  listOpenTasks,
  listVisibleInstances,
  overlappingDeputyWindows,
} from './index';
import { createTestDatabase, testPool, urlAs, type TestDatabase } from './testing';

interface AppSettings {
  readonly tenant?: string;
  readonly systemRead?: boolean;
  readonly role?: 'workflow_app' | 'workflow_sweeper';
}

/** One transaction as workflow_app (PgStore's prelude), rolled back unless `end` is 'commit'. */
async function onPool<T>(pool: Pool, settings: AppSettings, work: (c: ClientBase) => Promise<T>, end: 'commit' | 'rollback' = 'rollback'): Promise<T> {
  const client = await pool.connect();
  try {
    const sets = [`set_config('role', '${settings.role ?? 'workflow_app'}', true)`];
    const params: string[] = [];
    if (settings.tenant !== undefined) {
      params.push(settings.tenant);
      sets.push(`set_config('app.current_tenant', $${params.length}, true)`);
    }
    if (settings.systemRead) sets.push(`set_config('app.system_read', 'on', true)`);
    await client.query('BEGIN');
    try {
      await client.query(`SELECT ${sets.join(', ')}`, params);
      const result = await work(client);
      await client.query(end === 'commit' ? 'COMMIT' : 'ROLLBACK');
      return result;
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  } finally {
    client.release();
  }
}

/** A statement on the owner (superuser) connection, past RLS. */
async function asOwner<T extends object>(pool: Pool, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await pool.query<T>(sql, params)).rows;
}

const HOUR = 3_600_000;
const sorted = (xs: readonly string[]) => [...xs].sort();

const INSERT_DEFINITION = `INSERT INTO workflow_definitions (id, tenant_id, name, version, nodes, routes, start_node_id, created_by)
  VALUES ($1, $2, 'shared-workflow', 1, '[]', '[]', 'start', 'seed')`;
const INSERT_INSTANCE = `INSERT INTO workflow_instances (id, tenant_id, definition_id, status, started_by)
  VALUES ($1, $2, $3, 'running', $4)`;
const INSERT_NODE = `INSERT INTO workflow_instance_nodes
  (id, tenant_id, instance_id, node_id, node_type, node_name, status, waiting_for, assigned_user_id, assigned_role,
   candidate_users, excluded_users, votes, claimed_at, on_behalf_of, decided_by, decision, sla_deadline)
  VALUES ($1, $2, $3, $4, 'approval', $4, $5, CASE WHEN $5 = 'waiting' THEN 'task' END, $6, $7,
   $8::text[], $9::text[], $10::jsonb, $11, $12, $13, $14, now() + interval '10 hours')`;
const INSERT_WINDOW = `INSERT INTO workflow_deputies (id, tenant_id, user_id, deputy_user_id, starts_at, ends_at, workflows, roles, created_by)
  VALUES ($1, $2, $3, $4, now() - interval '1 hour', now() + interval '1 day', $5, $6, $3)`;

/** What one tenant owns: the same user names in both, the values of its own marked `mark`. */
interface TenantFixture {
  readonly tenantId: string;
  readonly mark: string;
  readonly instanceId: string;
  readonly quorumTask: string;
  readonly claimedTask: string;
  readonly decidedNode: string;
  readonly windows: string[];
}

async function seed(pool: Pool, mark: string): Promise<TenantFixture> {
  const f = {
    tenantId: randomUUID(),
    mark,
    instanceId: randomUUID(),
    quorumTask: randomUUID(),
    claimedTask: randomUUID(),
    decidedNode: randomUUID(),
    windows: [randomUUID(), randomUUID()],
  };
  const definitionId = randomUUID();
  const vote = [{ userId: `${mark}-voter`, onBehalfOf: 'shared-absent', decision: 'approved', comments: mark, at: new Date().toISOString() }];
  await onPool(
    pool,
    { tenant: f.tenantId },
    async (c) => {
      await c.query(INSERT_DEFINITION, [definitionId, f.tenantId]);
      await c.query(INSERT_INSTANCE, [f.instanceId, f.tenantId, definitionId, `${mark}-starter`]);
      // a quorum task naming voters, one of them in both tenants, with a vote cast by a deputy
      await c.query(INSERT_NODE, [f.quorumTask, f.tenantId, f.instanceId, 'vote', 'waiting', null, null,
        [`${mark}-voter`, 'shared-voter', 'shared-absent'], [`${mark}-starter`], JSON.stringify(vote), null, null, null, null]);
      // a role task claimed by a user of the same name in both tenants
      await c.query(INSERT_NODE, [f.claimedTask, f.tenantId, f.instanceId, 'review', 'waiting', 'shared-user', 'clerk',
        [], [`${mark}-excluded`], '[]', new Date(), null, null, null]);
      // a decision taken by a deputy for an absent user of the same name in both tenants
      await c.query(INSERT_NODE, [f.decidedNode, f.tenantId, f.instanceId, 'first', 'completed', 'shared-absent', null,
        [], [], '[]', null, 'shared-absent', `${mark}-deputy`, 'approved']);
      await c.query(INSERT_WINDOW, [f.windows[0], f.tenantId, 'shared-absent', `${mark}-deputy`, null, null]);
      await c.query(INSERT_WINDOW, [f.windows[1], f.tenantId, 'shared-user', 'shared-deputy', ['shared-workflow'], ['clerk']]);
    },
    'commit',
  );
  return f;
}

describe('row-level security of approvals (migration 0009), as workflow_app', () => {
  let db: TestDatabase;
  let pool: Pool;
  let ownerPool: Pool;
  let store: PgStore;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool(urlAs(db.url, 'workflow_runtime'), 2);
    ownerPool = testPool(db.url, 1);
    store = new PgStore(pool, { urgentThresholdHours: 4 });
    a = await seed(pool, 'a');
    b = await seed(pool, 'b');
  });

  afterAll(async () => {
    await Promise.all([pool?.end(), ownerPool?.end()]);
    await db?.drop();
  });

  describe('workflow_deputies', () => {
    it('has RLS enabled and forced, one tenant policy for workflow_app, and no UPDATE grant', async () => {
      expect(await asOwner(ownerPool, `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'workflow_deputies'`)).toEqual([
        { relrowsecurity: true, relforcerowsecurity: true },
      ]);
      expect(await asOwner(ownerPool, `SELECT policyname, cmd, roles::text[] AS roles FROM pg_policies WHERE tablename = 'workflow_deputies'`)).toEqual([
        { policyname: 'workflow_deputies_tenant', cmd: 'ALL', roles: ['workflow_app'] },
      ]);
      const privileges = await asOwner<{ role: string; privilege: string; granted: boolean }>(
        ownerPool,
        `SELECT r AS role, p AS privilege, has_table_privilege(r, 'workflow_deputies', p) AS granted
         FROM unnest(ARRAY['workflow_app', 'workflow_sweeper', 'workflow_runtime', 'workflow_query', 'workflow_queue']) r,
              unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
         WHERE has_table_privilege(r, 'workflow_deputies', p)`,
      );
      expect(privileges.map((x) => `${x.role}:${x.privilege}`).sort()).toEqual(['workflow_app:DELETE', 'workflow_app:INSERT', 'workflow_app:SELECT']);
    });

    it('the owner sees both tenants\' windows, so an empty result below is RLS', async () => {
      const rows = await asOwner<{ id: string }>(ownerPool, 'SELECT id::text FROM workflow_deputies');
      expect(rows.map((r) => r.id).sort()).toEqual(sorted([...a.windows, ...b.windows]));
    });

    it('each tenant reads only its own windows: raw as workflow_app, and through PgStore.inTenant', async () => {
      const raw = await onPool(pool, { tenant: a.tenantId }, (c) => c.query<{ id: string; tenant_id: string; deputy_user_id: string }>(
        'SELECT id::text, tenant_id::text, deputy_user_id FROM workflow_deputies',
      ));
      expect(raw.rows.map((r) => r.id).sort()).toEqual(sorted(a.windows));
      expect(new Set(raw.rows.map((r) => r.tenant_id))).toEqual(new Set([a.tenantId]));
      expect(raw.rows.map((r) => r.deputy_user_id)).not.toContain('b-deputy');

      const viaStore = await store.inTenant(b.tenantId, (tx) => tx.query<{ id: string }>('SELECT id::text FROM workflow_deputies'));
      expect(viaStore.rows.map((r) => r.id).sort()).toEqual(sorted(b.windows));
    });

    it('without a tenant, or with an empty one, no window is visible; the sweeper may not read them at all', async () => {
      expect((await onPool(pool, {}, (c) => c.query('SELECT 1 FROM workflow_deputies'))).rowCount).toBe(0);
      expect((await onPool(pool, { tenant: '' }, (c) => c.query('SELECT 1 FROM workflow_deputies'))).rowCount).toBe(0);
      await expect(onPool(pool, { role: 'workflow_sweeper', systemRead: true }, (c) => c.query('SELECT 1 FROM workflow_deputies'))).rejects.toMatchObject({
        code: '42501',
        message: 'permission denied for table workflow_deputies',
      });
      // the system-read setting gives workflow_app nothing beyond its tenant
      const systemRead = await onPool(pool, { tenant: a.tenantId, systemRead: true }, (c) => c.query<{ id: string }>('SELECT id::text FROM workflow_deputies'));
      expect(systemRead.rows.map((r) => r.id).sort()).toEqual(sorted(a.windows));
    });

    it('the repositories read the tenant\'s own windows only (active, listed, found, overlapping)', async () => {
      await store.inTenant(a.tenantId, async (tx) => {
        expect((await activeDeputyWindows(tx, new Date())).map((w) => w.id).sort()).toEqual(sorted(a.windows));
        expect((await listDeputyWindows(tx, null, 500)).map((w) => w.id).sort()).toEqual(sorted(a.windows));
        expect((await listDeputyWindows(tx, 'shared-absent', 500)).map((w) => [w.id, w.deputyUserId])).toEqual([[a.windows[0], 'a-deputy']]);
        expect(await findDeputyWindow(tx, b.windows[0] as string)).toBeNull();
        expect((await findDeputyWindow(tx, a.windows[0] as string))?.deputyUserId).toBe('a-deputy');
        const overlapping = await overlappingDeputyWindows(tx, 'shared-absent', new Date(Date.now() - 2 * HOUR), new Date(Date.now() + 2 * HOUR));
        expect(overlapping.map((w) => w.id)).toEqual([a.windows[0]]);
      });
    });

    it('another tenant\'s window neither blocks a window nor is touched: insert goes to the own tenant, delete affects nothing across', async () => {
      const user = `overlap-${randomUUID()}`;
      const inB = randomUUID();
      await onPool(pool, { tenant: b.tenantId }, (c) => c.query(INSERT_WINDOW, [inB, b.tenantId, user, 'b-deputy', null, null]), 'commit');
      const made = await store.inTenant(a.tenantId, async (tx) => {
        expect(await overlappingDeputyWindows(tx, user, new Date(Date.now() - HOUR), new Date(Date.now() + HOUR))).toEqual([]);
        return insertDeputyWindow(tx, {
          userId: user,
          deputyUserId: 'a-deputy',
          startsAt: new Date(Date.now() - HOUR),
          endsAt: new Date(Date.now() + HOUR),
          workflows: null,
          roles: null,
          createdBy: user,
        });
      });
      expect(await asOwner(ownerPool, 'SELECT tenant_id::text AS tenant FROM workflow_deputies WHERE id = $1', [made.id])).toEqual([{ tenant: a.tenantId }]);

      await store.inTenant(a.tenantId, (tx) => deleteDeputyWindow(tx, inB));
      const raw = await onPool(pool, { tenant: a.tenantId }, (c) => c.query('DELETE FROM workflow_deputies WHERE id = $1', [inB]), 'commit');
      expect(raw.rowCount).toBe(0);
      expect(await asOwner(ownerPool, 'SELECT 1 AS kept FROM workflow_deputies WHERE id = $1', [inB])).toEqual([{ kept: 1 }]);

      await store.inTenant(a.tenantId, (tx) => deleteDeputyWindow(tx, made.id));
      await onPool(pool, { tenant: b.tenantId }, (c) => c.query('DELETE FROM workflow_deputies WHERE id = $1', [inB]), 'commit');
    });

    it('refuses a window with another tenant\'s id (42501, WITH CHECK), and any UPDATE (no grant)', async () => {
      await expect(
        onPool(pool, { tenant: a.tenantId }, (c) => c.query(INSERT_WINDOW, [randomUUID(), b.tenantId, 'smuggled', 'mallory', null, null])),
      ).rejects.toMatchObject({ code: '42501', message: 'new row violates row-level security policy for table "workflow_deputies"' });
      for (const sql of [
        `UPDATE workflow_deputies SET deputy_user_id = 'mallory' WHERE id = $1`,
        `UPDATE workflow_deputies SET tenant_id = '${b.tenantId}' WHERE id = $1`,
      ]) {
        await expect(onPool(pool, { tenant: a.tenantId }, (c) => c.query(sql, [a.windows[0]]))).rejects.toMatchObject({
          code: '42501',
          message: 'permission denied for table workflow_deputies',
        });
      }
      expect(await asOwner(ownerPool, 'SELECT deputy_user_id, tenant_id::text AS tenant FROM workflow_deputies WHERE id = $1', [a.windows[0]])).toEqual([
        { deputy_user_id: 'a-deputy', tenant: a.tenantId },
      ]);
    });
  });

  describe('the approval columns of executions', () => {
    const COLUMNS = 'id::text, candidate_users, excluded_users, votes, claimed_at IS NOT NULL AS claimed, on_behalf_of, decided_by';

    it('a tenant reads only its own candidate users, exclusions, votes, claims and on-behalf-of decisions', async () => {
      const rows = await onPool(pool, { tenant: a.tenantId }, (c) =>
        c.query<{ id: string; candidate_users: string[]; excluded_users: string[]; votes: { userId: string }[]; claimed: boolean; on_behalf_of: string | null; decided_by: string | null }>(
          `SELECT ${COLUMNS} FROM workflow_instance_nodes`,
        ),
      );
      expect(rows.rows.map((r) => r.id).sort()).toEqual(sorted([a.quorumTask, a.claimedTask, a.decidedNode]));
      const values = JSON.stringify(rows.rows);
      for (const leak of ['b-voter', 'b-starter', 'b-excluded', 'b-deputy']) expect({ leak, found: values.includes(leak) }).toEqual({ leak, found: false });
      expect(rows.rows.find((r) => r.id === a.quorumTask)).toMatchObject({ candidate_users: ['a-voter', 'shared-voter', 'shared-absent'], excluded_users: ['a-starter'], votes: [{ userId: 'a-voter' }] });
      expect(rows.rows.find((r) => r.id === a.decidedNode)).toMatchObject({ on_behalf_of: 'shared-absent', decided_by: 'a-deputy' });
    });

    it('the queue view carries the new columns of the tenant\'s own tasks only', async () => {
      const rows = await store.inTenant(b.tenantId, (tx) =>
        tx.query<{ task_id: string; candidate_users: string[]; excluded_users: string[]; votes: unknown; claimed_at: Date | null; started_by: string }>(
          'SELECT task_id::text, candidate_users, excluded_users, votes, claimed_at, started_by FROM v_user_task_queue',
        ),
      );
      expect(rows.rows.map((r) => r.task_id).sort()).toEqual(sorted([b.quorumTask, b.claimedTask]));
      expect(JSON.stringify(rows.rows)).not.toMatch(/a-voter|a-starter|a-excluded/);
      expect(new Set(rows.rows.map((r) => r.started_by))).toEqual(new Set(['b-starter']));
    });

    it('searching by the other tenant\'s values finds nothing; updating its votes or claims changes nothing', async () => {
      const found = await onPool(pool, { tenant: a.tenantId }, (c) =>
        c.query(
          `SELECT id FROM workflow_instance_nodes
           WHERE 'b-voter' = ANY (candidate_users) OR 'b-starter' = ANY (excluded_users)
              OR votes @> '[{"userId": "b-voter"}]' OR decided_by = 'b-deputy'`,
        ),
      );
      expect(found.rowCount).toBe(0);
      const before = await asOwner(ownerPool, 'SELECT to_jsonb(n) AS row FROM workflow_instance_nodes n WHERE id = ANY ($1::uuid[]) ORDER BY id', [[b.quorumTask, b.claimedTask]]);
      const updated = await onPool(pool, { tenant: a.tenantId }, async (c) => {
        const votes = await c.query(`UPDATE workflow_instance_nodes SET votes = '[]', candidate_users = '{mallory}' WHERE id = $1`, [b.quorumTask]);
        const claim = await c.query(`UPDATE workflow_instance_nodes SET claimed_at = NULL, assigned_user_id = 'mallory', on_behalf_of = 'mallory' WHERE id = $1`, [b.claimedTask]);
        return (votes.rowCount ?? 0) + (claim.rowCount ?? 0);
      }, 'commit');
      expect(updated).toBe(0);
      expect(await asOwner(ownerPool, 'SELECT to_jsonb(n) AS row FROM workflow_instance_nodes n WHERE id = ANY ($1::uuid[]) ORDER BY id', [[b.quorumTask, b.claimedTask]])).toEqual(before);
    });

    it('the task repositories see the tenant\'s own tasks only: a voter\'s queue, a deputy\'s queue, the operator view, one task', async () => {
      const page = { limit: 100, cursor: null, now: new Date(), urgentThresholdHours: 4 };
      const deputyOf: Principal = { userId: 'shared-user', via: [], workflows: ['shared-workflow'], roles: ['clerk'] };
      await store.inTenant(a.tenantId, async (tx) => {
        const voter = await listMyTasks(tx, { tenantId: a.tenantId, userId: 'shared-voter', roles: [] }, page);
        expect(voter.items.map((t) => t.taskId)).toEqual([a.quorumTask]);
        const deputy = await listMyTasks(tx, { tenantId: a.tenantId, userId: 'shared-deputy', roles: [] }, { ...page, principals: [deputyOf] });
        expect(deputy.items.map((t) => t.taskId)).toEqual([a.claimedTask]);
        const open = await listOpenTasks(tx, {}, page);
        expect(open.items.map((t) => t.taskId).sort()).toEqual(sorted([a.quorumTask, a.claimedTask]));
        const byCandidate = await listOpenTasks(tx, { assignedUserId: 'shared-voter' }, page);
        expect(byCandidate.items.map((t) => t.taskId)).toEqual([a.quorumTask]);
        expect(await findTaskView(tx, b.quorumTask)).toBeNull();
        const queued = await findQueuedTasks(tx, { tenantId: a.tenantId, userId: 'shared-deputy', roles: ['clerk'] }, [a.claimedTask, b.claimedTask, b.quorumTask], [deputyOf]);
        expect(queued.map((t) => t.taskId)).toEqual([a.claimedTask]);
      });
    });

    it('instance visibility through the new columns (a candidate, an on-behalf-of decision) stays in the tenant', async () => {
      await store.inTenant(a.tenantId, async (tx) => {
        expect(await findVisibleInstance(tx, { tenantId: a.tenantId, userId: 'b-voter', roles: [] }, b.instanceId)).toBeNull();
        expect(await findVisibleInstance(tx, { tenantId: a.tenantId, userId: 'shared-voter', roles: [] }, b.instanceId)).toBeNull();
        expect((await findVisibleInstance(tx, { tenantId: a.tenantId, userId: 'shared-voter', roles: [] }, a.instanceId))?.id).toBe(a.instanceId);
        const behalf = await listVisibleInstances(tx, { tenantId: a.tenantId, userId: 'shared-absent', roles: [] }, { limit: 100, cursor: null });
        expect(behalf.items.map((i) => i.id)).toEqual([a.instanceId]);
      });
    });
  });
});
