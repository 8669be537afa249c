/**
 * database_query against a fresh migrated database, as the engine runs it: logged in as
 * workflow_query, which may touch only the business table the "operator" granted it here
 * (`orders`, with RLS on `app.current_tenant`). The attacks found on the old design (a carriage
 * return hiding statements from a text screener, a temp table shadowing an engine table on a
 * pooled connection, rewriting the engine's own tables) are each shown to reach nothing.
 */

import { Pool } from 'pg';
import { runTenantStatement } from '@wf/db';
import { createTestDatabase, testPool, urlAs, type TestDatabase } from '@wf/db/testing';
import { EngineError, type JsonObject, type ServiceCallContext } from '@wf/engine';
import { createDatabaseQueryHandler, loadSqlParser } from '@wf/handlers';
import { tenantSqlOf } from './built-in-handlers';

const TENANT_A = '0a000000-0000-4000-8000-00000000000a';
const TENANT_B = '0b000000-0000-4000-8000-00000000000b';

let db: TestDatabase;
let owner: Pool;
let query: Pool;

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

// over the port the composition root builds on the query login's pool
const handler = (opts: { statementTimeoutMs?: number; maxRows?: number } = {}) =>
  createDatabaseQueryHandler({ sql: tenantSqlOf(query), statementTimeoutMs: opts.statementTimeoutMs ?? 5000, maxRows: opts.maxRows ?? 1000 });

