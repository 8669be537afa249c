/**
 * One statement of a definition author's SQL (`database_query`), run on the query login's own
 * pool: in a transaction that sets the tenant (so a business table's RLS can key on
 * `app.current_tenant`) and a statement timeout, through the extended query protocol (Parse
 * takes one statement, never a list), reading at most `maxRows + 1` rows. Whatever the statement
 * left on the session (settings, advisory locks, prepared statements, LISTENs) is wiped with
 * DISCARD ALL before the connection goes back to the pool; a failure destroys the connection.
 */

import Cursor from 'pg-cursor';
import type { Pool, PoolClient, QueryResult } from 'pg';
import { checkout } from './pg-checkout';
import type { TenantStatement, TenantStatementResult } from '@wf/engine';
import { uuidLiteral } from './sql-values';

export async function runTenantStatement(pool: Pool, st: TenantStatement): Promise<TenantStatementResult> {
  const conn = await checkout(pool);
  const { client } = conn;
  try {
    const timeout = Math.max(1, Math.floor(st.timeoutMs));
    await client.query(
      `BEGIN; SELECT set_config('app.current_tenant', ${uuidLiteral(st.tenantId)}, true), set_config('statement_timeout', '${timeout}', true)`,
    );
    const { rows, result } = await readAtMost(client, st.sql, st.params, st.maxRows + 1);
    const truncated = rows.length > st.maxRows;
    await client.query(truncated ? 'ROLLBACK' : 'COMMIT');
    await client.query('DISCARD ALL');
    conn.release();
    return { rows: truncated ? rows.slice(0, st.maxRows) : rows, rowCount: truncated ? null : (result?.rowCount ?? rows.length), truncated };
  } catch (err) {
    conn.release(true);
    throw err;
  }
}

function readAtMost(client: PoolClient, sql: string, params: readonly unknown[], limit: number): Promise<{ rows: Record<string, unknown>[]; result: QueryResult | undefined }> {
  const cursor = client.query(new Cursor(sql, [...params]));
  return new Promise((resolve, reject) => {
    cursor.read(limit, (err, rows, result) => {
      if (err) {
        reject(err);
        return;
      }
      cursor.close((closeErr) => (closeErr ? reject(closeErr) : resolve({ rows: rows as Record<string, unknown>[], result: result as QueryResult | undefined })));
    });
  });
}
