/**
 * `database_query`: `{ sql, params?, resultVariable? }`. One statement, run through the
 * `TenantSql` port as the query login (`workflow_query`): a role that owns nothing, is a member of
 * nothing and has no right on any of the engine's tables, so whatever the SQL says it reaches only
 * the business tables an operator granted it. The tenant is set for the statement's transaction
 * (`app.current_tenant`), for the RLS of those tables. The statement is one of a data kind, as the
 * PostgreSQL parser sees it (its config schema checks it when the definition is saved and again
 * before it runs), sent through the extended protocol, under a statement timeout, and its result
 * is bounded in rows and bytes. Params are CEL expressions whose values are bound as `$1..$n`,
 * never spliced into the SQL.
 */

import {
  EngineError,
  NodeFailedError,
  TransientError,
  bindServiceHandler,
  evaluateExpression,
  type JsonObject,
  type ServiceHandler,
  type ServiceResult,
} from '@wf/engine';
import { databaseQueryConfig, type DatabaseQueryConfig } from './database-query.config';
import type { TenantSql } from '@wf/engine';

export interface DatabaseQueryHandlerOptions {
  /** runs a statement as the query login */
  sql: TenantSql;
  /** DB_STATEMENT_TIMEOUT_MS: a longer statement is cancelled (SQLSTATE 57014, retried) */
  statementTimeoutMs: number;
  /** DATABASE_QUERY_MAX_ROWS: more rows fail the node with QUERY_TOO_MANY_ROWS */
  maxRows: number;
}

/** The most a result may weigh as JSON; more fails the node with QUERY_RESULT_TOO_LARGE. */
const MAX_RESULT_BYTES = 1024 * 1024;

/** SQLSTATE classes that no retry can fix: feature not supported, cardinality, data, constraint, syntax/undefined/permission, check option. */
const PERMANENT_SQLSTATE_CLASSES = new Set(['0A', '21', '22', '23', '42', '44']);

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

export function createDatabaseQueryHandler(opts: DatabaseQueryHandlerOptions): ServiceHandler {
  return bindServiceHandler<DatabaseQueryConfig>({
    type: 'database_query',
    configSchema: databaseQueryConfig,
    async execute(call): Promise<ServiceResult> {
      const { config } = call;
      const params = config.params.map((expression) => toParam(evaluateExpression(expression, call.scope)));
      if (call.signal.aborted) throw new TransientError('QUERY_ABORTED', 'the step was aborted (shutdown or lost lease)');

      let result;
      try {
        result = await opts.sql.query({
          tenantId: call.tenantId,
          sql: config.sql,
          params,
          timeoutMs: opts.statementTimeoutMs,
          maxRows: opts.maxRows,
        });
      } catch (err) {
        throw classify(err);
      }
      if (result.truncated) {
        throw new NodeFailedError('QUERY_TOO_MANY_ROWS', `database_query: the statement returned more than DATABASE_QUERY_MAX_ROWS (${opts.maxRows}) rows; nothing it did was kept`, { maxRows: opts.maxRows });
      }
      const rows = result.rows.map((row) => toJson(row) as JsonObject);
      const bytes = Buffer.byteLength(JSON.stringify(rows));
      if (bytes > MAX_RESULT_BYTES) {
        throw new NodeFailedError('QUERY_RESULT_TOO_LARGE', `database_query: the result is ${bytes} bytes as JSON; the limit is ${MAX_RESULT_BYTES}`, { bytes, limitBytes: MAX_RESULT_BYTES });
      }
      return {
        contextUpdates: config.resultVariable !== undefined ? { [config.resultVariable]: rows } : {},
        output: { rowCount: result.rowCount ?? rows.length },
      };
    },
  });
}