async function engineRowCount(): Promise<number> {
  const { rows } = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM workflow_definitions`);
  return rows[0]!.n;
}

beforeAll(async () => {
  await loadSqlParser();
  db = await createTestDatabase();
  owner = testPool(db.url, 2);
  // one connection, so every test after an attack runs on the connection the attack used
  query = testPool(urlAs(db.url, 'workflow_query'), 1);
  await owner.query(`
    CREATE TABLE orders (id serial PRIMARY KEY, tenant_id uuid NOT NULL, ref text NOT NULL, total numeric NOT NULL);
    ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
    CREATE POLICY orders_tenant ON orders USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), '')::uuid);
    GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO workflow_query;
    GRANT USAGE ON SEQUENCE orders_id_seq TO workflow_query;
    INSERT INTO orders (tenant_id, ref, total) VALUES ('${TENANT_A}', 'A-1', 10), ('${TENANT_A}', 'A-2', 20), ('${TENANT_B}', 'B-1', 99);
    INSERT INTO workflow_definitions (tenant_id, name, version, nodes, routes, start_node_id, created_by)
      VALUES ('${TENANT_A}', 'a-one', 1, '[]', '[]', 'start', 'test'), ('${TENANT_B}', 'b-one', 1, '[]', '[]', 'start', 'test');
  `);
});

afterAll(async () => {
  await query?.end();
  await owner?.end();
  await db?.drop();
});

describe('database_query', () => {
  it("reads the tenant's business rows and stores them under resultVariable", async () => {
    const result = await handler().execute(call(TENANT_A, { sql: 'SELECT ref, total::int FROM orders ORDER BY ref', resultVariable: 'orders' }));
    expect(result.contextUpdates).toEqual({ orders: [{ ref: 'A-1', total: 10 }, { ref: 'A-2', total: 20 }] });
    expect(result.output).toEqual({ rowCount: 2 });
  });

  it('runs as workflow_query with the tenant set', async () => {
    const result = await handler().execute(
      call(TENANT_A, { sql: `SELECT current_user::text AS role, current_setting('app.current_tenant') AS tenant`, resultVariable: 'who' }),
    );
    expect(result.contextUpdates).toEqual({ who: [{ role: 'workflow_query', tenant: TENANT_A }] });
  });

  it("sees none of another tenant's business rows, even asking by id", async () => {
    const result = await handler().execute(
      call(TENANT_B, { sql: 'SELECT ref FROM orders WHERE tenant_id = $1::uuid', params: ['context.victim'], resultVariable: 'rows' }, { victim: TENANT_A }),
    );
    expect(result.contextUpdates).toEqual({ rows: [] });
  });

  describe("the engine's own tables are out of reach", () => {
    it.each([
      'SELECT * FROM workflow_definitions',
      'SELECT count(*) FROM workflow_instances',
      `UPDATE workflow_instance_nodes SET status = 'completed', decision = 'approved'`,
      `INSERT INTO workflow_instance_history (tenant_id, instance_id, event_type) VALUES ('${TENANT_A}', '${TENANT_A}', 'task_approved')`,
      'SELECT * FROM v_user_task_queue',
      'SELECT * FROM workflow_migrations',
    ])('%j fails with permission denied (42501), for good', async (sql) => {
      const err = await failure(handler().execute(call(TENANT_A, { sql })));
      expect(err.code).toBe('QUERY_FAILED');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain('42501');
    });
  });

  describe('the attacks on the old screener', () => {
    const crAttack = `SELECT 1 --x\r; RESET ROLE; SELECT count(*) FROM workflow_instances; SET LOCAL ROLE workflow_app`;

    it('refuses the carriage-return trick: the parser sees four statements', async () => {
      const err = await failure(handler().execute(call(TENANT_A, { sql: crAttack })));
      expect(err.code).toBe('QUERY_INVALID');
      expect(err.message).toContain('only one statement is allowed, found 4');
    });

    it('could not run it anyway: the extended protocol takes one statement', async () => {
      await expect(runTenantStatement(query, { tenantId: TENANT_A, sql: crAttack, params: [], timeoutMs: 1000, maxRows: 10 })).rejects.toMatchObject({
        code: '42601',
      });
    });

    it('refuses SELECT INTO TEMP TABLE, and the login could not create one anyway', async () => {
      const sql = 'SELECT * INTO TEMP TABLE workflow_definitions FROM orders';
      expect((await failure(handler().execute(call(TENANT_A, { sql })))).code).toBe('QUERY_INVALID');
      await expect(runTenantStatement(query, { tenantId: TENANT_A, sql, params: [], timeoutMs: 1000, maxRows: 10 })).rejects.toMatchObject({ code: '42501' });
    });

    it('leaves nothing on the pooled connection: a session setting set by one statement is gone for the next', async () => {
      await runTenantStatement(query, { tenantId: TENANT_A, sql: `SELECT set_config('search_path', 'pg_temp', false)`, params: [], timeoutMs: 1000, maxRows: 10 });
      const after = await runTenantStatement(query, { tenantId: TENANT_B, sql: `SELECT current_setting('search_path') AS p`, params: [], timeoutMs: 1000, maxRows: 10 });
      expect(after.rows).toEqual([{ p: '"$user", public' }]);
    });

    it('cannot become another role', async () => {
      await expect(
        runTenantStatement(query, { tenantId: TENANT_A, sql: `SELECT set_config('role', 'workflow_app', true)`, params: [], timeoutMs: 1000, maxRows: 10 }),
      ).rejects.toMatchObject({ code: '42501' });
    });

    it('changed no engine row through all of the above', async () => {
      expect(await engineRowCount()).toBe(2);
    });
  });

  describe('parameters are data, never SQL', () => {
    const hostile = ["x'); DROP TABLE orders; --", `O'Brien "quoted" \\ $1 $$ ;`, "Robert'); DELETE FROM orders;--"];

    it.each(hostile)('returns %j unchanged', async (value) => {
      const result = await handler().execute(
        call(TENANT_A, { sql: 'SELECT $1::text AS v, $2::int AS n', params: ['context.evil', 'context.n + 1'], resultVariable: 'r' }, { evil: value, n: 41 }),
      );
      expect(result.contextUpdates).toEqual({ r: [{ v: value, n: 42 }] });
    });

    it('stores a hostile value as a row and reads it back, in the caller tenant', async () => {
      const evil = "x'); DROP TABLE orders; --";
      const inserted = await handler().execute(
        call(TENANT_A, {
          sql: `INSERT INTO orders (tenant_id, ref, total) VALUES (current_setting('app.current_tenant')::uuid, $1, 5) RETURNING ref`,
          params: ['context.evil'],
          resultVariable: 'created',
        }, { evil }),
      );
      expect(inserted.contextUpdates).toEqual({ created: [{ ref: evil }] });
      const { rows } = await owner.query(`SELECT tenant_id FROM orders WHERE ref = $1`, [evil]);
      expect(rows).toEqual([{ tenant_id: TENANT_A }]);
      await owner.query(`DELETE FROM orders WHERE ref = $1`, [evil]);
    });
  });

  it('returns dates as ISO strings and big integers as strings', async () => {
    const result = await handler().execute(
      call(TENANT_A, { sql: `SELECT '2026-01-02T03:04:05Z'::timestamptz AS at, 9007199254740993::bigint AS big`, resultVariable: 'r' }),
    );
    expect(result.contextUpdates).toEqual({ r: [{ at: '2026-01-02T03:04:05.000Z', big: '9007199254740993' }] });
  });

  it('reports the rows an UPDATE changed', async () => {
    const result = await handler().execute(call(TENANT_A, { sql: `UPDATE orders SET total = total WHERE ref LIKE 'A-%'` }));
    expect(result.output).toEqual({ rowCount: 2 });
  });

  describe('bounded results', () => {
    it('fails a statement with more than DATABASE_QUERY_MAX_ROWS rows, and keeps nothing it did', async () => {
      const err = await failure(
        handler({ maxRows: 2 }).execute(call(TENANT_A, { sql: `INSERT INTO orders (tenant_id, ref, total) SELECT current_setting('app.current_tenant')::uuid, 'bulk', g FROM generate_series(1, 3) g RETURNING id` })),
      );
      expect(err.code).toBe('QUERY_TOO_MANY_ROWS');
      expect(err.retryable).toBe(false);
      const { rows } = await owner.query(`SELECT count(*)::int AS n FROM orders WHERE ref = 'bulk'`);
      expect(rows).toEqual([{ n: 0 }]);
    });

    it('fails a result over 1 MiB', async () => {
      const err = await failure(handler().execute(call(TENANT_A, { sql: `SELECT repeat('x', 600000) AS a, repeat('y', 600000) AS b`, resultVariable: 'r' })));
      expect(err.code).toBe('QUERY_RESULT_TOO_LARGE');
      expect(err.retryable).toBe(false);
    });
  });

  describe('errors', () => {
    it.each([
      ['SELECT * FROM no_such_table', '42P01'],
      ['SELECT 1 / 0', '22012'],
    ])('fails %j for good, naming the SQLSTATE %s', async (sql, sqlstate) => {
      const err = await failure(handler().execute(call(TENANT_A, { sql })));
      expect(err.code).toBe('QUERY_FAILED');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain(sqlstate);
    });

    it('fails for good on a constraint violation (23xxx)', async () => {
      const err = await failure(handler().execute(call(TENANT_A, { sql: `INSERT INTO orders (tenant_id, ref, total) VALUES (current_setting('app.current_tenant')::uuid, 'x', NULL)` })));
      expect(err.code).toBe('QUERY_FAILED');
      expect(err.message).toContain('23502');
    });

    it('retries a statement that runs past the timeout', async () => {
      const started = Date.now();
      const err = await failure(handler({ statementTimeoutMs: 200 }).execute(call(TENANT_A, { sql: 'SELECT pg_sleep(2)' })));
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
