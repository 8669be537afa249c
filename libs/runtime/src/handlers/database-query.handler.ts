/**
 * `database_query`: `{ sql, params?, resultVariable? }`. One statement, run in a tenant-scoped
 * transaction as the non-owner role `workflow_app` (so RLS applies), with a statement timeout.
 * Params are CEL expressions whose values are bound as `$1..$n`, never spliced into the SQL.
 *
 * RLS here hangs on settings (`role`, `app.current_tenant`, `app.system_read`) that SQL could
 * change from inside the transaction, and the SQL comes from a definition author. So the
 * statement is also screened: one statement of a data kind (SELECT, INSERT, ...), none of the
 * functions that change settings or run SQL text, and after it the settings are checked again;
 * a changed one rolls everything back.
 */

import type { PgStore, PgTx } from '@wf/db';
import {
  EngineError,
  NodeFailedError,
  TransientError,
  evaluateExpression,
  type JsonObject,
  type ServiceCallContext,
  type ServiceHandler,
  type ServiceResult,
} from '@wf/engine';

export interface DatabaseQueryHandlerOptions {
  store: PgStore;
  /** DB_STATEMENT_TIMEOUT_MS: a longer statement is cancelled (SQLSTATE 57014, retried) */
  statementTimeoutMs: number;
}

/** Statement kinds a definition may run. */
const ALLOWED_STATEMENTS = new Set(['select', 'with', 'insert', 'update', 'delete', 'merge', 'values', 'table']);

/**
 * Names refused anywhere in the statement: what changes the settings RLS depends on
 * (`set_config`, `pg_settings`), what executes SQL given as text (so the rest of this list could
 * be assembled at run time), and session-level advisory locks that would outlive the transaction
 * on a pooled connection.
 */
const DENIED_NAMES =
  /\b(set_config|pg_settings|query_to_xml\w*|query_to_xmlschema|cursor_to_xml\w*|ts_stat|ts_rewrite|pg_(try_)?advisory_lock(_shared)?|dblink\w*)\b/i;

/** SQLSTATE classes that no retry can fix: feature not supported, cardinality, data, constraint, syntax/undefined/permission, check option. */
const PERMANENT_SQLSTATE_CLASSES = new Set(['0A', '21', '22', '23', '42', '44']);

function invalid(message: string): NodeFailedError {
  return new NodeFailedError('QUERY_INVALID', `database_query: ${message}`);
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * The statement with string literals, dollar-quoted strings and comments blanked out (quoted
 * identifiers kept), so `;` and names can be searched for. Throws QUERY_INVALID when a literal or
 * comment is not closed.
 */
export function sqlCodeOnly(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) throw invalid('unterminated /* comment');
      out += ' '.repeat(j - i);
      i = j;
    } else if (c === "'") {
      // E'...' strings take backslash escapes; the E is a prefix only when it starts a token
      const prev = sql[i - 1];
      const escapes = (prev === 'E' || prev === 'e') && !IDENT_CHAR.test(sql[i - 2] ?? ' ');
      let j = i + 1;
      for (;;) {
        if (j >= n) throw invalid('unterminated string literal');
        const d = sql[j];
        if (escapes && d === '\\') j += 2;
        else if (d === "'" && sql[j + 1] === "'") j += 2;
        else if (d === "'") break;
        else j++;
      }
      out += ' '.repeat(j + 1 - i);
      i = j + 1;
    } else if (c === '"') {
      const prev = sql[i - 1];
      if (prev === '&' && (sql[i - 2] === 'U' || sql[i - 2] === 'u')) throw invalid('unicode-escaped identifiers (U&"...") are not supported');
      let j = i + 1;
      for (;;) {
        if (j >= n) throw invalid('unterminated quoted identifier');
        if (sql[j] === '"' && sql[j + 1] === '"') j += 2;
        else if (sql[j] === '"') break;
        else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '$' && !IDENT_CHAR.test(sql[i - 1] ?? ' ')) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (!tag) {
        out += c; // a parameter such as $1
        i++;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      if (end === -1) throw invalid('unterminated dollar-quoted string');
      const stop = end + tag[0].length;
      out += ' '.repeat(stop - i);
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Refuses what is not one allowed statement; returns the SQL to send. */
export function screenSql(sql: string): string {
  const code = sqlCodeOnly(sql);
  // a ";" inside a quoted identifier is a name, not a separator
  const semicolon = code.replace(/"(?:[^"]|"")*"/g, (quoted) => ' '.repeat(quoted.length)).indexOf(';');
  if (semicolon !== -1 && code.slice(semicolon + 1).trim() !== '') {
    throw invalid('only one statement is allowed (found ";" followed by more SQL)');
  }
  const body = semicolon === -1 ? code : code.slice(0, semicolon);
  const first = /^[\s(]*([A-Za-z]+)/.exec(body)?.[1]?.toLowerCase();
  if (!first) throw invalid('the statement is empty');
  if (!ALLOWED_STATEMENTS.has(first)) {
    throw invalid(`${first.toUpperCase()} statements are not allowed (only SELECT, INSERT, UPDATE, DELETE, MERGE, WITH, VALUES, TABLE)`);
  }
  const denied = DENIED_NAMES.exec(body);
  if (denied) throw invalid(`${denied[1]} may not be used in a database_query`);
  return semicolon === -1 ? sql : sql.slice(0, semicolon);
}

/** A parameter value as node-postgres should bind it: JSON text for objects and arrays. */
function toParam(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

/** A row value as JSON: Dates as ISO strings, bytea in Postgres's own `\x...` form. */
function toJson(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]));
  }
  return value;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

