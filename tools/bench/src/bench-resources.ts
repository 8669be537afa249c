/**
 * The run's own databases (`wf_bench_<random>`, and `wf_bench_<random>_pq` for W1 on the
 * PostgreSQL queue backend) and Redis key prefix (`bench<random>`): created at the start, removed
 * at the end, also on failure or Ctrl-C. Nothing else is ever touched.
 */

import { randomBytes } from 'node:crypto';
import { Client, Pool, type QueryResult, type QueryResultRow } from 'pg';
import { Redis } from 'ioredis';
import { migrateUp } from '@wf/db';

const ADMIN_URL = process.env['BENCH_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface BenchResources {
  readonly runId: string;
  readonly dbName: string;
  readonly dbUrl: string;
  /** the database of W1 on the PostgreSQL queue backend (its own, migrated like the first) */
  readonly queueDbName: string;
  readonly queueDbUrl: string;
  /** QUEUE_PREFIX of the engine; the anchors use `<prefix>a1` and `<prefix>a2` */
  readonly prefix: string;
  readonly redis: Redis;
  /** a connection to the maintenance database: statistics and settings, never the bench data */
  readonly admin: Client;
}

function urlFor(dbName: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  return u.toString();
}

export async function createResources(): Promise<BenchResources> {
  const runId = randomBytes(4).toString('hex');
  const dbName = `wf_bench_${runId}`;
  const admin = new Client({ connectionString: ADMIN_URL, application_name: 'wf-bench-admin' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = urlFor(dbName);
  await migrateUp({ url: dbUrl });
  const queueDbName = `${dbName}_pq`;
  await admin.query(`CREATE DATABASE ${queueDbName}`);
  const queueDbUrl = urlFor(queueDbName);
  await migrateUp({ url: queueDbUrl });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  return { runId, dbName, dbUrl, queueDbName, queueDbUrl, prefix: `bench${runId}`, redis, admin };
}

/** Delete every key under the run's prefixes (engine and anchors alike start with `bench<id>`). */
export async function deletePrefixKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export async function dropResources(res: BenchResources, keep: boolean): Promise<void> {
  if (!keep) {
    await deletePrefixKeys(res.redis, res.prefix).catch((err: Error) => {
      console.error(`could not delete Redis keys ${res.prefix}*: ${err.message}`);
    });
    for (const db of [res.dbName, res.queueDbName]) {
      await res.admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch((err: Error) => {
        console.error(`could not drop ${db}: ${err.message}`);
      });
    }
  }
  res.redis.disconnect();
  await res.admin.end().catch(() => undefined);
}

/**
 * A superuser pool on the bench database for the bench's own reads (it bypasses RLS on purpose).
 * It counts its statements: each is one autocommit transaction, subtracted from the engine's
 * commit count.
 */
export class ProbeDb {
  private pool: Pool;
  queries = 0;

  constructor(private readonly url: string) {
    this.pool = this.open();
  }

  private open(): Pool {
    const pool = new Pool({ connectionString: this.url, max: 4, application_name: 'wf-bench-probe' });
    // an idle connection dies when the database is dropped at the end (or on Ctrl-C)
    pool.on('error', () => undefined);
    return pool;
  }

  async query<R extends QueryResultRow = QueryResultRow>(text: string, params: unknown[] = []): Promise<QueryResult<R>> {
    this.queries += 1;
    return this.pool.query<R>(text, params);
  }

  /** Close the connections, so Postgres flushes their statistics, and open a fresh pool. */
  async recycle(): Promise<void> {
    const old = this.pool;
    this.pool = this.open();
    await old.end();
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}
