/**
 * Which Postgres and which queue backend a process uses, decided once at start-up and said in the
 * log. Told nothing, the engine takes what answers on the default ports (127.0.0.1:5432 and
 * 127.0.0.1:6379); where nothing answers it runs an embedded PostgreSQL and keeps the queues in it.
 * DATABASE_URL, REDIS_URL and QUEUE_BACKEND override the guess, and production never guesses
 * (the configuration already refused to load without them).
 */

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@wf/db';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, withDatabase, withQueueBackend, type Config } from '../config/config';
import type { StoreKind } from '../engine-runtime';
import { answers } from './port-probe';

export interface StoreChoice {
  /** the configuration with its database URLs and queue backend decided */
  readonly config: Config;
  readonly store: StoreKind;
  /** the running embedded server (stop it after everything that uses it), or null */
  readonly embedded: EmbeddedPostgres | null;
  /** one sentence per decision, with its reason, for the start-up log */
  readonly reasons: readonly string[];
}

export interface ChooseOptions {
  /**
   * false (the health check): where the engine would start the embedded server, look for the one
   * it runs instead (its port is in the data directory's postmaster.pid). Default true.
   */
  readonly startEmbedded?: boolean;
}

export async function chooseStores(config: Config, opts: ChooseOptions = {}): Promise<StoreChoice> {
  const reasons: string[] = [];
  let chosen = config;
  let store: StoreKind = 'external';
  let embedded: EmbeddedPostgres | null = null;
  const pg = new URL(DEFAULT_DATABASE_URL);
  if (config.databaseUrlGiven) {
    reasons.push(`DATABASE_URL is set: using PostgreSQL at ${hostPort(config.migrationUrl, 5432)}`);
  } else if (config.embeddedPostgres === 'never') {
    reasons.push(`DATABASE_URL not set and WORKFLOW_EMBEDDED_POSTGRES=false: using PostgreSQL at ${pg.host}`);
  } else if (config.embeddedPostgres === 'auto' && (await answers(pg.hostname, Number(pg.port)))) {
    reasons.push(`DATABASE_URL not set; PostgreSQL answers on ${pg.host}: using it`);
  } else if (opts.startEmbedded === false) {
    const dataDir = resolve(config.dataDir, 'postgres');
    const port = await runningPort(dataDir);
    store = 'embedded';
    // nothing listening on port 1 makes the checks fail with "cannot reach"
    chosen = withDatabase(chosen, `postgres://postgres@127.0.0.1:${port ?? 1}${pg.pathname}`);
    reasons.push(port === null ? `no embedded PostgreSQL runs in ${config.dataDir}/postgres (npm start runs it)` : `embedded PostgreSQL in ${config.dataDir}/postgres on 127.0.0.1:${port}`);
  } else {
    if (config.isProduction) throw new Error('NODE_ENV=production never starts an embedded PostgreSQL: set DATABASE_URL');
    const dataDir = resolve(config.dataDir, 'postgres');
    embedded = await startEmbeddedPostgres({ dataDir });
    const url = new URL(embedded.url);
    url.pathname = pg.pathname;
    chosen = withDatabase(chosen, url.toString());
    store = 'embedded';
    const why = config.embeddedPostgres === 'always' ? 'WORKFLOW_EMBEDDED_POSTGRES=true' : `DATABASE_URL not set and nothing on ${pg.host}`;
    reasons.push(
      `${why}: using embedded PostgreSQL ${embedded.majorVersion} in ${config.dataDir}/postgres on 127.0.0.1:${embedded.port}` +
        (embedded.initialised ? ' (initialised now)' : '') +
        (embedded.recoveredStaleLock ? ' (recovered after an unclean stop)' : ''),
    );
  }
  if (config.queueBackend === 'auto') {
    const redis = new URL(DEFAULT_REDIS_URL);
    if (await answers(redis.hostname, Number(redis.port))) {
      chosen = withQueueBackend(chosen, 'redis');
      reasons.push(`REDIS_URL not set; Redis answers on ${redis.host}: queues on Redis`);
    } else {
      chosen = withQueueBackend(chosen, 'postgres');
      reasons.push(`REDIS_URL not set and nothing on ${redis.host}: queues on PostgreSQL (BullMQ's postgres backend, schema bullmq)`);
    }
  } else if (config.queueBackend === 'redis') {
    reasons.push(`queues on Redis at ${hostPort(config.redisUrl, 6379)} (${config.queueBackendFrom === 'QUEUE_BACKEND' ? 'QUEUE_BACKEND=redis' : 'REDIS_URL is set'})`);
  } else {
    reasons.push("queues on PostgreSQL (QUEUE_BACKEND=postgres: BullMQ's postgres backend, schema bullmq)");
  }
  return { config: chosen, store, embedded, reasons };
}

/** The port in a running server's postmaster.pid (its fourth line), or null when there is none. */
async function runningPort(dataDir: string): Promise<number | null> {
  const lock = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  const port = Number(lock?.split('\n')[3]);
  return Number.isInteger(port) && port > 0 && (await answers('127.0.0.1', port)) ? port : null;
}

function hostPort(url: string, defaultPort: number): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || defaultPort}`;
}
