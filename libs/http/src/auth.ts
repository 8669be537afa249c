/**
 * Bearer JWT authentication (HS256 only). The verified claims become the request's `Actor`;
 * every failure is a 401 carrying `WWW-Authenticate: Bearer` (added by the error handler).
 */

import type { RequestHandler, Response } from 'express';
import { UnauthenticatedError, type Actor } from '@wf/engine';
import { verifyAccessToken, type Logger } from '@wf/runtime';
import { logOf } from './request-context';

const BEARER = /^Bearer +(\S+) *$/i;

/** Verify the bearer token and put its `Actor` on `res.locals.actor` (read it with `actorOf`). */
export function authenticate(secret: string, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    if (header === undefined || header.trim() === '') {
      throw new UnauthenticatedError('Missing bearer token');
    }
    const match = BEARER.exec(header);
    if (!match?.[1]) {
      throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
    }
    const actor = verifyAccessToken(secret, match[1]);
    res.locals.actor = actor;
    res.locals.log = logOf(res, logger).child({ tenantId: actor.tenantId, userId: actor.userId });
    next();
  };
}

/** The verified caller. Only valid behind `authenticate`; a missing actor is a wiring bug. */
export function actorOf(res: Response): Actor {
  const actor: unknown = res.locals.actor;
  if (typeof actor !== 'object' || actor === null) {
    throw new Error('actorOf: no actor on this request (is the route mounted behind authenticate?)');
  }
  return actor as Actor;
}
