/** @wf/db: Postgres through TypeORM's DataSource: migrations, tenant-scoped transactions, the Store. */
export * from './data-source';
export * from './migrate';
export * from './store/pg-store';
export * from './store/pg-errors';
export * from './store/definition-rows';
export * from './store/sql-values';
export * from './repositories/cursor';
export * from './repositories/definitions.repository';
export * from './repositories/definition-references.repository';
export * from './repositories/instances.repository';
export * from './repositories/tasks.repository';
export * from './store/system-queries';
export * from './repositories/analytics.repository';
export * from './store/history-chain';
export * from './health/schema-health';
export * from './roles/login-roles';
export * from './store/tenant-statement';
export { MIGRATIONS } from './migrations';
