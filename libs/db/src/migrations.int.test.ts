/**
 * The deploy and rollback steps against real Postgres: revert and re-apply every migration on this file's own
 * database, concurrent start-ups on an empty database (the advisory lock), an unreachable server,
 * creating a missing database, and the CLI's exit code.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
// The lib's public API, imported relatively because this file sits inside the db project.
import { DatabaseUnreachableError, ensureDatabase, migrateDown, migrateUp, pendingMigrations } from './index';
import { createTestDatabase, type TestDatabase } from './testing';
import { TEST_PG_ADMIN_URL, databaseUrl, testDbPrefix, testRunId } from './testing';

const MIGRATION_0001 = 'WorkflowSchema1764000000001';
const MIGRATION_0002 = 'RlsRoles1764000000002';
const MIGRATION_0003 = 'IdFirstForeignKeys1764000000003';
const MIGRATION_0004 = 'LeastPrivilegeLogins1764000000004';
const MIGRATION_0005 = 'EngineBounds1764000000005';
const MIGRATION_0006 = 'ContextSchema1764000000006';
const MIGRATION_0007 = 'TaskQueueNotify1764000000007';
const MIGRATION_0008 = 'QueueLogin1764000000008';
const MIGRATION_0009 = 'Approvals1764000000009';
const MIGRATION_0010 = 'EmailActions1764000000010';
const MIGRATION_0011 = 'Waits1764000000011';
const MIGRATION_0012 = 'SavedViews1764000000012';
const ALL_MIGRATIONS = [
  MIGRATION_0001, MIGRATION_0002, MIGRATION_0003, MIGRATION_0004, MIGRATION_0005, MIGRATION_0006, MIGRATION_0007, MIGRATION_0008, MIGRATION_0009, MIGRATION_0010,
  MIGRATION_0011, MIGRATION_0012,
];
const ROOT = join(__dirname, '../../..');
const TABLES = ['workflow_definitions', 'workflow_instance_history', 'workflow_instance_nodes', 'workflow_instances'];
const VIEWS = ['v_user_task_queue', 'v_workflow_analytics'];
const FUNCTIONS = ['update_workflow_updated_at', 'workflow_definitions_notify', 'workflow_history_append_only', 'workflow_purge_instance_history', 'workflow_task_queue_notify'];
const UNREACHABLE_URL = 'postgres://postgres@127.0.0.1:1/x';

interface SchemaState {
  tables: string[];
  views: string[];
  functions: string[];
  appliedMigrations: string[];
  roleExists: boolean;
  /** policy names on the three tables with tenant and sweep policies */
  policies: string[];
  /** the columns the history foreign key references, in order */
  historyKey: string[];
  /** the columns of the idempotency key, in order */
  idempotencyKey: string[];
  /** workflow_definitions has context_schema */
  contextSchemaColumn: boolean;
  /** 0009: workflow_deputies, and the approvals columns of executions (votes) */
  approvals: boolean;
  /** 0011: workflow_messages, workflow_calendars and the wake_at column */
  waits: boolean;
  /** 0012: workflow_saved_views, its RLS forced */
  savedViews: boolean;
}

