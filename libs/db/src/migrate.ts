/**
 * Applying and reverting migrations: the deploy step and the rollback step. Both run under a
 * Postgres advisory lock so replicas starting together migrate once, and both refuse clearly when
 * the database cannot be reached.
 */

import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, type DbOptions } from './data-source';
import { lockDownDatabase } from './roles/login-roles';

/** Arbitrary constant naming the migration lock. */
/** The advisory lock migrations run under: whatever else edits what they edit (BullMQ's grants) takes it too. */
export const MIGRATION_LOCK_KEY = 7_240_117_001;

export class DatabaseUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`Cannot reach Postgres at ${describeUrl(url)}: ${(cause as Error)?.message ?? String(cause)}. Is it running, and is DATABASE_URL right?`);
    this.name = 'DatabaseUnreachableError';
  }
}

/** host:port/database without credentials, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  // 3D000: the database does not exist (nothing to migrate or revert there)
  return (
    code === '3D000' ||
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' ||
    code === '57P03' || /timeout|terminated|Connection/i.test((err as Error)?.message ?? '')
  );
}

/** Create the database named in `url` when it is missing (needs CREATEDB on the maintenance db). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const dbName = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new DatabaseUnreachableError(url, err);
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
    } catch (err) {
      // a concurrent start created it first
      if ((err as { code?: string }).code !== '42P04') throw err;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

async function withDataSource<T>(opts: DbOptions, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = createDataSource({ ...opts, poolSize: 2 });
  try {
    await ds.initialize();
  } catch (err) {
    if (isConnectionError(err)) throw new DatabaseUnreachableError(opts.url, err);
    throw err;
  }
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await work(ds);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
    await ds.destroy();
  }
}

/**
 * Apply every pending migration, then take back what no engine login may have (the database's
 * privileges are not copied by CREATE DATABASE ... TEMPLATE, so this runs every time); returns
 * the names applied.
 */
export async function migrateUp(opts: DbOptions): Promise<string[]> {
  return withDataSource(opts, async (ds) => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    const runner = ds.createQueryRunner();
    try {
      await runner.connect();
      await lockDownDatabase((sql) => runner.query(sql));
    } finally {
      await runner.release();
    }
    return applied.map((m) => m.name);
  });
}

/** Revert the last applied migration; returns its name, or null when none is applied. */
export async function migrateDown(opts: DbOptions): Promise<string | null> {
  return withDataSource(opts, async (ds) => {
    const rows: { name: string }[] = await ds.query(
      `SELECT name FROM workflow_migrations ORDER BY id DESC LIMIT 1`,
    ).catch(() => []);
    if (rows.length === 0) return null;
    await ds.undoLastMigration({ transaction: 'each' });
    return rows[0]?.name ?? null;
  });
}

/** Names of migrations not applied yet (the health check and start-up use it). */
export async function pendingMigrations(opts: DbOptions): Promise<string[]> {
  return withDataSource(opts, async (ds) => {
    const applied: { name: string }[] = await ds.query(`SELECT name FROM workflow_migrations`).catch(() => []);
    const done = new Set(applied.map((r) => r.name));
    return ds.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !done.has(n));
  });
}
