import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';

export interface DbOptions {
  readonly url: string;
  /** connections in the pool; unset, pg's own default. The runtime passes DB_POOL_SIZE. */
  readonly poolSize?: number;
  /** per-statement limit; unset, none (migrations). The runtime passes DB_STATEMENT_TIMEOUT_MS. */
  readonly statementTimeoutMs?: number;
  /** bounds a frozen process's open transaction (and the locks it holds); unset, none. The runtime passes DB_IDLE_IN_TRANSACTION_TIMEOUT_MS. */
  readonly idleInTransactionTimeoutMs?: number;
  readonly applicationName?: string;
}

export const MIGRATIONS_TABLE = 'workflow_migrations';

/** The TypeORM DataSource: owns the pg pool, knows the migrations. `synchronize` stays off. */
export function createDataSource(opts: DbOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: opts.url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    logging: false,
    // the settings' defaults live in the engine's config schema, not here a second time
    ...(opts.poolSize !== undefined ? { poolSize: opts.poolSize } : {}),
    applicationName: opts.applicationName ?? 'workflow-engine',
    extra: {
      ...(opts.statementTimeoutMs !== undefined ? { statement_timeout: opts.statementTimeoutMs } : {}),
      ...(opts.idleInTransactionTimeoutMs !== undefined ? { idle_in_transaction_session_timeout: opts.idleInTransactionTimeoutMs } : {}),
      connectionTimeoutMillis: 5_000,
    },
  });
}

/** The pg pool under the DataSource: the hot path speaks SQL to it directly. */
export function poolOf(ds: DataSource): Pool {
  return (ds.driver as unknown as { master: Pool }).master;
}