/** What 0001 creates, as seen in the database at `url` (a fresh connection each time). */
async function schemaState(url: string): Promise<SchemaState> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const rel = await c.query<{ relname: string; relkind: string }>(
      `SELECT relname, relkind FROM pg_class
       WHERE relnamespace = 'public'::regnamespace AND relname = ANY ($1) ORDER BY relname`,
      [[...TABLES, ...VIEWS]],
    );
    const fn = await c.query<{ proname: string }>(
      `SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proname = ANY ($1) ORDER BY proname`,
      [FUNCTIONS],
    );
    const hasLog = await c.query(`SELECT to_regclass('public.workflow_migrations') IS NOT NULL AS present`);
    const applied = hasLog.rows[0]?.present
      ? (await c.query<{ name: string }>('SELECT name FROM workflow_migrations ORDER BY id')).rows.map((r) => r.name)
      : [];
    const role = await c.query(`SELECT 1 FROM pg_roles WHERE rolname = 'workflow_app'`);
    const key = await c.query<{ cols: string[] }>(
      `SELECT array_agg(a.attname ORDER BY k.n)::text[] AS cols
       FROM pg_constraint con CROSS JOIN LATERAL unnest(con.confkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
       WHERE con.conname = 'fk_workflow_instance_history_instance'`,
    );
    const idem = await c.query<{ cols: string[] }>(
      `SELECT array_agg(a.attname ORDER BY k.n)::text[] AS cols
       FROM pg_constraint con CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
       WHERE con.conname = 'uq_workflow_instances_idempotency'`,
    );
    const contextSchema = await c.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'workflow_definitions' AND column_name = 'context_schema'`,
    );
    const approvals = await c.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'workflow_instance_nodes' AND column_name = 'votes'
       AND to_regclass('public.workflow_deputies') IS NOT NULL`,
    );
    const waits = await c.query(
      `SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'workflow_instance_nodes' AND column_name = 'wake_at'
       AND to_regclass('public.workflow_messages') IS NOT NULL AND to_regclass('public.workflow_calendars') IS NOT NULL`,
    );
    const savedViews = await c.query(
      `SELECT 1 FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname = 'workflow_saved_views' AND relrowsecurity AND relforcerowsecurity`,
    );
    const policies = await c.query<{ policyname: string }>(
      `SELECT policyname FROM pg_policies WHERE tablename = 'workflow_definitions' ORDER BY policyname`,
    );
    return {
      tables: rel.rows.filter((r) => r.relkind === 'r').map((r) => r.relname),
      views: rel.rows.filter((r) => r.relkind === 'v').map((r) => r.relname),
      functions: fn.rows.map((r) => r.proname),
      appliedMigrations: applied,
      roleExists: role.rowCount === 1,
      policies: policies.rows.map((r) => r.policyname),
      historyKey: key.rows[0]?.cols ?? [],
      idempotencyKey: idem.rows[0]?.cols ?? [],
      contextSchemaColumn: contextSchema.rowCount === 1,
      approvals: approvals.rowCount === 1,
      waits: waits.rowCount === 1,
      savedViews: savedViews.rowCount === 1,
    };
  } finally {
    await c.end();
  }
}

const MIGRATED: SchemaState = {
  tables: TABLES,
  views: VIEWS,
  functions: FUNCTIONS,
  appliedMigrations: ALL_MIGRATIONS,
  roleExists: true,
  // 0002: one tenant policy for workflow_app, the sweeper's read policy
  policies: ['workflow_definitions_sweeper_read', 'workflow_definitions_tenant'],
  // 0003: keys lead with the id
  historyKey: ['id', 'tenant_id'],
  // 0005: idempotency keys are the caller's
  idempotencyKey: ['tenant_id', 'started_by', 'idempotency_key'],
  // 0006: definitions keep their contextSchema
  contextSchemaColumn: true,
  approvals: true,
  waits: true,
  savedViews: true,
};
const AT_0011: SchemaState = { ...MIGRATED, appliedMigrations: ALL_MIGRATIONS.slice(0, 11), savedViews: false };
const AT_0010: SchemaState = { ...AT_0011, appliedMigrations: ALL_MIGRATIONS.slice(0, 10), waits: false };
const AT_0009: SchemaState = { ...AT_0010, appliedMigrations: ALL_MIGRATIONS.slice(0, 9) };
const AT_0008: SchemaState = { ...AT_0009, appliedMigrations: ALL_MIGRATIONS.slice(0, 8), approvals: false };
const AT_0007: SchemaState = { ...AT_0008, appliedMigrations: ALL_MIGRATIONS.slice(0, 7) };
const AT_0006: SchemaState = {
  ...AT_0007,
  appliedMigrations: ALL_MIGRATIONS.slice(0, 6),
  functions: ['update_workflow_updated_at', 'workflow_definitions_notify', 'workflow_history_append_only', 'workflow_purge_instance_history'],
};
const AT_0005: SchemaState = {
  ...AT_0006,
  appliedMigrations: [MIGRATION_0001, MIGRATION_0002, MIGRATION_0003, MIGRATION_0004, MIGRATION_0005],
  contextSchemaColumn: false,
};
const AT_0004: SchemaState = {
  ...AT_0005,
  appliedMigrations: [MIGRATION_0001, MIGRATION_0002, MIGRATION_0003, MIGRATION_0004],
  functions: ['update_workflow_updated_at', 'workflow_history_append_only', 'workflow_purge_instance_history'],
  idempotencyKey: ['tenant_id', 'idempotency_key'],
};
const AT_0003: SchemaState = {
  ...AT_0004,
  appliedMigrations: [MIGRATION_0001, MIGRATION_0002, MIGRATION_0003],
  functions: ['update_workflow_updated_at', 'workflow_history_append_only'],
};
const AT_0002: SchemaState = { ...AT_0003, appliedMigrations: [MIGRATION_0001, MIGRATION_0002], historyKey: ['tenant_id', 'id'] };
const AT_0001: SchemaState = {
  ...AT_0002,
  appliedMigrations: [MIGRATION_0001],
  policies: ['workflow_definitions_system_read', 'workflow_definitions_tenant_read', 'workflow_definitions_tenant_write'],
};
const REVERTED: SchemaState = { tables: [], views: [], functions: [], appliedMigrations: [], roleExists: true, policies: [], historyKey: [], idempotencyKey: [], contextSchemaColumn: false, approvals: false, waits: false, savedViews: false };

