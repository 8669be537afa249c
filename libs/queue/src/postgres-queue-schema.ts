/**
 * BullMQ's PostgreSQL schema, migrated with the owner login at start-up (as the engine's own
 * migrations are) and then opened to the queue login alone. The queue login (workflow_queue) holds
 * rights on this schema and nothing else: it can read no tenant's rows, and the runtime login
 * gains nothing from it.
 */

import { Client } from 'pg';
import { runMigrations } from 'bullmq';
import { QUEUE_SCHEMA } from './queue-backend';

/**
 * The login is libs/db's QUEUE_LOGIN (created by the engine's migration 0008): a constant, never
 * user input, so it is written into the GRANTs as it is.
 *
 * Applies BullMQ's pending schema migrations (under BullMQ's own advisory lock, so processes
 * starting together migrate once) and grants the queue login what the backend's SQL uses: the
 * schema's tables, sequences and functions, CREATE on the schema (the backend makes a job-id
 * sequence per queue on first use) and temporary tables (its bulk add).
 * Returns the schema version.
 */
export interface QueueSchemaOptions {
  /** libs/db's QUEUE_LOGIN */
  readonly login: string;
  /**
   * libs/db's MIGRATION_LOCK_KEY: the grants run under the engine migrations' advisory lock, since
   * GRANT TEMPORARY edits the same pg_database row as their REVOKE TEMPORARY, and two processes
   * starting together would otherwise fail one with "tuple concurrently updated"
   */
  readonly lockKey: number;
}

export async function migrateQueueSchema(ownerUrl: string, opts: QueueSchemaOptions): Promise<number> {
  const queueLogin = opts.login;
  const client = new Client({ connectionString: ownerUrl, application_name: 'workflow-migrate-queue' });
  await client.connect();
  try {
    const version = await runMigrations(client, QUEUE_SCHEMA);
    // re-granted on every start: a BullMQ upgrade may have added tables or functions
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [opts.lockKey]);
    for (const sql of [
      `GRANT USAGE, CREATE ON SCHEMA ${QUEUE_SCHEMA} TO ${queueLogin}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${QUEUE_SCHEMA} TO ${queueLogin}`,
      `GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${QUEUE_SCHEMA} TO ${queueLogin}`,
      `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${QUEUE_SCHEMA} TO ${queueLogin}`,
      // the bulk add stages its rows in temporary tables; the queue login reaches no engine
      // table a temporary one could shadow
      `DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO ${queueLogin}', current_database()); END $$`,
    ]) {
      await client.query(sql);
    }
    await client.query('COMMIT');
    return version;
  } finally {
    await client.end();
  }
}
