/**
 * The built-in I/O handlers, composed from configuration: `http_call`, `email_send` and
 * `database_query` (whose `TenantSql` port is the query login's pool). `set_context` runs inside
 * the engine.
 */

import type { Pool } from 'pg';
import { runTenantStatement } from '@wf/db';
import type { TenantSql } from '@wf/engine';
import { createDatabaseQueryHandler, createEmailSendHandler, createHttpCallHandler, HandlerRegistry } from '@wf/handlers';
import type { Config } from '../config/config';
import type { Logger } from '../logger';

export interface BuiltInHandlersOptions {
  config: Config;
  /** the pool of the query login, for database_query */
  queryPool: Pool;
  log: Logger;
}

/** `database_query`'s port over the query login's pool. */
export function tenantSqlOf(pool: Pool): TenantSql {
  return { query: (statement) => runTenantStatement(pool, statement) };
}

export function createBuiltInHandlers(opts: BuiltInHandlersOptions): HandlerRegistry {
  const { config, queryPool, log } = opts;
  return new HandlerRegistry()
    .register(createHttpCallHandler({ allowedHosts: config.httpCallAllowedHosts, log: log.child({ serviceType: 'http_call' }) }))
    .register(
      createEmailSendHandler({
        smtpUrl: config.smtpUrl,
        defaultFrom: config.smtpFrom,
        allowedFrom: config.smtpAllowedFrom,
        log: log.child({ serviceType: 'email_send' }),
      }),
    )
    .register(createDatabaseQueryHandler({ sql: tenantSqlOf(queryPool), statementTimeoutMs: config.dbStatementTimeoutMs, maxRows: config.queryMaxRows }));
}
