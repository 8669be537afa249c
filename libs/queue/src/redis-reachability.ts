/**
 * The start-up check on Redis: a process refuses to start on a Redis it cannot reach, as it does
 * on a Postgres it cannot reach, instead of starting and retrying in the background.
 */

import { Redis } from 'ioredis';
import { describeRedisUrl } from './redis-connection';

/** How long Redis has to accept the connection and answer PING at start-up (default). */
export const REDIS_STARTUP_TIMEOUT_MS = 5_000;

export class RedisUnreachableError extends Error {
  readonly code = 'REDIS_UNREACHABLE';
  /** host:port, without credentials */
  readonly where: string;

  constructor(url: string, cause: unknown) {
    const where = describeRedisUrl(url);
    super(`Cannot reach Redis at ${where}: ${reason(cause)}. Is it running, and is REDIS_URL right?`);
    this.name = 'RedisUnreachableError';
    this.where = where;
  }
}

/**
 * Connect once and PING, within `timeoutMs`; throws RedisUnreachableError naming host and port.
 * The connection does not retry and is closed before this returns.
 */
export async function assertRedisReachable(url: string, timeoutMs = REDIS_STARTUP_TIMEOUT_MS): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([redis.connect().then(() => redis.ping()), timeout]);
  } catch (err) {
    // ioredis rejects with "Connection is closed."; its 'error' event said why
    throw new RedisUnreachableError(url, lastError ?? err);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

function reason(cause: unknown): string {
  const text = cause instanceof Error ? cause.message.trim() || (cause as NodeJS.ErrnoException).code || cause.name : String(cause);
  return text.replace(/\.+$/, '');
}
