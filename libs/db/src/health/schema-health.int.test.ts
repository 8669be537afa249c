/**
 * The schema health checks on this file's own migrated database: all pass on a fresh one, and
 * each kind of damage (RLS not forced, an index dropped, a history trigger dropped) fails exactly
 * its own check, naming what is missing. Each damaging test repairs the database afterwards from
 * the catalog's own definition, so the tests do not depend on each other's order. The sample
 * workflow is written as workflow_app in a tenant transaction, as the engine writes it.
 */

import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
// The lib's public API, imported relatively because this file sits inside the db project.
import { checkSchemaHealth, type HealthCheck } from '../index';
import { MIGRATIONS } from '../migrations';

/** Every migration of this code, oldest first (each class is named as its log row). */
const MIGRATION_NAMES = MIGRATIONS.map((m) => m.name);
import { createTestDatabase, testPool, type TestDatabase } from '../testing';

const SAMPLE_NAME = 'Simple Purchase Approval';

/** Every check a healthy database passes, in report order (without the sample workflow). */
const SCHEMA_CHECKS = [
  'tables',
  'views',
  'rls:workflow_definitions',
  'rls:workflow_instances',
  'rls:workflow_instance_nodes',
  'rls:workflow_instance_history',
  'rls:workflow_deputies',
  'rls:workflow_email_actions',
  'rls:workflow_messages',
  'rls:workflow_calendars',
  'rls:workflow_saved_views',
  'indexes',
  'triggers',
  'extensions',
  'role:workflow_app',
  'role:workflow_sweeper',
  'migrations',
];

