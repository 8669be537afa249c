/**
 * What `database_query` needs of the database, and no more: one statement run as the query login
 * for one tenant. libs/db runs it; libs/runtime adapts the query login's pool to it.
 */

export interface TenantStatement {
  readonly tenantId: string;
  readonly sql: string;
  /** bound as `$1..$n`, never spliced into the SQL */
  readonly params: readonly unknown[];
  /** a longer statement is cancelled (SQLSTATE 57014) */
  readonly timeoutMs: number;
  /** more rows than this are not read: `truncated` tells */
  readonly maxRows: number;
}

export interface TenantStatementResult {
  readonly rows: Record<string, unknown>[];
  /** rows affected or returned, when the statement ran to completion */
  readonly rowCount: number | null;
  /** the statement had more than `maxRows` rows; nothing it did was committed */
  readonly truncated: boolean;
}

export interface TenantSql {
  /**
   * Runs the statement in a transaction of its own with `app.current_tenant` set to its tenant.
   * A database error rejects with its SQLSTATE as `code`.
   */
  query(statement: TenantStatement): Promise<TenantStatementResult>;
}
