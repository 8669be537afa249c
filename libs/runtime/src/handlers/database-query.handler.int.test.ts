/**
 * database_query against a fresh migrated database: tenant-scoped as workflow_app (RLS), params
 * bound (never spliced), one statement only, statement timeout, and the error split.
 */

import { Pool } from 'pg';
import { PgStore } from '@wf/db';
import { createTestDatabase, testPool, type TestDatabase } from '@wf/db/testing';
import { EngineError, type JsonObject, type ServiceCallContext } from '@wf/engine';
import { createDatabaseQueryHandler } from './database-query.handler';

const TENANT_A = '0a000000-0000-4000-8000-00000000000a';
const TENANT_B = '0b000000-0000-4000-8000-00000000000b';

let db: TestDatabase;
let pool: Pool;
let owner: Pool;
let store: PgStore;

function call(tenantId: string, config: JsonObject, context: JsonObject = {}): ServiceCallContext {
  const instance = { id: '5e1f3c2a-1b4d-4e6f-8a9b-0c1d2e3f4a5b' };
  return {
    tenantId,
    instanceId: instance.id,
    executionId: '6f2a4d3b-2c5e-4f70-9b0c-1d2e3f4a5b6c',
    nodeId: 'lookup',
    config,
    context,
    scope: { context, instance },
    attempt: 1,
    signal: new AbortController().signal,
  };
}

async function failure(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the query to fail');
}

async function seedDefinition(tenantId: string, name: string): Promise<void> {
  await store.inTenant(tenantId, (tx) =>
    tx.query(
      `INSERT INTO workflow_definitions (tenant_id, name, version, nodes, routes, start_node_id, created_by)
       VALUES ($1, $2, 1, '[]', '[]', 'start', 'test')`,
      [tenantId, name],
    ),
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url, 2);
  owner = testPool(db.url, 1);
  store = new PgStore(pool, { urgentThresholdHours: 4 });
  await seedDefinition(TENANT_A, 'a-one');
  await seedDefinition(TENANT_A, 'a-two');
  await seedDefinition(TENANT_B, 'b-one');
});

afterAll(async () => {
  await pool?.end();
  await owner?.end();
  await db?.drop();
});

