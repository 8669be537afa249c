/**
 * Tenant isolation, proven as the non-owner role workflow_app (never as the superuser): every
 * transaction first does what PgStore does, `set_config('role', 'workflow_app', true)` plus the
 * tenant, and the assertions run inside it. The owner connection is used only to seed checks
 * ("the rows exist, so an empty result is RLS") and to test the append-only trigger.
 */

import { randomUUID } from 'node:crypto';
import { Client, Pool, type ClientBase, type PoolClient } from 'pg';
// The lib's public API, imported relatively because this file sits inside the db project.
import { PgStore, deleteSavedView, findSavedView, findStaleWork, insertSavedView, listSavedViews, updateSavedView } from './index';
import { createTestDatabase, testPool, urlAs, type TestDatabase } from './testing';

const TABLES = ['workflow_definitions', 'workflow_instances', 'workflow_instance_nodes', 'workflow_instance_history'] as const;
const VIEWS = ['v_user_task_queue', 'v_workflow_analytics'] as const;
type Table = (typeof TABLES)[number];
type Relation = Table | (typeof VIEWS)[number];
const RELATIONS: readonly Relation[] = [...TABLES, ...VIEWS];

/** The column that identifies a row of each relation in the assertions. */
const KEY: Record<Relation, string> = {
  workflow_definitions: 'id::text',
  workflow_instances: 'id::text',
  workflow_instance_nodes: 'id::text',
  workflow_instance_history: 'id::text',
  v_user_task_queue: 'task_id::text',
  v_workflow_analytics: 'workflow_name',
};

interface AppSettings {
  /** app.current_tenant; undefined leaves it unset */
  readonly tenant?: string;
  /** app.system_read = 'on' */
  readonly systemRead?: boolean;
  /** the role to become; workflow_app unless said */
  readonly role?: 'workflow_app' | 'workflow_sweeper';
}

interface PgFailure {
  code: string;
  message: string;
}

/**
 * One transaction as workflow_app: BEGIN, then the settings in one statement (PgStore's prelude),
 * then `work`. Rolled back unless `end` is 'commit', so assertions leave the fixture alone.
 */
async function asApp<T>(
  client: ClientBase,
  settings: AppSettings,
  work: (c: ClientBase) => Promise<T>,
  end: 'commit' | 'rollback' = 'rollback',
): Promise<T> {
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
}

/** asApp on a connection borrowed from `pool`. */
async function onPool<T>(pool: Pool, settings: AppSettings, work: (c: ClientBase) => Promise<T>, end?: 'commit' | 'rollback'): Promise<T> {
  const client: PoolClient = await pool.connect();
  try {
    return await asApp(client, settings, work, end);
  } finally {
    client.release();
  }
}

/** A transaction on the owner (superuser) connection, no role switch; rolled back. */
async function asOwner<T>(pool: Pool, work: (c: ClientBase) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      return await work(client);
    } finally {
      await client.query('ROLLBACK');
    }
  } finally {
    client.release();
  }
}

/** Sorted keys of the rows `c` can see in `relation`, with the distinct tenant ids among them. */
async function visible(c: ClientBase, relation: Relation): Promise<{ keys: string[]; tenants: string[] }> {
  const r = await c.query<{ key: string; tenant_id: string }>(`SELECT ${KEY[relation]} AS key, tenant_id::text FROM ${relation}`);
  return {
    keys: r.rows.map((row) => row.key).sort(),
    tenants: [...new Set(r.rows.map((row) => row.tenant_id))].sort(),
  };
}

