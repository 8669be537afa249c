/**
 * What a `database_query` statement may be, decided by the real PostgreSQL parser (libpg-query,
 * Postgres's own grammar compiled to WebAssembly), never by scanning the text: exactly one
 * statement, of a data kind (SELECT, INSERT, UPDATE, DELETE, MERGE, and WITH, VALUES or TABLE,
 * which parse as those), not `SELECT ... INTO`.
 *
 * This is not the security boundary: the statement runs as the query login, which has no right
 * on the engine's tables, cannot create temporary tables and becomes no other role. The check
 * makes a mistake a 400 when the definition is saved rather than a failed instance, and keeps out
 * the few functions that would change the session a business table's RLS may rely on.
 */

import { loadModule, parseSync } from 'libpg-query';

/** Top-level statement kinds a definition may run. */
const ALLOWED_STATEMENTS: Readonly<Record<string, string>> = {
  SelectStmt: 'SELECT',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

/**
 * Functions refused wherever they appear: what changes settings (`app.current_tenant`, which a
 * business table's policy may read), session-level advisory locks (they would outlive the
 * statement), and what runs SQL given as text or reaches another database.
 */
const DENIED_FUNCTIONS = /^(set_config|pg_advisory_lock(_shared)?|pg_try_advisory_lock(_shared)?|dblink\w*|query_to_xml\w*|query_to_xmlschema|cursor_to_xml\w*|ts_stat|ts_rewrite)$/i;

export type StatementCheck = { readonly ok: true; readonly kind: string } | { readonly ok: false; readonly message: string };

let loaded: Promise<void> | null = null;

/** Loads the parser (WebAssembly, once per process); `checkStatement` needs it done. */
export function loadSqlParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

/** Parses `sql` and says whether it is one statement a database_query step may run. */
export function checkStatement(sql: string): StatementCheck {
  let stmts: { stmt?: Record<string, unknown> }[];
  try {
    stmts = (parseSync(sql).stmts ?? []) as { stmt?: Record<string, unknown> }[];
  } catch (err) {
    return { ok: false, message: `the statement does not parse: ${(err as Error).message}` };
  }
  if (stmts.length === 0) return { ok: false, message: 'the statement is empty' };
  if (stmts.length > 1) return { ok: false, message: `only one statement is allowed, found ${stmts.length}` };
  const node = stmts[0]?.stmt ?? {};
  const [type] = Object.keys(node);
  const kind = type ? ALLOWED_STATEMENTS[type] : undefined;
  if (!type || !kind) {
    const name = (type ?? 'unknown').replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
    return { ok: false, message: `${name} statements are not allowed (only SELECT, INSERT, UPDATE, DELETE, MERGE, WITH, VALUES, TABLE)` };
  }
  const body = node[type] as Record<string, unknown>;
  if (type === 'SelectStmt' && body['intoClause']) return { ok: false, message: 'SELECT ... INTO creates a table: not allowed' };
  const denied = deniedFunction(node);
  if (denied) return { ok: false, message: `${denied}() may not be used in a database_query` };
  return { ok: true, kind };
}

/** The first refused function called anywhere in the tree (iterative: parse trees nest deeply). */
function deniedFunction(root: unknown): string | null {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      stack.push(...item);
    } else if (item !== null && typeof item === 'object') {
      const call = (item as { FuncCall?: { funcname?: { String?: { sval?: string } }[] } }).FuncCall;
      const name = call?.funcname?.at(-1)?.String?.sval;
      if (name && DENIED_FUNCTIONS.test(name)) return name;
      stack.push(...Object.values(item));
    }
  }
  return null;
}
