/**
 * Per tenant-and-user request limit over fixed one-minute windows, answered with 429 and
 * `Retry-After`. State is in this process's memory: with N API replicas a caller may get up
 * to N times the limit, and a burst may straddle a window boundary.
 */

import type { RequestHandler } from 'express';
import { EngineError } from '@wf/engine';
import { actorOf } from './auth';

const WINDOW_MS = 60_000;

export interface RateLimitOptions {
  /** requests per caller per minute; 0 turns limiting off */
  perMinute: number;
  /** clock in epoch milliseconds, default `Date.now` */
  now?: () => number;
}

export class RateLimitedError extends EngineError {
  constructor(retryAfterSeconds: number) {
    super('rate_limited', 'RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds}s`, { retryAfterSeconds });
  }
}

/** Must run after `authenticate`: the caller is the token's tenant and user. */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const { perMinute, now = Date.now } = options;
  if (perMinute <= 0) return (_req, _res, next) => next();

  let window = -1;
  // Cleared when a new window starts, so it only ever holds this minute's callers.
  const counts = new Map<string, number>();

  return (_req, res, next) => {
    const at = now();
    const current = Math.floor(at / WINDOW_MS);
    if (current !== window) {
      window = current;
      counts.clear();
    }
    const actor = actorOf(res);
    const key = `${actor.tenantId}\u0000${actor.userId}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count > perMinute) {
      throw new RateLimitedError(Math.max(1, Math.ceil(((current + 1) * WINDOW_MS - at) / 1000)));
    }
    next();
  };
}
