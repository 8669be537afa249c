import { Redis, type RedisOptions } from 'ioredis';

/** First reconnect delay after Redis is lost; doubled per failed attempt. */
export const REDIS_RETRY_BASE_MS = 250;
/** Longest wait between reconnect attempts: how long a recovered Redis may go unnoticed. */
export const REDIS_RETRY_MAX_MS = 5_000;

/** Capped exponential backoff: 250, 500, 1000, 2000, 4000, then 5000 ms per attempt. */
export function redisRetryDelayMs(attempt: number): number {
  return Math.min(REDIS_RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1), REDIS_RETRY_MAX_MS);
}

/** One failed attempt to reach Redis, and when the next one is. */
export interface RedisRetry {
  /** host:port, without credentials */
  readonly where: string;
  /** 1 for the first reconnect after the connection was lost */
  readonly attempt: number;
  readonly delayMs: number;
  /** why the last attempt failed, when ioredis said */
  readonly error: Error | undefined;
}

export interface RedisConnectionOptions {
  /**
   * Told once per reconnect attempt, before the wait. Default: nothing. The engine's runtime
   * logs its producer connection's retries: one line per attempt for the whole process.
   */
  readonly onRetry?: (retry: RedisRetry) => void;
}

const REACHABILITY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);

/** The errors that only say Redis cannot be reached (the retry reports those). */
export function isRedisReachabilityError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && REACHABILITY_CODES.has(code)) || err.message === 'Connection is closed.';
}

/**
 * A connection that reports an outage once per reconnect attempt. ioredis emits `error` for
 * every failed connect of every connection, and BullMQ re-emits each one on every Queue and
 * Worker built on it (a Worker duplicates its connection twice): one outage made about eight log
 * lines a second. Here an error that only says Redis cannot be reached is kept from `error`
 * listeners and handed to `onRetry` with the attempt number instead; any other error is emitted
 * as usual. Duplicates (BullMQ's own Worker connections) behave the same and share the hook.
 */
class EngineRedis extends Redis {
  private lastError: Error | undefined;
  private readonly hooks: RedisConnectionOptions;
  private readonly where: string;

  constructor(target: string | RedisOptions, options: RedisOptions, hooks: RedisConnectionOptions, where: string) {
    // ioredis merges a URL (or an options object) with `options`, the first one winning
    super(target as string, options);
    this.hooks = hooks;
    this.where = where;
    // ioredis reads the strategy from the instance's own options at each reconnect
    this.options.retryStrategy = (attempt: number) => this.retryIn(attempt);
    // with no `error` listener at all ioredis prints each error to stderr itself
    this.on('error', (err: Error) => {
      this.lastError = err;
    });
    this.on('ready', () => {
      this.lastError = undefined;
    });
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error' && isRedisReachabilityError(args[0])) {
      this.lastError = args[0] as Error;
      return true;
    }
    return super.emit(event, ...args);
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new EngineRedis({ ...this.options, ...override }, {}, this.hooks, this.where);
  }

  private retryIn(attempt: number): number {
    const delayMs = redisRetryDelayMs(attempt);
    this.hooks.onRetry?.({ where: this.where, attempt, delayMs, error: this.lastError });
    return delayMs;
  }
}

/**
 * Connections for BullMQ. Workers block and must wait out Redis outages
 * (`maxRetriesPerRequest: null`); producers in request paths fail fast instead, so an API call
 * never hangs on a Redis that is down. Both reconnect for ever with `redisRetryDelayMs`, and
 * report an outage through `onRetry` rather than through `error` events (see EngineRedis).
 */
export function createRedisConnection(url: string, role: 'worker' | 'producer', opts: RedisConnectionOptions = {}): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  return new EngineRedis(url, { ...options, lazyConnect: false }, opts, describeRedisUrl(url));
}

/** host:port without credentials, for messages. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return '(unparseable REDIS_URL)';
  }
}
