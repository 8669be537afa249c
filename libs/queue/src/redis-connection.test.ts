import { describeRedisUrl, isRedisReachabilityError, redisRetryDelayMs } from './redis-connection';

describe('redisRetryDelayMs', () => {
  it('doubles from 250 ms and stops at 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(redisRetryDelayMs)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });
});

describe('isRedisReachabilityError', () => {
  it('tells "cannot reach" errors from the others', () => {
    expect(isRedisReachabilityError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRedisReachabilityError(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisReachabilityError(new Error('WRONGPASS invalid username-password pair'))).toBe(false);
    expect(isRedisReachabilityError('ECONNREFUSED')).toBe(false);
  });
});

describe('describeRedisUrl', () => {
  it('gives host:port without credentials', () => {
    expect(describeRedisUrl('redis://user:secret@cache.internal:6380/2')).toBe('cache.internal:6380');
    expect(describeRedisUrl('redis://localhost')).toBe('localhost:6379');
  });
});
