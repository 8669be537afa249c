/**
 * Where the queues live, chosen once at start-up: Redis (the production default) or BullMQ's own
 * PostgreSQL backend in the engine's database (`createPostgresBackend`: a `bullmq` schema, jobs as
 * rows, LISTEN/NOTIFY wake-ups). The dispatcher, the workers, Bull Board and the health checks take
 * their queues from this one adapter, so nothing above it knows which backend runs.
 */

import { Queue, Worker, createPostgresBackend, type PostgresPoolConfig, type Processor, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { Pool } from 'pg';
import { createRedisConnection, describeRedisUrl, type RedisConnectionOptions } from './redis-connection';

export type QueueBackendKind = 'redis' | 'postgres';

/**
 * A BullMQ queue or worker over either backend. Typed as BullMQ's default (Redis) classes: the
 * engine, Bull Board and the metrics use only the backend-neutral API (add, counts, jobs, close),
 * which the PostgreSQL backend implements too.
 */
export type EngineQueue<T> = Queue<T>;
export type EngineWorker<T> = Worker<T>;

/** What a worker may set: connection and namespace are the backend's. */
export type EngineWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

export interface QueueBackend {
  readonly kind: QueueBackendKind;
  /** where the queues are, without credentials, for logs and health lines */
  readonly where: string;
  /** a producer queue (adds jobs, reads counts); the caller closes it */
  queue<T>(name: string): EngineQueue<T>;
  /** a consuming worker; the caller closes it */
  worker<T>(name: string, processor: Processor<T>, opts: EngineWorkerOptions): EngineWorker<T>;
  /** true while the backend answers (readiness) */
  ping(): Promise<boolean>;
  /** false while the backend is known to be unreachable (a worker then closes without waiting) */
  connected(): boolean;
  /** releases the backend's own connections (queues and workers are closed by their owners first) */
  close(): Promise<void>;
}

export interface RedisQueueBackendOptions extends RedisConnectionOptions {
  readonly url: string;
  /** QUEUE_PREFIX: several engines may share one Redis */
  readonly prefix: string;
}

/**
 * Redis: one producer connection (fails fast in request paths) shared by every queue, and one
 * worker connection (waits out outages) that BullMQ duplicates for each worker's blocking reads.
 */
export function createRedisQueueBackend(opts: RedisQueueBackendOptions): QueueBackend & { readonly producer: Redis } {
  const hooks: RedisConnectionOptions = opts.onRetry ? { onRetry: opts.onRetry } : {};
  const producer = createRedisConnection(opts.url, 'producer', hooks);
  let workerConnection: Redis | null = null;
  const workerRedis = (): Redis => {
    if (!workerConnection) {
      workerConnection = createRedisConnection(opts.url, 'worker');
      // reachability errors go to the retry hook; anything else is BullMQ's to report
      workerConnection.on('error', () => undefined);
    }
    return workerConnection;
  };
  return {
    kind: 'redis',
    where: `Redis at ${describeRedisUrl(opts.url)}`,
    producer,
    queue: <T>(name: string) => new Queue<T>(name, { connection: producer, prefix: opts.prefix }) as unknown as EngineQueue<T>,
    worker: <T>(name: string, processor: Processor<T>, workerOpts: EngineWorkerOptions) =>
      new Worker<T>(name, processor, { ...workerOpts, connection: workerRedis(), prefix: opts.prefix }) as unknown as EngineWorker<T>,
    ping: () => producer.ping().then(() => true, () => false),
    connected: () => producer.status === 'ready' && (workerConnection === null || workerConnection.status === 'ready'),
    close: async () => {
      producer.disconnect();
      workerConnection?.disconnect();
    },
  };
}

/** The schema BullMQ's PostgreSQL backend keeps its tables and functions in. */
export const QUEUE_SCHEMA = 'bullmq';

export interface PostgresQueueBackendOptions {
  /** the queue login's URL (workflow_queue): rights on the `bullmq` schema only */
  readonly url: string;
  /** connections of the producers' shared pool */
  readonly poolSize: number;
  readonly applicationName: string;
  /** told of pool errors (an idle connection lost) */
  readonly onError?: (err: Error) => void;
}

/**
 * PostgreSQL: the producers share one pool; each worker gets a pool of its own sized to its
 * concurrency and a dedicated LISTEN connection (BullMQ builds both from the config object). The
 * schema is migrated beforehand by the owner login (`migrateQueueSchema`), never from here: the
 * queue login may not create anything.
 */
export function createPostgresQueueBackend(opts: PostgresQueueBackendOptions): QueueBackend {
  const searchPath = `-c search_path=${QUEUE_SCHEMA}`;
  const producers = new Pool({ connectionString: opts.url, application_name: opts.applicationName, connectionTimeoutMillis: 5_000, keepAlive: true, max: opts.poolSize, options: searchPath });
  producers.on('error', (err) => opts.onError?.(err));
  let reachable = true;
  const where = `PostgreSQL (BullMQ's postgres backend, schema ${QUEUE_SCHEMA}) at ${describePgUrl(opts.url)}`;
  return {
    kind: 'postgres',
    where,
    queue: <T>(name: string) =>
      new Queue(name, { connection: producers }, createPostgresBackend) as unknown as EngineQueue<T>,
    worker: <T>(name: string, processor: Processor<T>, workerOpts: EngineWorkerOptions) => {
      // a pool per worker: its jobs' moves never wait behind the API's adds
      const connection: PostgresPoolConfig = {
        connectionString: opts.url,
        application_name: opts.applicationName,
        connectionTimeoutMillis: 5_000,
        keepAlive: true,
        schema: QUEUE_SCHEMA,
        max: Math.max(2, Math.ceil((workerOpts.concurrency ?? 1) / 2) + 1),
        skipMigrations: true,
      };
      return new Worker(name, processor as Processor, { ...workerOpts, connection }, createPostgresBackend) as unknown as EngineWorker<T>;
    },
    ping: () =>
      producers.query('SELECT 1').then(
        () => (reachable = true),
        () => (reachable = false),
      ),
    connected: () => reachable,
    close: () => producers.end(),
  };
}

/** host:port/database without credentials. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
