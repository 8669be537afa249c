import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connections for BullMQ. Workers block and must wait out Redis outages
 * (`maxRetriesPerRequest: null`); producers in request paths fail fast instead, so an API call
 * never hangs on a Redis that is down.
 */
export function createRedisConnection(url: string, role: 'worker' | 'producer'): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  return new Redis(url, { ...options, lazyConnect: false });
}