describe('database_query', () => {
  const handler = () => createDatabaseQueryHandler({ store, statementTimeoutMs: 5000 });

  it('runs a tenant-scoped query and stores the rows under resultVariable', async () => {
    const result = await handler().execute(
      call(TENANT_A, { sql: 'SELECT count(*)::int AS n FROM workflow_definitions', resultVariable: 'defs' }),
    );
    expect(result.contextUpdates).toEqual({ defs: [{ n: 2 }] });
    expect(result.output).toEqual({ rowCount: 1 });
  });

  it('runs as workflow_app with the tenant set', async () => {
    const result = await handler().execute(
      call(TENANT_A, {
        sql: `SELECT current_user::text AS role, current_setting('app.current_tenant') AS tenant`,
        resultVariable: 'who',
      }),
    );
    expect(result.contextUpdates).toEqual({ who: [{ role: 'workflow_app', tenant: TENANT_A }] });
  });

  it('sees none of another tenant\u2019s rows, even when asking for them by id', async () => {
    const result = await handler().execute(
      call(TENANT_B, { sql: 'SELECT name FROM workflow_definitions WHERE tenant_id = $1::uuid', params: ['context.victim'], resultVariable: 'rows' }, { victim: TENANT_A }),
    );
    expect(result.contextUpdates).toEqual({ rows: [] });

    const update = await handler().execute(
      call(TENANT_B, { sql: `UPDATE workflow_definitions SET description = 'pwned' WHERE tenant_id = $1::uuid`, params: ['context.victim'] }, { victim: TENANT_A }),
    );
    expect(update.output).toEqual({ rowCount: 0 });
    const { rows } = await owner.query(`SELECT count(*)::int AS n FROM workflow_definitions WHERE description = 'pwned'`);
    expect(rows[0]).toEqual({ n: 0 });
  });

  describe('parameters are data, never SQL', () => {
    const hostile = ["x'); DROP TABLE workflow_definitions; --", `O'Brien "quoted" \\ $1 $$ ;`, 'Robert\'); DELETE FROM workflow_definitions;--'];

    it.each(hostile)('returns %j unchanged and leaves the tables alone', async (value) => {
      const result = await handler().execute(
        call(TENANT_A, { sql: 'SELECT $1::text AS v, $2::int AS n', params: ['context.evil', 'context.n + 1'], resultVariable: 'r' }, { evil: value, n: 41 }),
      );
      expect(result.contextUpdates).toEqual({ r: [{ v: value, n: 42 }] });
      const { rows } = await owner.query(`SELECT to_regclass('public.workflow_definitions') IS NOT NULL AS present, count(*)::int AS n FROM workflow_definitions`);
      expect(rows[0]).toEqual({ present: true, n: 3 });
    });

    it('stores a hostile value as a row and reads it back', async () => {
      const evil = "x'); DROP TABLE workflow_definitions; --";
      const inserted = await handler().execute(
        call(
          TENANT_A,
          {
            sql: `INSERT INTO workflow_definitions (tenant_id, name, version, nodes, routes, start_node_id, created_by)
                  VALUES (current_setting('app.current_tenant')::uuid, $1, 1, $2::jsonb, '[]', 'start', 'test') RETURNING name, nodes, created_at`,
            params: ['context.evil', 'context.nodes'],
            resultVariable: 'created',
          },
          { evil, nodes: [{ id: 'n1', note: "it's" }] },
        ),
      );
      const created = (inserted.contextUpdates?.['created'] as JsonObject[])[0];
      expect(created?.['name']).toBe(evil);
      expect(created?.['nodes']).toEqual([{ id: 'n1', note: "it's" }]);
      expect(created?.['created_at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const { rows } = await owner.query(`SELECT tenant_id FROM workflow_definitions WHERE name = $1`, [evil]);
      expect(rows).toEqual([{ tenant_id: TENANT_A }]);
      await owner.query(`DELETE FROM workflow_definitions WHERE name = $1`, [evil]);
    });
  });

  it('returns dates as ISO strings and big integers as strings', async () => {
    const result = await handler().execute(
      call(TENANT_A, { sql: `SELECT '2026-01-02T03:04:05Z'::timestamptz AS at, 9007199254740993::bigint AS big`, resultVariable: 'r' }),
    );
    expect(result.contextUpdates).toEqual({ r: [{ at: '2026-01-02T03:04:05.000Z', big: '9007199254740993' }] });
  });

  describe('one statement only', () => {
    it.each([
      'SELECT 1; DROP TABLE workflow_definitions',
      'SELECT 1;SELECT 2',
      "SELECT ';' AS s; DELETE FROM workflow_definitions",
    ])('refuses %j with QUERY_INVALID', async (sql) => {
      const err = await failure(handler().execute(call(TENANT_A, { sql })));
      expect(err.code).toBe('QUERY_INVALID');
      expect(err.retryable).toBe(false);
      const { rows } = await owner.query(`SELECT to_regclass('public.workflow_definitions') IS NOT NULL AS present`);
      expect(rows[0]).toEqual({ present: true });
    });

    it('accepts a semicolon inside a literal or comment, and a trailing one', async () => {
      const result = await handler().execute(
        call(TENANT_A, { sql: "SELECT ';' AS s, $$a;b$$ AS d /* ; */ ; -- done;", resultVariable: 'r' }),
      );
      expect(result.contextUpdates).toEqual({ r: [{ s: ';', d: 'a;b' }] });
    });
  });

  describe('what could reach around RLS', () => {
    it.each([
      [`SELECT set_config('app.current_tenant', '${TENANT_A}', true)`, 'set_config'],
      [`SELECT pg_catalog.set_config('app.system_read', 'on', false)`, 'set_config'],
      [`UPDATE pg_settings SET setting = 'on' WHERE name = 'app.system_read'`, 'pg_settings'],
      [`SELECT query_to_xml('select 1', true, true, '')`, 'query_to_xml'],
      ['SET ROLE postgres', 'SET statements'],
      ['RESET ROLE', 'RESET statements'],
      ['COMMIT', 'COMMIT statements'],
      ['DROP TABLE workflow_definitions', 'DROP statements'],
    ])('refuses %j', async (sql, why) => {
      const err = await failure(handler().execute(call(TENANT_A, { sql })));
      expect(err.code).toBe('QUERY_INVALID');
      expect(err.message).toContain(why);
    });

    it('rolls back a statement that changed the tenant through a function the screen cannot see into', async () => {
      // the name screen cannot know every function in the database; the settings check after the statement can
      await owner.query(
        `CREATE FUNCTION switch_tenant(t text) RETURNS text LANGUAGE sql AS $$ SELECT set_config('app.current_tenant', t, true) $$`,
      );
      try {
        const err = await failure(
          handler().execute(
            call(TENANT_B, { sql: 'SELECT switch_tenant($1), (SELECT count(*)::int FROM workflow_definitions) AS n', params: ['context.victim'], resultVariable: 'r' }, { victim: TENANT_A }),
          ),
        );
        expect(err.code).toBe('QUERY_REFUSED');
        expect(err.retryable).toBe(false);
      } finally {
        await owner.query('DROP FUNCTION switch_tenant(text)');
      }
    });
  });

  describe('errors', () => {
    it.each([
      ['SELECT 1 +', '42601'],
      ['SELECT * FROM no_such_table', '42P01'],
      ['SELECT 1 / 0', '22012'],
    ])('fails %j for good, naming the SQLSTATE %s', async (sql, sqlstate) => {
      const err = await failure(handler().execute(call(TENANT_A, { sql })));
      expect(err.code).toBe('QUERY_FAILED');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain(sqlstate);
    });

    it('fails for good on a privilege the app role lacks (42501)', async () => {
      const err = await failure(handler().execute(call(TENANT_A, { sql: 'DELETE FROM workflow_definitions' })));
      expect(err.code).toBe('QUERY_FAILED');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('42501');
    });

    it('fails for good on a constraint violation (23xxx)', async () => {
      const err = await failure(
        handler().execute(
          call(TENANT_A, {
            sql: `INSERT INTO workflow_definitions (tenant_id, name, version, nodes, routes, start_node_id, created_by)
                  VALUES (current_setting('app.current_tenant')::uuid, 'a-one', 1, '[]', '[]', 'start', 'test')`,
          }),
        ),
      );
      expect(err.code).toBe('QUERY_FAILED');
      expect(err.message).toContain('23505');
    });

    it('retries a statement that runs past the timeout', async () => {
      const started = Date.now();
      const err = await failure(createDatabaseQueryHandler({ store, statementTimeoutMs: 200 }).execute(call(TENANT_A, { sql: 'SELECT pg_sleep(2)' })));
      expect(err.code).toBe('QUERY_TIMEOUT');
      expect(err.retryable).toBe(true);
      expect(err.message).toContain('57014');
      expect(Date.now() - started).toBeLessThan(1500);
    });

    it('fails a param expression that cannot be evaluated before touching the database', async () => {
      const err = await failure(handler().execute(call(TENANT_A, { sql: 'SELECT $1::text', params: ['context.missing.deeper'] })));
      expect(err.code).toBe('EXPRESSION_FAILED');
    });
  });
});
