/** The PostgreSQL parser decides what a database_query statement is, however the text is dressed. */
import { checkStatement, loadSqlParser } from './sql-statement-check';

beforeAll(() => loadSqlParser());

function refusal(sql: string): string {
  const checked = checkStatement(sql);
  if (checked.ok) throw new Error(`expected ${JSON.stringify(sql)} to be refused`);
  return checked.message;
}

describe('checkStatement', () => {
  it.each([
    ['SELECT 1', 'SELECT'],
    ['SELECT 1;  \n', 'SELECT'],
    ["SELECT ';' AS s", 'SELECT'],
    ["SELECT E'it\\'s; fine'", 'SELECT'],
    ['SELECT $tag$ ; $tag$, $1', 'SELECT'],
    ['SELECT 1 /* ; /* nested ; */ */ -- ;', 'SELECT'],
    ['SELECT "odd;name" FROM t', 'SELECT'],
    ['  (SELECT 1)', 'SELECT'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'SELECT'],
    ['WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone', 'SELECT'],
    ['VALUES (1), (2)', 'SELECT'],
    ['TABLE orders', 'SELECT'],
    ["INSERT INTO t VALUES ('set_config')", 'INSERT'],
    ['UPDATE orders SET total = total + 1 WHERE id = $1', 'UPDATE'],
    ['DELETE FROM orders WHERE id = $1', 'DELETE'],
    ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE', 'MERGE'],
  ])('accepts %j as %s', (sql, kind) => {
    expect(checkStatement(sql)).toEqual({ ok: true, kind });
  });

  it.each([
    // Postgres ends a -- comment at \r as well as \n: the text screener missed this one
    ['SELECT 1 --x\r; RESET ROLE; COPY (SELECT 1) TO PROGRAM \'id\'; SET LOCAL ROLE workflow_app', 'only one statement is allowed, found 4'],
    ['SELECT 1; SELECT 2', 'only one statement is allowed, found 2'],
    ["SELECT 'a''; DROP TABLE t; --'; DROP TABLE t", 'only one statement'],
    ['SELECT $$ ; $$; DROP TABLE t', 'only one statement'],
    ['SELECT * INTO TEMP TABLE workflow_definitions FROM orders', 'SELECT ... INTO creates a table'],
    ['CREATE TEMP TABLE workflow_definitions AS SELECT 1', 'CREATE TABLE AS statements are not allowed'],
    ["SELECT 'unterminated", 'does not parse'],
    ['SELECT 1 +', 'does not parse'],
    ['', 'empty'],
    ['-- only a comment', 'empty'],
    ['DO $$ BEGIN END $$', 'DO statements are not allowed'],
    ['RESET ROLE', 'VARIABLE SET statements are not allowed'],
    ['SET ROLE postgres', 'VARIABLE SET statements are not allowed'],
    ['COMMIT', 'TRANSACTION statements are not allowed'],
    ['DROP TABLE orders', 'DROP statements are not allowed'],
    ["COPY orders TO PROGRAM 'id'", 'COPY statements are not allowed'],
    ['LISTEN workflow_definitions_changed', 'LISTEN statements are not allowed'],
    [`SELECT set_config('app.current_tenant', 'x', true)`, 'set_config() may not be used'],
    [`SELECT * FROM orders WHERE pg_catalog.set_config('app.current_tenant', 'x', true) IS NOT NULL`, 'set_config() may not be used'],
    [`WITH t AS (SELECT pg_advisory_lock(1)) SELECT * FROM t`, 'pg_advisory_lock() may not be used'],
    [`SELECT query_to_xml('select 1', true, true, '')`, 'query_to_xml() may not be used'],
  ])('refuses %j: %s', (sql, why) => {
    expect(refusal(sql)).toContain(why);
  });
});
