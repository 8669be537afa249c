/**
 * Per tenant-and-user request limit (express-rate-limit, one-minute windows), answered with 429
 * and `Retry-After` through the one error handler. Counters live in this process's memory: with
 * N API replicas a caller may get up to N times the limit.
 */

import type { Request, RequestHandler, Response } from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import { EngineError } from '@wf/engine';
import { actorOf } from './auth';

const WINDOW_MS = 60_000;

export interface RateLimitOptions {
  /** requests per caller per minute; 0 turns limiting off */
  perMinute: number;
}

class RateLimitedError extends EngineError {
  constructor(retryAfterSeconds: number) {
    super('rate_limited', 'RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds}s`, { retryAfterSeconds });
  }
}

/** Over the limit: 429 with the seconds until the window resets. */
const refuse: RequestHandler = (req, _res, next) => {
  const reset = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  const seconds = reset ? Math.max(1, Math.ceil((reset.getTime() - Date.now()) / 1000)) : 60;
  next(new RateLimitedError(seconds));
};

/**
 * A budget of `perMinute` requests per key (express-rate-limit's default key is the client
 * address); over it, 429 with Retry-After. Zero turns it off.
 */
function limiter(options: RateLimitOptions, keyGenerator?: (req: Request, res: Response) => string): RequestHandler {
  if (options.perMinute <= 0) return (_req, _res, next) => next();
  return expressRateLimit({
    windowMs: WINDOW_MS,
    limit: options.perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(keyGenerator ? { keyGenerator } : {}),
    handler: refuse,
  });
}

/** Must run after `authenticate`: the caller is the token's tenant and user. */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  return limiter(options, (_req, res) => {
    const actor = actorOf(res);
    return `${actor.tenantId}:${actor.userId}`;
  });
}

/**
 * For routes served without a token (callback URLs): the same budget, counted per client address,
 * so a stream of guessed tokens is throttled before any of them is checked.
 */
export function rateLimitByAddress(options: RateLimitOptions): RequestHandler {
  return limiter(options);
}