const failed = (checks: readonly HealthCheck[]) => checks.filter((c) => !c.ok);
const byName = (checks: readonly HealthCheck[], name: string): HealthCheck => {
  const found = checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check named ${name} in ${checks.map((c) => c.name).join(', ')}`);
  return found;
};

describe('checkSchemaHealth', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = testPool(db.url, 2);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** Run `damage`, then `check`, then `repair`, whatever `check` did. */
  async function whileDamaged(damage: string, repair: string, check: () => Promise<void>): Promise<void> {
    await pool.query(damage);
    try {
      await check();
    } finally {
      await pool.query(repair);
    }
  }

  it('passes every check on a freshly migrated database', async () => {
    const checks = await checkSchemaHealth(pool, {});

    expect(checks.map((c) => c.name)).toEqual(SCHEMA_CHECKS);
    expect(failed(checks)).toEqual([]);
    expect(byName(checks, 'tables').detail).toBe(
      'all 9 present: workflow_definitions, workflow_instances, workflow_instance_nodes, workflow_instance_history, workflow_deputies, workflow_email_actions, workflow_messages, workflow_calendars, workflow_saved_views',
    );
    expect(byName(checks, 'views').detail).toBe(
      'all 2 present with security_invoker=true: v_user_task_queue, v_workflow_analytics',
    );
    expect(byName(checks, 'rls:workflow_instance_history').detail).toBe('workflow_instance_history: enabled and forced, 5 policies');
    expect(byName(checks, 'rls:workflow_saved_views').detail).toBe('workflow_saved_views: enabled and forced, 1 policy');
    expect(byName(checks, 'indexes').detail).toBe(`all ${26 + 4 + 2 + 9 + 2} expected indexes present and valid`);
    expect(byName(checks, 'migrations').detail).toBe(`up to date: ${MIGRATION_NAMES.length} applied, latest ${MIGRATION_NAMES.at(-1)}`);
  });

  it('fails rls:workflow_instance_nodes, naming the table, when RLS is not forced; the rest still pass', async () => {
    await whileDamaged(
      'ALTER TABLE workflow_instance_nodes NO FORCE ROW LEVEL SECURITY',
      'ALTER TABLE workflow_instance_nodes FORCE ROW LEVEL SECURITY',
      async () => {
        const checks = await checkSchemaHealth(pool, {});
        expect(failed(checks)).toEqual([
          {
            name: 'rls:workflow_instance_nodes',
            ok: false,
            detail: 'workflow_instance_nodes: row-level security not forced (the table owner bypasses it)',
          },
        ]);
      },
    );
    expect(failed(await checkSchemaHealth(pool, {}))).toEqual([]);
  });

  it('fails rls:workflow_saved_views when its RLS is not forced, and the index check when its unique name key is gone', async () => {
    await whileDamaged(
      'ALTER TABLE workflow_saved_views NO FORCE ROW LEVEL SECURITY',
      'ALTER TABLE workflow_saved_views FORCE ROW LEVEL SECURITY',
      async () => {
        expect(failed(await checkSchemaHealth(pool, {}))).toEqual([
          { name: 'rls:workflow_saved_views', ok: false, detail: 'workflow_saved_views: row-level security not forced (the table owner bypasses it)' },
        ]);
      },
    );
    await whileDamaged(
      'ALTER TABLE workflow_saved_views DROP CONSTRAINT uq_workflow_saved_views_name',
      'ALTER TABLE workflow_saved_views ADD CONSTRAINT uq_workflow_saved_views_name UNIQUE (tenant_id, user_id, page, name)',
      async () => {
        expect(failed(await checkSchemaHealth(pool, {}))).toEqual([{ name: 'indexes', ok: false, detail: 'missing: uq_workflow_saved_views_name' }]);
      },
    );
    expect(failed(await checkSchemaHealth(pool, {}))).toEqual([]);
  });

  it('fails rls:<table> when RLS is disabled outright', async () => {
    await whileDamaged(
      'ALTER TABLE workflow_definitions DISABLE ROW LEVEL SECURITY',
      'ALTER TABLE workflow_definitions ENABLE ROW LEVEL SECURITY',
      async () => {
        const checks = await checkSchemaHealth(pool, {});
        expect(failed(checks).map((c) => c.name)).toEqual(['rls:workflow_definitions']);
        expect(byName(checks, 'rls:workflow_definitions').detail).toBe('workflow_definitions: row-level security not enabled');
      },
    );
  });

  it.each([
    // named in the deployment guide
    'idx_workflow_instances_sla',
    // created by the migration, not named in the guide
    'idx_workflow_instance_nodes_child_wait',
  ])('fails the index check naming %s when it is dropped', async (index) => {
    const def = await pool.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [index]);
    const recreate = def.rows[0]?.indexdef;
    expect(recreate).toBeDefined();

    await whileDamaged(`DROP INDEX ${index}`, recreate ?? '', async () => {
      const checks = await checkSchemaHealth(pool, {});
      expect(failed(checks)).toEqual([{ name: 'indexes', ok: false, detail: `missing: ${index}` }]);
    });
    expect(failed(await checkSchemaHealth(pool, {}))).toEqual([]);
  });

  it('fails the trigger check when the history append-only trigger is dropped', async () => {
    const def = await pool.query<{ def: string }>(
      `SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger WHERE tgname = 'trg_workflow_instance_history_append_only'`,
    );
    const recreate = def.rows[0]?.def;
    expect(recreate).toBeDefined();

    await whileDamaged(
      'DROP TRIGGER trg_workflow_instance_history_append_only ON workflow_instance_history',
      recreate ?? '',
      async () => {
        const checks = await checkSchemaHealth(pool, {});
        expect(failed(checks)).toEqual([
          { name: 'triggers', ok: false, detail: 'missing: trg_workflow_instance_history_append_only on workflow_instance_history' },
        ]);
      },
    );
    expect(failed(await checkSchemaHealth(pool, {}))).toEqual([]);
  });

  it('fails the trigger check when a trigger is present but disabled', async () => {
    await whileDamaged(
      'ALTER TABLE workflow_instance_history DISABLE TRIGGER trg_workflow_instance_history_no_truncate',
      'ALTER TABLE workflow_instance_history ENABLE TRIGGER trg_workflow_instance_history_no_truncate',
      async () => {
        const checks = await checkSchemaHealth(pool, {});
        expect(failed(checks)).toEqual([
          { name: 'triggers', ok: false, detail: 'disabled: trg_workflow_instance_history_no_truncate on workflow_instance_history' },
        ]);
      },
    );
  });

  it('fails the migrations check naming the migration the log lacks', async () => {
    await whileDamaged(
      `UPDATE workflow_migrations SET name = 'Renamed_' || name`,
      `UPDATE workflow_migrations SET name = substr(name, 9) WHERE name LIKE 'Renamed\\_%'`,
      async () => {
        const check = byName(await checkSchemaHealth(pool, {}), 'migrations');
        expect(check).toEqual({
          name: 'migrations',
          ok: false,
          detail:
            `pending: ${MIGRATION_NAMES.join(', ')} (run npm run migrate); ` +
            'applied but unknown to this code (the database is newer than the code): ' +
            MIGRATION_NAMES.map((n) => `Renamed_${n}`).join(', '),
        });
      },
    );
  });

  describe('the sample workflow', () => {
    const tenantId = randomUUID();
    const otherTenantId = randomUUID();

    /** Insert a definition as the engine does: workflow_app, in the tenant's own transaction. */
    async function insertDefinition(tenant: string, opts: { version: number; isActive: boolean }): Promise<void> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT set_config('role', 'workflow_app', true), set_config('app.current_tenant', $1, true)`, [tenant]);
        await client.query(
          `INSERT INTO workflow_definitions (tenant_id, name, version, is_active, nodes, routes, start_node_id, created_by)
           VALUES ($1, $2, $3, $4, '[]'::jsonb, '[]'::jsonb, 'manager_approval', 'health-test')`,
          [tenant, SAMPLE_NAME, opts.version, opts.isActive],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
    }

    const sampleCheck = async (): Promise<HealthCheck> =>
      byName(await checkSchemaHealth(pool, { sampleWorkflow: { tenantId, name: SAMPLE_NAME } }), 'sample-workflow');

    it('fails while the tenant has no such definition, even when another tenant has one', async () => {
      await insertDefinition(otherTenantId, { version: 1, isActive: true });

      await expect(sampleCheck()).resolves.toEqual({
        name: 'sample-workflow',
        ok: false,
        detail: `tenant ${tenantId} has no definition named "${SAMPLE_NAME}"`,
      });
    });

    it('fails while the only version is inactive', async () => {
      await insertDefinition(tenantId, { version: 1, isActive: false });

      await expect(sampleCheck()).resolves.toEqual({
        name: 'sample-workflow',
        ok: false,
        detail: `tenant ${tenantId} has only inactive versions (1) named "${SAMPLE_NAME}"`,
      });
    });

    it('passes once an active version is inserted', async () => {
      await insertDefinition(tenantId, { version: 2, isActive: true });

      await expect(sampleCheck()).resolves.toEqual({
        name: 'sample-workflow',
        ok: true,
        detail: `tenant ${tenantId} has "${SAMPLE_NAME}" active (version 2)`,
      });
    });

    it('is not run when sampleWorkflow is null', async () => {
      const checks = await checkSchemaHealth(pool, { sampleWorkflow: null });
      expect(checks.map((c) => c.name)).toEqual(SCHEMA_CHECKS);
    });
  });
});
