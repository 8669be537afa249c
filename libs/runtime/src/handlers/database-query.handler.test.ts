import { EngineError } from '@wf/engine';
import { screenSql } from './database-query.handler';

function refusal(sql: string): EngineError {
  try {
    screenSql(sql);
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error(`expected ${sql} to be refused`);
}

describe('screenSql', () => {
  it.each([
    ['SELECT 1', 'SELECT 1'],
    ['SELECT 1;  \n', 'SELECT 1'],
    ["SELECT ';' AS s", "SELECT ';' AS s"],
    ["SELECT E'it\\'s; fine'", "SELECT E'it\\'s; fine'"],
    ['SELECT $tag$ ; $tag$, $1', 'SELECT $tag$ ; $tag$, $1'],
    ['SELECT 1 /* ; /* nested ; */ */ -- ;', 'SELECT 1 /* ; /* nested ; */ */ -- ;'],
    ['SELECT "odd;name" FROM t', 'SELECT "odd;name" FROM t'],
    ['  (SELECT 1)', '  (SELECT 1)'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'WITH x AS (SELECT 1) SELECT * FROM x'],
    ["INSERT INTO t VALUES ('set_config')", "INSERT INTO t VALUES ('set_config')"],
  ])('accepts %j', (sql, sent) => {
    expect(screenSql(sql)).toBe(sent);
  });

  it.each([
    ['SELECT 1; SELECT 2', 'only one statement'],
    ["SELECT 'a''; DROP TABLE t; --'; DROP TABLE t", 'only one statement'],
    ["SELECT E'\\''; DROP TABLE t", 'only one statement'],
    ['SELECT $$ ; $$; DROP TABLE t', 'only one statement'],
    ["SELECT 'unterminated", 'unterminated string literal'],
    ['SELECT 1 /* open', 'unterminated /* comment'],
    ['SELECT $a$ open', 'unterminated dollar-quoted string'],
    ['', 'empty'],
    ['-- only a comment', 'empty'],
    ['DO $$ BEGIN END $$', 'DO statements are not allowed'],
    ['SELECT "set_config"(\'role\', \'postgres\', true)', 'set_config'],
    ['SELECT U&"\\0073et_config"(1)', 'unicode-escaped identifiers'],
    ['SELECT ts_stat($$select 1$$)', 'ts_stat'],
    ['SELECT pg_advisory_lock(1)', 'pg_advisory_lock'],
  ])('refuses %j', (sql, message) => {
    const err = refusal(sql);
    expect(err.code).toBe('QUERY_INVALID');
    expect(err.message).toContain(message);
  });
});
