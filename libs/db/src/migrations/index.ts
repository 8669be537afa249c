import { sqlMigration } from './sql-migration';

/** Every migration in order. Landed migrations are never edited: add a new one. */
export const MIGRATIONS = [
  sqlMigration('0001_workflow_schema', 1764000000001),
  sqlMigration('0002_rls_roles', 1764000000002),
  sqlMigration('0003_id_first_foreign_keys', 1764000000003),
  sqlMigration('0004_least_privilege_logins', 1764000000004),
  sqlMigration('0005_engine_bounds', 1764000000005),
  sqlMigration('0006_context_schema', 1764000000006),
  sqlMigration('0007_task_queue_notify', 1764000000007),
  sqlMigration('0008_queue_login', 1764000000008),
  sqlMigration('0009_approvals', 1764000000009),
  sqlMigration('0010_email_actions', 1764000000010),
  sqlMigration('0011_waits', 1764000000011),
  sqlMigration('0012_saved_views', 1764000000012),
];