/** Row counts of every table and view, as `c` sees them. */
async function counts(c: ClientBase): Promise<Record<Relation, number>> {
  const out = {} as Record<Relation, number>;
  for (const relation of RELATIONS) {
    const r = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${relation}`);
    out[relation] = r.rows[0]?.n ?? -1;
  }
  return out;
}

const ZERO_ROWS: Record<Relation, number> = {
  workflow_definitions: 0,
  workflow_instances: 0,
  workflow_instance_nodes: 0,
  workflow_instance_history: 0,
  v_user_task_queue: 0,
  v_workflow_analytics: 0,
};

async function backendPid(c: ClientBase): Promise<number> {
  const r = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return r.rows[0]?.pid ?? -1;
}

/** What each tenant owns after seeding; the keys match `visible`. */
interface TenantRows {
  readonly tenantId: string;
  readonly expected: Record<Relation, string[]>;
  readonly definitionId: string;
  readonly instanceId: string;
  readonly taskId: string;
  readonly readyExecutionId: string;
  readonly historyId: string;
}

const sorted = (xs: string[]) => [...xs].sort();

const INSERT_DEFINITION = `INSERT INTO workflow_definitions (id, tenant_id, name, version, nodes, routes, start_node_id, created_by)
  VALUES ($1, $2, $3, 1, '[]', '[]', 'start', 'seed')`;
const INSERT_INSTANCE = `INSERT INTO workflow_instances (id, tenant_id, definition_id, status, started_by, sla_deadline, completed_at)
  VALUES ($1, $2, $3, $4, 'seed', now() + interval '48 hours', CASE WHEN $4 = 'running' THEN NULL ELSE now() END)`;
const INSERT_NODE = `INSERT INTO workflow_instance_nodes (id, tenant_id, instance_id, node_id, node_type, node_name, status, waiting_for, assigned_user_id, sla_deadline)
  VALUES ($1, $2, $3, $4, $5, $4, $6, CASE WHEN $6 = 'waiting' THEN 'task' END, $7, $8)`;
const INSERT_HISTORY = `INSERT INTO workflow_instance_history (id, tenant_id, instance_id, event_type) VALUES ($1, $2, $3, $4)`;

describe('row-level security, as workflow_app', () => {
  let db: TestDatabase;
  /** app transactions, logged in as the runtime login (as the engine's pools are) */
  let pool: Pool;
  /** the superuser connection with no role switch: seed checks and the owner's view of history */
  let ownerPool: Pool;
  /** one connection, reused by every transaction: the leak tests */
  let reusePool: Pool;
  let store: PgStore;
  let a: TenantRows;
  let b: TenantRows;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool(urlAs(db.url, 'workflow_runtime'), 2);
    ownerPool = testPool(db.url, 1);
    reusePool = testPool(urlAs(db.url, 'workflow_runtime'), 1);
    store = new PgStore(pool, { urgentThresholdHours: 4 });

    // Tenant A: one purchase-order approval waiting on alice (urgent), one ready service task.
    const tA = randomUUID();
    const ids = { def: randomUUID(), inst: randomUUID(), task: randomUUID(), ready: randomUUID(), hist: randomUUID() };
    await onPool(
      pool,
      { tenant: tA },
      async (c) => {
        await c.query(INSERT_DEFINITION, [ids.def, tA, 'purchase-order-approval']);
        await c.query(INSERT_INSTANCE, [ids.inst, tA, ids.def, 'running']);
        await c.query(INSERT_NODE, [ids.task, tA, ids.inst, 'manager_approval', 'approval', 'waiting', 'alice', new Date(Date.now() + 3_600_000)]);
        await c.query(INSERT_NODE, [ids.ready, tA, ids.inst, 'notify', 'service_task', 'ready', null, null]);
        await c.query(INSERT_HISTORY, [ids.hist, tA, ids.inst, 'instance_started']);
      },
      'commit',
    );
    a = {
      tenantId: tA,
      definitionId: ids.def,
      instanceId: ids.inst,
      taskId: ids.task,
      readyExecutionId: ids.ready,
      historyId: ids.hist,
      expected: {
        workflow_definitions: [ids.def],
        workflow_instances: [ids.inst],
        workflow_instance_nodes: sorted([ids.task, ids.ready]),
        workflow_instance_history: [ids.hist],
        v_user_task_queue: [ids.task],
        v_workflow_analytics: ['purchase-order-approval'],
      },
    };

    // Tenant B, through PgStore.inTenant: the same workflow name (a completed instance) plus a
    // second workflow with an overdue user task and a ready service task.
    const tB = randomUUID();
    const idsB = {
      def1: randomUUID(), def2: randomUUID(), inst1: randomUUID(), inst2: randomUUID(),
      task: randomUUID(), ready: randomUUID(), hist1: randomUUID(), hist2: randomUUID(),
    };
    await store.inTenant(tB, async (tx) => {
      await tx.query(INSERT_DEFINITION, [idsB.def1, tB, 'purchase-order-approval']);
      await tx.query(INSERT_DEFINITION, [idsB.def2, tB, 'vendor-onboarding']);
      await tx.query(INSERT_INSTANCE, [idsB.inst1, tB, idsB.def1, 'completed']);
      await tx.query(INSERT_INSTANCE, [idsB.inst2, tB, idsB.def2, 'running']);
      await tx.query(INSERT_NODE, [idsB.task, tB, idsB.inst2, 'collect_documents', 'user_task', 'waiting', 'bob', new Date(Date.now() - 3_600_000)]);
      await tx.query(INSERT_NODE, [idsB.ready, tB, idsB.inst2, 'provision', 'service_task', 'ready', null, null]);
      await tx.query(INSERT_HISTORY, [idsB.hist1, tB, idsB.inst1, 'instance_completed']);
      await tx.query(INSERT_HISTORY, [idsB.hist2, tB, idsB.inst2, 'instance_started']);
    });
    b = {
      tenantId: tB,
      definitionId: idsB.def1,
      instanceId: idsB.inst1,
      taskId: idsB.task,
      readyExecutionId: idsB.ready,
      historyId: idsB.hist1,
      expected: {
        workflow_definitions: sorted([idsB.def1, idsB.def2]),
        workflow_instances: sorted([idsB.inst1, idsB.inst2]),
        workflow_instance_nodes: sorted([idsB.task, idsB.ready]),
        workflow_instance_history: sorted([idsB.hist1, idsB.hist2]),
        v_user_task_queue: [idsB.task],
        v_workflow_analytics: ['purchase-order-approval', 'vendor-onboarding'],
      },
    };
  });

  afterAll(async () => {
    await Promise.all([pool?.end(), ownerPool?.end(), reusePool?.end()]);
    await db?.drop();
  });

  describe('the app role', () => {
    it('runs a tenant transaction as workflow_app, which is neither superuser nor BYPASSRLS, logged in as workflow_runtime', async () => {
      const who = await onPool(pool, { tenant: a.tenantId }, async (c) => {
        const r = await c.query<{ current_user: string; session_user: string; tenant: string }>(
          `SELECT current_user, session_user, current_setting('app.current_tenant', true) AS tenant`,
        );
        return r.rows[0];
      });
      expect(who).toEqual({ current_user: 'workflow_app', session_user: 'workflow_runtime', tenant: a.tenantId });

      const role = await asOwner(ownerPool, (c) =>
        c.query(`SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'workflow_app'`),
      );
      expect(role.rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcanlogin: false }]);
      const login = await asOwner(ownerPool, (c) =>
        c.query(`SELECT rolsuper, rolbypassrls, rolinherit, rolcanlogin FROM pg_roles WHERE rolname = 'workflow_runtime'`),
      );
      expect(login.rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolinherit: false, rolcanlogin: true }]);
    });

    it('leads nowhere after RESET ROLE: the runtime login itself reads no table and makes no temp table', async () => {
      const failures = await onPool(pool, { tenant: a.tenantId }, async (c) => {
        await c.query('RESET ROLE');
        const out: string[] = [];
        for (const sql of ['SELECT count(*) FROM workflow_instances', 'SELECT count(*) FROM workflow_instance_history', 'SELECT count(*) FROM v_user_task_queue']) {
          await c.query('SAVEPOINT s');
          await c.query(sql).then(
            () => out.push(`read: ${sql}`),
            (err: PgFailure) => out.push(err.code),
          );
          await c.query('ROLLBACK TO SAVEPOINT s');
        }
        await c.query('CREATE TEMP TABLE workflow_definitions (x int)').then(
          () => out.push('temp table created'),
          (err: PgFailure) => out.push(err.code),
        );
        return out;
      });
      expect(failures).toEqual(['42501', '42501', '42501', '42501']);
    });

    it('PgStore.inTenant runs as workflow_app with the tenant and the urgent threshold set', async () => {
      const row = await store.inTenant(b.tenantId, async (tx) => {
        const r = await tx.query<{ current_user: string; tenant: string; threshold: string }>(
          `SELECT current_user, current_setting('app.current_tenant', true) AS tenant,
                  current_setting('app.urgent_threshold_hours', true) AS threshold`,
        );
        return r.rows[0];
      });
      expect(row).toEqual({ current_user: 'workflow_app', tenant: b.tenantId, threshold: '4' });
    });
  });

  describe('tenant isolation', () => {
    it('the owner (superuser) sees both tenants in every relation, so an empty result below is RLS', async () => {
      await asOwner(ownerPool, async (c) => {
        for (const relation of RELATIONS) {
          const seen = await visible(c, relation);
          expect({ relation, tenants: seen.tenants }).toEqual({ relation, tenants: sorted([a.tenantId, b.tenantId]) });
        }
      });
    });

    it('tenant A sees only its own rows in all four tables and both views', async () => {
      await onPool(pool, { tenant: a.tenantId }, async (c) => {
        for (const relation of RELATIONS) {
          const seen = await visible(c, relation);
          expect({ relation, ...seen }).toEqual({ relation, keys: a.expected[relation], tenants: [a.tenantId] });
        }
      });
    });

    it('tenant B sees only its own rows in all four tables and both views (through PgStore.inTenant)', async () => {
      await store.inTenant(b.tenantId, async (tx) => {
        for (const relation of RELATIONS) {
          const r = await tx.query<{ key: string; tenant_id: string }>(`SELECT ${KEY[relation]} AS key, tenant_id::text FROM ${relation}`);
          const keys = r.rows.map((row) => row.key).sort();
          const tenants = [...new Set(r.rows.map((row) => row.tenant_id))];
          expect({ relation, keys, tenants }).toEqual({ relation, keys: b.expected[relation], tenants: [b.tenantId] });
        }
      });
    });

    it('the views compute over the tenant\'s rows only: urgency, overdue and per-tenant analytics', async () => {
      const queueA = await onPool(pool, { tenant: a.tenantId }, (c) =>
        c.query(`SELECT task_id::text, urgency_level, is_overdue FROM v_user_task_queue`),
      );
      expect(queueA.rows).toEqual([{ task_id: a.taskId, urgency_level: 'URGENT', is_overdue: false }]);

      const analyticsB = await store.inTenant(b.tenantId, (tx) =>
        tx.query(`SELECT workflow_name, total_instances, running_instances, completed_instances
                  FROM v_workflow_analytics ORDER BY workflow_name`),
      );
      // Tenant A's purchase-order-approval instance is not counted into B's row of the same name.
      expect(analyticsB.rows).toEqual([
        { workflow_name: 'purchase-order-approval', total_instances: 1, running_instances: 0, completed_instances: 1 },
        { workflow_name: 'vendor-onboarding', total_instances: 1, running_instances: 1, completed_instances: 0 },
      ]);
    });

    it('with no tenant setting (fresh connection, role set, app.current_tenant unset) every table and view is empty', async () => {
      const fresh = new Client({ connectionString: db.url });
      await fresh.connect();
      try {
        await asApp(fresh, {}, async (c) => {
          const setting = await c.query(`SELECT current_user, current_setting('app.current_tenant', true) AS tenant`);
          expect(setting.rows).toEqual([{ current_user: 'workflow_app', tenant: null }]);
          expect(await counts(c)).toEqual(ZERO_ROWS);
        });
      } finally {
        await fresh.end();
      }
    });

    it("with app.current_tenant = '' every table and view is empty (NULLIF, not a uuid cast error)", async () => {
      await onPool(pool, { tenant: '' }, async (c) => {
        expect(await counts(c)).toEqual(ZERO_ROWS);
      });
    });

    it("a pooled connection that ran a tenant transaction reads the tenant back as '' and sees zero rows", async () => {
      const first = await reusePool.connect();
      let firstPid: number;
      try {
        firstPid = await asApp(first, { tenant: a.tenantId }, async (c) => {
          expect((await counts(c)).workflow_definitions).toBe(1);
          return backendPid(c);
        }, 'commit');
      } finally {
        first.release();
      }

      const again = await reusePool.connect();
      try {
        await asApp(again, {}, async (c) => {
          expect(await backendPid(c)).toBe(firstPid);
          // A custom setting once set in a session reads back as '' after its transaction, not NULL.
          const setting = await c.query(`SELECT current_setting('app.current_tenant', true) AS tenant`);
          expect(setting.rows).toEqual([{ tenant: '' }]);
          expect(await counts(c)).toEqual(ZERO_ROWS);
        });
        await asApp(again, { tenant: '' }, async (c) => {
          expect(await backendPid(c)).toBe(firstPid);
          expect(await counts(c)).toEqual(ZERO_ROWS);
        });
      } finally {
        again.release();
      }
    });

    it('a malformed tenant id fails closed with 22P02 rather than matching rows', async () => {
      await expect(onPool(pool, { tenant: 'not-a-uuid' }, (c) => c.query('SELECT id FROM workflow_definitions'))).rejects.toMatchObject({
        code: '22P02',
        message: 'invalid input syntax for type uuid: "not-a-uuid"',
      } satisfies PgFailure);
    });
  });

  describe('writes across tenants', () => {
    const crossTenantInserts: ReadonlyArray<[Table, (other: TenantRows) => [string, unknown[]]]> = [
      ['workflow_definitions', (o) => [INSERT_DEFINITION, [randomUUID(), o.tenantId, 'smuggled']]],
      ['workflow_instances', (o) => [INSERT_INSTANCE, [randomUUID(), o.tenantId, o.definitionId, 'running']]],
      ['workflow_instance_nodes', (o) => [INSERT_NODE, [randomUUID(), o.tenantId, o.instanceId, 'x', 'approval', 'waiting', 'mallory', null]]],
      ['workflow_instance_history', (o) => [INSERT_HISTORY, [randomUUID(), o.tenantId, o.instanceId, 'forged']]],
    ];

    it.each(crossTenantInserts)("inserting a %s row with another tenant's tenant_id is refused (42501, WITH CHECK)", async (table, build) => {
      const [sql, params] = build(b);
      await expect(onPool(pool, { tenant: a.tenantId }, (c) => c.query(sql, params))).rejects.toMatchObject({
        code: '42501',
        message: `new row violates row-level security policy for table "${table}"`,
      } satisfies PgFailure);
    });

    it("PgStore.inTenant surfaces the WITH CHECK violation as 42501 and rolls back the tenant's own insert", async () => {
      const ownId = randomUUID();
      await expect(
        store.inTenant(a.tenantId, async (tx) => {
          await tx.query(INSERT_DEFINITION, [ownId, a.tenantId, 'own-before-failure']);
          await tx.query(INSERT_DEFINITION, [randomUUID(), b.tenantId, 'smuggled']);
        }),
      ).rejects.toMatchObject({
        code: '42501',
        message: 'new row violates row-level security policy for table "workflow_definitions"',
      } satisfies PgFailure);
      const left = await asOwner(ownerPool, (c) => c.query('SELECT 1 FROM workflow_definitions WHERE id = $1', [ownId]));
      expect(left.rowCount).toBe(0);
    });

    const crossTenantUpdates: ReadonlyArray<[Table, string, (o: TenantRows) => string]> = [
      ['workflow_definitions', `UPDATE workflow_definitions SET description = 'hijacked' WHERE id = $1`, (o) => o.definitionId],
      ['workflow_instances', `UPDATE workflow_instances SET status = 'cancelled' WHERE id = $1`, (o) => o.instanceId],
      ['workflow_instance_nodes', `UPDATE workflow_instance_nodes SET assigned_user_id = 'mallory' WHERE id = $1`, (o) => o.taskId],
    ];

    it.each(crossTenantUpdates)("updating another tenant's %s row affects 0 rows and changes nothing", async (table, sql, target) => {
      const id = target(b);
      const before = await asOwner(ownerPool, (c) => c.query(`SELECT to_jsonb(t) AS row FROM ${table} t WHERE id = $1`, [id]));
      expect(before.rowCount).toBe(1);
      const updated = await onPool(pool, { tenant: a.tenantId }, (c) => c.query(sql, [id]), 'commit');
      expect(updated.rowCount).toBe(0);
      const after = await asOwner(ownerPool, (c) => c.query(`SELECT to_jsonb(t) AS row FROM ${table} t WHERE id = $1`, [id]));
      expect(after.rows).toEqual(before.rows);
    });

    it("moving one's own row to another tenant is refused (42501, WITH CHECK on the new row)", async () => {
      await expect(
        onPool(pool, { tenant: a.tenantId }, (c) =>
          c.query('UPDATE workflow_instances SET tenant_id = $2 WHERE id = $1', [a.instanceId, b.tenantId]),
        ),
      ).rejects.toMatchObject({
        code: '42501',
        message: 'new row violates row-level security policy for table "workflow_instances"',
      } satisfies PgFailure);
    });

    // Foreign-key checks bypass RLS, so the keys include the tenant: a row can only point at
    // its own tenant's rows.
    it("refuses a tenant's node that points at another tenant's instance (23503)", async () => {
      await expect(
        onPool(pool, { tenant: a.tenantId }, (c) =>
          c.query(INSERT_NODE, [randomUUID(), a.tenantId, b.instanceId, 'x', 'approval', 'waiting', 'mallory', null]),
        ),
      ).rejects.toMatchObject({ code: '23503' });
    });
  });

  describe('workflow_saved_views (each user\'s saved views)', () => {
    const INSERT_VIEW = `INSERT INTO workflow_saved_views (id, tenant_id, user_id, page, name, filters) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`;
    /** the same user id and view name in both tenants, and a second user of tenant A */
    const views: { annA: string; bobA: string; annB: string } = { annA: randomUUID(), bobA: randomUUID(), annB: randomUUID() };

    beforeAll(async () => {
      await onPool(pool, { tenant: a.tenantId }, async (c) => {
        await c.query(INSERT_VIEW, [views.annA, a.tenantId, 'ann', 'inbox', 'Mine', '{"urgencyLevel":["URGENT"]}']);
        await c.query(INSERT_VIEW, [views.bobA, a.tenantId, 'bob', 'inbox', 'Mine', '{"workflowName":"PO"}']);
      }, 'commit');
      await store.inTenant(b.tenantId, (tx) => tx.query(INSERT_VIEW, [views.annB, b.tenantId, 'ann', 'inbox', 'Mine', '{"tenant":"b"}']));
    });

    it('has RLS enabled and forced, one tenant policy for workflow_app, and grants for workflow_app only', async () => {
      const r = await asOwner(ownerPool, async (c) => ({
        rls: (await c.query(`SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'workflow_saved_views'`)).rows,
        policies: (await c.query(`SELECT policyname, cmd, roles::text[] AS roles FROM pg_policies WHERE tablename = 'workflow_saved_views'`)).rows,
        privileges: (await c.query<{ p: string }>(
          `SELECT r || ':' || p AS p FROM unnest(ARRAY['workflow_app', 'workflow_sweeper', 'workflow_runtime', 'workflow_query', 'workflow_queue']) r,
             unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p WHERE has_table_privilege(r, 'workflow_saved_views', p)`,
        )).rows.map((x) => x.p).sort(),
      }));
      expect(r).toEqual({
        rls: [{ relrowsecurity: true, relforcerowsecurity: true }],
        policies: [{ policyname: 'workflow_saved_views_tenant', cmd: 'ALL', roles: ['workflow_app'] }],
        privileges: ['workflow_app:DELETE', 'workflow_app:INSERT', 'workflow_app:SELECT', 'workflow_app:UPDATE'],
      });
    });

    it('each tenant reads only its own rows; without a tenant none; the sweeper none at all', async () => {
      const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
      expect(ids((await asOwner(ownerPool, (c) => c.query<{ id: string }>('SELECT id::text FROM workflow_saved_views'))).rows)).toEqual(sorted(Object.values(views)));
      expect(ids((await onPool(pool, { tenant: a.tenantId }, (c) => c.query<{ id: string }>('SELECT id::text FROM workflow_saved_views'))).rows)).toEqual(sorted([views.annA, views.bobA]));
      expect(ids((await store.inTenant(b.tenantId, (tx) => tx.query<{ id: string }>('SELECT id::text FROM workflow_saved_views'))).rows)).toEqual([views.annB]);
      expect((await onPool(pool, {}, (c) => c.query('SELECT 1 FROM workflow_saved_views'))).rowCount).toBe(0);
      expect((await onPool(pool, { tenant: '' }, (c) => c.query('SELECT 1 FROM workflow_saved_views'))).rowCount).toBe(0);
      await expect(onPool(pool, { role: 'workflow_sweeper', systemRead: true }, (c) => c.query('SELECT 1 FROM workflow_saved_views'))).rejects.toMatchObject({
        code: '42501',
        message: 'permission denied for table workflow_saved_views',
      });
    });

    it("the repository reads, changes and deletes the named user's views of the own tenant only", async () => {
      await store.inTenant(a.tenantId, async (tx) => {
        expect((await listSavedViews(tx, 'ann', null, 200)).map((v) => v.id)).toEqual([views.annA]);
        expect((await listSavedViews(tx, 'ann', 'tasks', 200))).toEqual([]);
        expect((await findSavedView(tx, 'bob', 'inbox', 'Mine'))?.filters).toEqual({ workflowName: 'PO' });
        expect(await findSavedView(tx, 'carol', 'inbox', 'Mine')).toBeNull();
        // ann of tenant A deleting "Mine" deletes hers only: bob's and tenant B's ann's stay
        expect(await deleteSavedView(tx, 'ann', 'inbox', 'Mine')).toBe(true);
        expect(await deleteSavedView(tx, 'ann', 'inbox', 'Mine')).toBe(false);
        expect((await listSavedViews(tx, 'bob', 'inbox', 200)).map((v) => v.id)).toEqual([views.bobA]);
        // an update by the id of another tenant's row finds nothing to update
        await expect(updateSavedView(tx, views.annB, { name: 'Hijacked', filters: {}, position: 0 })).rejects.toThrow(/returned no row/);
      });
      await store.inTenant(b.tenantId, async (tx) => {
        expect((await listSavedViews(tx, 'ann', 'inbox', 200)).map((v) => [v.id, v.name, v.filters])).toEqual([[views.annB, 'Mine', { tenant: 'b' }]]);
      });
      // put ann's view of tenant A back, through the repository
      const again = await store.inTenant(a.tenantId, (tx) => insertSavedView(tx, { userId: 'ann', page: 'inbox', name: 'Mine', filters: { urgencyLevel: ['URGENT'] }, position: 0 }));
      expect(again).toMatchObject({ userId: 'ann', page: 'inbox', name: 'Mine', filters: { urgencyLevel: ['URGENT'] }, position: 0 });
      views.annA = again.id;
    });

    it("inserting a view with another tenant's tenant_id, or moving one there, is refused (42501, WITH CHECK)", async () => {
      await expect(onPool(pool, { tenant: a.tenantId }, (c) => c.query(INSERT_VIEW, [randomUUID(), b.tenantId, 'mallory', 'inbox', 'Smuggled', '{}']))).rejects.toMatchObject({
        code: '42501',
        message: 'new row violates row-level security policy for table "workflow_saved_views"',
      });
      await expect(onPool(pool, { tenant: a.tenantId }, (c) => c.query('UPDATE workflow_saved_views SET tenant_id = $2 WHERE id = $1', [views.bobA, b.tenantId]))).rejects.toMatchObject({
        code: '42501',
      });
    });

    it.each([
      ['an unknown page', ['ann', 'dashboard', 'Other', '{}']],
      ['an untrimmed name', ['ann', 'inbox', ' Padded ', '{}']],
      ['an empty name', ['ann', 'inbox', '', '{}']],
      ['a name over 80 characters', ['ann', 'inbox', 'x'.repeat(81), '{}']],
      ['filters that are not an object', ['ann', 'inbox', 'Array', '[1, 2]']],
      ['the same name twice for one user and page', ['bob', 'inbox', 'Mine', '{}']],
    ])('the table refuses %s', async (_what, [user, page, name, filters]) => {
      await expect(onPool(pool, { tenant: a.tenantId }, (c) => c.query(INSERT_VIEW, [randomUUID(), a.tenantId, user, page, name, filters]))).rejects.toMatchObject({
        code: expect.stringMatching(/^23(514|505)$/),
      });
    });
  });

  describe('settings do not leak across pooled transactions', () => {
    it('after a committed PgStore.inTenant transaction on a pool of 1, a new transaction without settings sees nothing', async () => {
      const reuseStore = new PgStore(reusePool, { urgentThresholdHours: 4 });
      const pidInTenant = await reuseStore.inTenant(a.tenantId, async (tx) => {
        const r = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM workflow_definitions');
        expect(r.rows[0]?.n).toBe(1);
        const pid = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        return pid.rows[0]?.pid;
      });

      const client = await reusePool.connect();
      try {
        expect(await backendPid(client)).toBe(pidInTenant);
        // Outside any transaction the role switch is gone as well.
        const outside = await client.query(`SELECT current_user, current_setting('app.current_tenant', true) AS tenant`);
        expect(outside.rows).toEqual([{ current_user: 'workflow_runtime', tenant: '' }]);
        await asApp(client, {}, async (c) => {
          expect(await counts(c)).toEqual(ZERO_ROWS);
        });
      } finally {
        client.release();
      }
    });

    it('after a failed (rolled back) PgStore.inTenant transaction on a pool of 1, a new transaction without settings sees nothing', async () => {
      const reuseStore = new PgStore(reusePool, { urgentThresholdHours: 4 });
      let pidInTenant: number | undefined;
      await expect(
        reuseStore.inTenant(a.tenantId, async (tx) => {
          const pid = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          pidInTenant = pid.rows[0]?.pid;
          await tx.query('SELECT 1/0');
        }),
      ).rejects.toMatchObject({ code: '22012' });

      const client = await reusePool.connect();
      try {
        expect(await backendPid(client)).toBe(pidInTenant);
        await asApp(client, {}, async (c) => {
          expect(await counts(c)).toEqual(ZERO_ROWS);
        });
      } finally {
        client.release();
      }
    });
  });

  describe('configuration', () => {
    it('RLS is enabled and forced on all four tables', async () => {
      const r = await asOwner(ownerPool, (c) =>
        c.query(
          `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
           WHERE relnamespace = 'public'::regnamespace AND relname = ANY ($1) ORDER BY relname`,
          [TABLES],
        ),
      );
      expect(r.rows).toEqual(
        [...TABLES].sort().map((relname) => ({ relname, relrowsecurity: true, relforcerowsecurity: true })),
      );
    });

    it('every table has its policies; on history none for UPDATE, and DELETE only for the owner during a purge', async () => {
      const r = await asOwner(ownerPool, (c) =>
        c.query<{ tablename: string; policyname: string; cmd: string; roles: string[] }>(
          `SELECT tablename, policyname, cmd, roles::text[] AS roles FROM pg_policies WHERE schemaname = 'public' ORDER BY tablename, policyname`,
        ),
      );
      const byTable = (t: string) => r.rows.filter((p) => p.tablename === t && !p.policyname.includes('purge')).map((p) => `${p.policyname}:${p.cmd}`);
      const purge = r.rows.filter((p) => p.policyname.includes('purge'));
      expect(purge.map((p) => `${p.policyname}:${p.cmd}`).sort()).toEqual([
        'workflow_instance_history_purge:DELETE',
        'workflow_instance_history_purge_insert:INSERT',
        'workflow_instance_history_purge_read:SELECT',
        'workflow_instances_purge_read:SELECT',
        'workflow_instances_purge_update:UPDATE',
      ]);
      // bound to the migrating role, never to workflow_app
      for (const p of purge) expect(p.roles).not.toContain('workflow_app');
      for (const t of ['workflow_definitions', 'workflow_instances', 'workflow_instance_nodes']) {
        expect(byTable(t)).toEqual([`${t}_sweeper_read:SELECT`, `${t}_tenant:ALL`]);
      }
      // each bound to its one role, so a tenant query's predicate is the tenant equality alone
      const roles = Object.fromEntries(r.rows.filter((p) => !p.policyname.includes('purge')).map((p) => [p.policyname, p.roles]));
      expect(roles).toEqual({
        workflow_definitions_sweeper_read: ['workflow_sweeper'],
        workflow_definitions_tenant: ['workflow_app'],
        workflow_instances_sweeper_read: ['workflow_sweeper'],
        workflow_instances_tenant: ['workflow_app'],
        workflow_instance_nodes_sweeper_read: ['workflow_sweeper'],
        workflow_instance_nodes_tenant: ['workflow_app'],
        workflow_instance_history_tenant_insert: ['workflow_app'],
        workflow_instance_history_tenant_read: ['workflow_app'],
        workflow_deputies_tenant: ['workflow_app'],
        workflow_email_actions_tenant: ['workflow_app'],
        workflow_messages_tenant: ['workflow_app'],
        workflow_messages_sweeper_read: ['workflow_sweeper'],
        workflow_calendars_tenant: ['workflow_app'],
        workflow_saved_views_tenant: ['workflow_app'],
      });
      expect(byTable('workflow_instance_history')).toEqual([
        'workflow_instance_history_tenant_insert:INSERT',
        'workflow_instance_history_tenant_read:SELECT',
      ]);
    });

    it('both views are security_invoker, so the caller\'s RLS applies through them', async () => {
      const r = await asOwner(ownerPool, (c) =>
        c.query(`SELECT relname, reloptions FROM pg_class WHERE relname = ANY ($1) ORDER BY relname`, [VIEWS]),
      );
      expect(r.rows).toEqual([
        { relname: 'v_user_task_queue', reloptions: ['security_invoker=true'] },
        { relname: 'v_workflow_analytics', reloptions: ['security_invoker=true'] },
      ]);
    });
  });

  describe('history is append-only', () => {
    const PERMISSION_DENIED: PgFailure = { code: '42501', message: 'permission denied for table workflow_instance_history' };

    it('UPDATE as workflow_app is refused: no grant (42501)', async () => {
      await expect(
        onPool(pool, { tenant: a.tenantId }, (c) =>
          c.query(`UPDATE workflow_instance_history SET event_type = 'rewritten' WHERE id = $1`, [a.historyId]),
        ),
      ).rejects.toMatchObject(PERMISSION_DENIED);
    });

    it('DELETE as workflow_app is refused: no grant (42501)', async () => {
      await expect(
        onPool(pool, { tenant: a.tenantId }, (c) => c.query('DELETE FROM workflow_instance_history WHERE id = $1', [a.historyId])),
      ).rejects.toMatchObject(PERMISSION_DENIED);
    });

    it('UPDATE as the owner (superuser, RLS bypassed) is refused by the trigger', async () => {
      await expect(
        asOwner(ownerPool, (c) => c.query(`UPDATE workflow_instance_history SET event_type = 'rewritten' WHERE id = $1`, [a.historyId])),
      ).rejects.toMatchObject({
        code: '42501',
        message: 'workflow_instance_history is append-only: UPDATE is not allowed',
      } satisfies PgFailure);
    });

    it('DELETE as the owner is refused by the trigger', async () => {
      await expect(
        asOwner(ownerPool, (c) => c.query('DELETE FROM workflow_instance_history WHERE id = $1', [a.historyId])),
      ).rejects.toMatchObject({
        code: '42501',
        message: 'workflow_instance_history is append-only: DELETE is not allowed',
      } satisfies PgFailure);
    });

    it("DELETE as the owner with workflow.history_purge = 'on' is allowed (the retention purge)", async () => {
      await asOwner(ownerPool, async (c) => {
        await c.query(`SELECT set_config('workflow.history_purge', 'on', true)`);
        const deleted = await c.query('DELETE FROM workflow_instance_history WHERE id = $1', [a.historyId]);
        expect(deleted.rowCount).toBe(1);
        const left = await c.query('SELECT 1 FROM workflow_instance_history WHERE id = $1', [a.historyId]);
        expect(left.rowCount).toBe(0);
      }); // rolled back: the fixture keeps the row
    });

    it('the purge setting allows DELETE only, never UPDATE', async () => {
      await expect(
        asOwner(ownerPool, async (c) => {
          await c.query(`SELECT set_config('workflow.history_purge', 'on', true)`);
          return c.query(`UPDATE workflow_instance_history SET event_type = 'rewritten' WHERE id = $1`, [a.historyId]);
        }),
      ).rejects.toMatchObject({
        code: '42501',
        message: 'workflow_instance_history is append-only: UPDATE is not allowed',
      } satisfies PgFailure);
    });

    it('the purge setting is transaction-local: the next transaction on the same connection is refused again', async () => {
      const client = await ownerPool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('workflow.history_purge', 'on', true)`);
        await client.query('COMMIT');
        await client.query('BEGIN');
        await expect(client.query('DELETE FROM workflow_instance_history WHERE id = $1', [a.historyId])).rejects.toMatchObject({
          code: '42501',
          message: 'workflow_instance_history is append-only: DELETE is not allowed',
        } satisfies PgFailure);
        await client.query('ROLLBACK');
      } finally {
        client.release();
      }
    });

    it("DELETE as workflow_app with workflow.history_purge = 'on' is still refused (42501)", async () => {
      await expect(
        onPool(pool, { tenant: a.tenantId }, async (c) => {
          await c.query(`SELECT set_config('workflow.history_purge', 'on', true)`);
          return c.query('DELETE FROM workflow_instance_history WHERE id = $1', [a.historyId]);
        }),
      ).rejects.toMatchObject(PERMISSION_DENIED);
    });

    it('TRUNCATE as the owner is refused as append-only', async () => {
      await expect(asOwner(ownerPool, (c) => c.query('TRUNCATE workflow_instance_history'))).rejects.toMatchObject({
        code: '42501',
        message: expect.stringContaining('append-only'),
      });
    });
  });

  describe('workflow_sweeper with app.system_read = \'on\' (scheduler sweeps, metrics)', () => {
    const sweeper = { role: 'workflow_sweeper', systemRead: true } as const;

    it('reads definitions, instances and nodes of every tenant', async () => {
      await onPool(pool, sweeper, async (c) => {
        for (const relation of ['workflow_definitions', 'workflow_instances', 'workflow_instance_nodes'] as const) {
          const seen = await visible(c, relation);
          expect({ relation, ...seen }).toEqual({
            relation,
            keys: sorted([...a.expected[relation], ...b.expected[relation]]),
            tenants: sorted([a.tenantId, b.tenantId]),
          });
        }
      });
    });

    it('needs both: the role without the setting sees nothing, the setting gives workflow_app nothing', async () => {
      await onPool(pool, { role: 'workflow_sweeper' }, async (c) => {
        expect((await visible(c, 'workflow_instances')).keys).toEqual([]);
      });
      await onPool(pool, { systemRead: true }, async (c) => {
        expect((await visible(c, 'workflow_instances')).keys).toEqual([]);
      });
      await onPool(pool, { tenant: a.tenantId, systemRead: true }, async (c) => {
        expect(await visible(c, 'workflow_instances')).toEqual({ keys: a.expected.workflow_instances, tenants: [a.tenantId] });
      });
    });

    it('cannot read history at all (no grant)', async () => {
      await expect(onPool(pool, sweeper, (c) => visible(c, 'workflow_instance_history'))).rejects.toMatchObject({
        code: '42501',
        message: 'permission denied for table workflow_instance_history',
      } satisfies PgFailure);
    });

    it('findStaleWork (the reconciliation sweep) sees ready executions of both tenants', async () => {
      const jobs = await findStaleWork(pool, new Date(), 0, 100);
      expect(jobs.map((j) => `${j.tenantId}/${j.executionId}`).sort()).toEqual(
        sorted([`${a.tenantId}/${a.readyExecutionId}`, `${b.tenantId}/${b.readyExecutionId}`]),
      );
    });

    it('cannot write: inserts and updates are refused (42501), with or without a tenant set', async () => {
      for (const settings of [sweeper, { ...sweeper, tenant: a.tenantId }]) {
        await expect(onPool(pool, settings, (c) => c.query(INSERT_DEFINITION, [randomUUID(), a.tenantId, 'smuggled']))).rejects.toMatchObject({
          code: '42501',
          message: 'permission denied for table workflow_definitions',
        } satisfies PgFailure);
        await expect(onPool(pool, settings, (c) => c.query(`UPDATE workflow_instances SET context_data = '{"hijacked": true}'`))).rejects.toMatchObject({
          code: '42501',
          message: 'permission denied for table workflow_instances',
        } satisfies PgFailure);
      }
    });

    it('workflow_app with app.system_read set still writes only its own tenant', async () => {
      await expect(
        onPool(pool, { tenant: a.tenantId, systemRead: true }, (c) => c.query(INSERT_DEFINITION, [randomUUID(), b.tenantId, 'smuggled'])),
      ).rejects.toMatchObject({
        code: '42501',
        message: 'new row violates row-level security policy for table "workflow_definitions"',
      } satisfies PgFailure);
      const mixed = await onPool(pool, { tenant: a.tenantId, systemRead: true }, (c) =>
        c.query<{ id: string }>(`UPDATE workflow_instances SET context_data = '{"touched": true}' WHERE id = ANY ($1) RETURNING id::text`, [
          [a.instanceId, b.instanceId],
        ]),
      ); // rolled back
      expect(mixed.rows).toEqual([{ id: a.instanceId }]);
    });
  });
});
