import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';

export interface DbOptions {
  readonly url: string;
  /** connections in the pool, default 10 */
  readonly poolSize?: number;
  /** per-statement limit, default 10000 ms */
  readonly statementTimeoutMs?: number;
  /** bounds a frozen process's open transaction (and the locks it holds), default 5000 ms */
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
    poolSize: opts.poolSize ?? 10,
    applicationName: opts.applicationName ?? 'workflow-engine',
    extra: {
      statement_timeout: opts.statementTimeoutMs ?? 10_000,
      idle_in_transaction_session_timeout: opts.idleInTransactionTimeoutMs ?? 5_000,
      connectionTimeoutMillis: 5_000,
    },
  });
}

/** The pg pool under the DataSource: the hot path speaks SQL to it directly. */
export function poolOf(ds: DataSource): Pool {
  return (ds.driver as unknown as { master: Pool }).master;
}