async function adminRows<R extends object>(sql: string): Promise<R[]> {
  const c = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function adminQuery(sql: string): Promise<void> {
  const c = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A database name the global teardown also sweeps, should this file die before afterAll. */
const scratchName = () => `${testDbPrefix(testRunId())}${randomBytes(6).toString('hex')}`;

describe('migrations', () => {
  let db: TestDatabase;
  /** databases this file creates besides `db`, dropped in afterAll */
  const scratch: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    for (const name of scratch) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await db?.drop();
  });

  describe('revert and re-apply on a migrated database', () => {
    it('starts from the migrated template', async () => {
      expect(await schemaState(db.url)).toEqual(MIGRATED);
    });

    it('migrateDown reverts 0012: the saved views go', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0012);
      expect(await schemaState(db.url)).toEqual(AT_0011);
    });

    it('migrateDown reverts 0011: messages, calendars and the wait columns go', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0011);
      expect(await schemaState(db.url)).toEqual(AT_0010);
    });

    it('migrateDown reverts 0010: the used email-action links go', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0010);
      expect(await schemaState(db.url)).toEqual(AT_0009);
    });

    it('migrateDown reverts 0009: deputies and the approvals columns go', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0009);
      expect(await schemaState(db.url)).toEqual(AT_0008);
    });

    it('migrateDown reverts 0008: the queue login stays (roles are cluster-wide)', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0008);
      expect(await schemaState(db.url)).toEqual(AT_0007);
      expect(await adminRows(`SELECT 1 FROM pg_roles WHERE rolname = 'workflow_queue'`)).toHaveLength(1);
    });

    it('migrateDown reverts 0007: the task-queue notify trigger goes', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0007);
      expect(await schemaState(db.url)).toEqual(AT_0006);
    });

    it('migrateDown reverts 0006: the contextSchema column goes', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0006);
      expect(await schemaState(db.url)).toEqual(AT_0005);
    });

    it('migrateDown reverts 0005: the notify trigger goes, idempotency keys are tenant-wide again', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0005);
      expect(await schemaState(db.url)).toEqual(AT_0004);
    });

    it('migrateDown reverts 0004: the purge function goes, the login roles stay', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0004);
      expect(await schemaState(db.url)).toEqual(AT_0003);
      const roles = await adminRows<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname IN ('workflow_runtime', 'workflow_query') ORDER BY 1`);
      expect(roles.map((r) => r.rolname)).toEqual(['workflow_query', 'workflow_runtime']);
    });

    it('migrateDown reverts 0003: the foreign keys reference (tenant_id, id) again', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0003);
      expect(await schemaState(db.url)).toEqual(AT_0002);
    });

    it('migrateDown reverts 0002: the policies of 0001 are back', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0002);
      expect(await schemaState(db.url)).toEqual(AT_0001);
    });

    it('migrateDown reverts 0001: tables, views and functions are gone, the workflow_app role stays', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBe(MIGRATION_0001);
      expect(await schemaState(db.url)).toEqual(REVERTED);
    });

    it('migrateDown with nothing applied returns null and changes nothing', async () => {
      await expect(migrateDown({ url: db.url })).resolves.toBeNull();
      expect(await schemaState(db.url)).toEqual(REVERTED);
    });

    it('pendingMigrations lists every migration while they are reverted', async () => {
      await expect(pendingMigrations({ url: db.url })).resolves.toEqual(ALL_MIGRATIONS);
    });

    it('migrateUp re-applies them all, with RLS forced again', async () => {
      await expect(migrateUp({ url: db.url })).resolves.toEqual(ALL_MIGRATIONS);
      expect(await schemaState(db.url)).toEqual(MIGRATED);

      const c = new Client({ connectionString: db.url });
      await c.connect();
      try {
        const r = await c.query(
          `SELECT count(*)::int AS n FROM pg_class
           WHERE relnamespace = 'public'::regnamespace AND relname = ANY ($1) AND relrowsecurity AND relforcerowsecurity`,
          [TABLES],
        );
        expect(r.rows).toEqual([{ n: TABLES.length }]);
      } finally {
        await c.end();
      }
    });

    it('migrateUp a second time applies nothing', async () => {
      await expect(migrateUp({ url: db.url })).resolves.toEqual([]);
      expect(await schemaState(db.url)).toEqual(MIGRATED);
    });

    it('pendingMigrations is empty after up', async () => {
      await expect(pendingMigrations({ url: db.url })).resolves.toEqual([]);
    });
  });

  describe('on an empty database', () => {
    it('two concurrent migrateUp calls both succeed and apply the schema once (advisory lock)', async () => {
      const name = scratchName();
      scratch.push(name);
      await adminQuery(`CREATE DATABASE ${name}`);
      const url = databaseUrl(name);
      expect((await schemaState(url)).tables).toEqual([]);

      const results = await Promise.all([migrateUp({ url }), migrateUp({ url })]);

      // One caller applied them while the other waited on the lock, then found nothing to do.
      expect(results.map((r) => r.join(',')).sort()).toEqual(['', ALL_MIGRATIONS.join(',')]);
      expect(await schemaState(url)).toEqual(MIGRATED);
    });

    it('ensureDatabase creates a missing database, then returns false', async () => {
      const name = scratchName();
      scratch.push(name);
      const url = databaseUrl(name);

      await expect(ensureDatabase(url)).resolves.toBe(true);
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        const r = await c.query<{ db: string }>('SELECT current_database() AS db');
        expect(r.rows).toEqual([{ db: name }]);
      } finally {
        await c.end();
      }
      await expect(ensureDatabase(url)).resolves.toBe(false);
      // created empty: nothing applied yet
      await expect(pendingMigrations({ url })).resolves.toEqual(ALL_MIGRATIONS);
    });
  });

  describe('an unreachable server', () => {
    it('migrateUp rejects with DatabaseUnreachableError naming host:port', async () => {
      const err = await migrateUp({ url: UNREACHABLE_URL }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DatabaseUnreachableError);
      expect(err).toMatchObject({ name: 'DatabaseUnreachableError' });
      expect((err as Error).message).toContain('Cannot reach Postgres at 127.0.0.1:1/x');
      expect((err as Error).message).toContain('ECONNREFUSED');
    });

    it('ensureDatabase rejects with DatabaseUnreachableError naming host:port', async () => {
      const attempt = ensureDatabase(UNREACHABLE_URL);
      await expect(attempt).rejects.toBeInstanceOf(DatabaseUnreachableError);
      await expect(attempt).rejects.toMatchObject({ message: expect.stringContaining('Cannot reach Postgres at 127.0.0.1:1/x') });
    });

    it('the migrate CLI exits 1 with "refused" on stderr', async () => {
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          'npx',
          ['tsx', 'libs/db/src/cli/migrate-cli.ts', 'up'],
          { cwd: ROOT, env: { ...process.env, DATABASE_URL: UNREACHABLE_URL }, timeout: 20_000 },
          (error, _stdout, stderrText) => {
            const exit = error ? (typeof error.code === 'number' ? error.code : null) : 0;
            resolve({ code: exit, stderr: String(stderrText) });
          },
        );
      });
      expect(code).toBe(1);
      expect(stderr).toContain('migrate refused: Cannot reach Postgres at 127.0.0.1:1/x');
      expect(stderr).toContain('refused');
    }, 30_000);
  });
});