function classify(err: unknown): EngineError {
  if (err instanceof EngineError) {
    return err.retryable ? new TransientError(err.code, err.message, err.details) : err;
  }
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && SQLSTATE.test(code)) {
    const text = `database_query: ${message} (SQLSTATE ${code})`;
    if (code === '57014') return new TransientError('QUERY_TIMEOUT', text, { sqlstate: code });
    if (PERMANENT_SQLSTATE_CLASSES.has(code.slice(0, 2))) return new NodeFailedError('QUERY_FAILED', text, { sqlstate: code });
    return new TransientError('QUERY_FAILED', text, { sqlstate: code });
  }
  return new TransientError('DATABASE_UNAVAILABLE', `database_query: ${code ? `${code}: ` : ''}${message}`, code ? { errorCode: code } : undefined);
}

interface SessionCheck {
  role: string;
  tenant: string | null;
  system_read: string | null;
}

async function assertSessionUnchanged(tx: PgTx, tenantId: string): Promise<void> {
  const r = await tx.query<SessionCheck>(
    `SELECT current_user::text AS role, current_setting('app.current_tenant', true) AS tenant, current_setting('app.system_read', true) AS system_read`,
  );
  const row = r.rows[0];
  if (!row || row.role !== 'workflow_app' || row.tenant !== tenantId || (row.system_read ?? '') === 'on') {
    throw new NodeFailedError('QUERY_REFUSED', 'database_query: the statement changed the role or tenant settings; it was rolled back');
  }
}

export function createDatabaseQueryHandler(opts: DatabaseQueryHandlerOptions): ServiceHandler {
  const { store } = opts;
  const timeout = String(Math.max(1, Math.floor(opts.statementTimeoutMs)));

  return {
    type: 'database_query',
    async execute(call: ServiceCallContext): Promise<ServiceResult> {
      const { config } = call;
      if (typeof config['sql'] !== 'string') throw new NodeFailedError('INVALID_CONFIG', 'database_query: serviceConfig.sql must be a string');
      const rawParams = config['params'] ?? [];
      if (!Array.isArray(rawParams) || !rawParams.every((p): p is string => typeof p === 'string')) {
        throw new NodeFailedError('INVALID_CONFIG', 'database_query: serviceConfig.params must be a list of expressions');
      }
      const resultVariable = config['resultVariable'];
      if (resultVariable !== undefined && (typeof resultVariable !== 'string' || !resultVariable)) {
        throw new NodeFailedError('INVALID_CONFIG', 'database_query: serviceConfig.resultVariable must be a non-empty string');
      }
      const sql = screenSql(config['sql']);
      const params = rawParams.map((expression) => toParam(evaluateExpression(expression, call.scope)));
      if (call.signal.aborted) throw new TransientError('QUERY_ABORTED', 'the step was aborted (shutdown or lost lease)');

      // PgStore translates driver errors (a timeout becomes DATABASE_UNAVAILABLE); keep the raw
      // one so the SQLSTATE decides.
      let raw: unknown;
      try {
        const result = await store.inTenant(call.tenantId, async (tx) => {
          try {
            await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [timeout]);
            const r = await tx.query(sql, params);
            await assertSessionUnchanged(tx, call.tenantId);
            return r;
          } catch (err) {
            raw = err;
            throw err;
          }
        });
        const rows = result.rows.map((row) => toJson(row) as JsonObject);
        return {
          contextUpdates: typeof resultVariable === 'string' ? { [resultVariable]: rows } : {},
          output: { rowCount: result.rowCount ?? rows.length },
        };
      } catch (err) {
        throw classify(raw ?? err);
      }
    },
  };
}
