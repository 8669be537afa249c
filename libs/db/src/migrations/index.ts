import { sqlMigration } from './sql-migration';

/** Every migration in order. Landed migrations are never edited: add a new one. */
export const MIGRATIONS = [sqlMigration('0001_workflow_schema', 1764000000001)];
