/**
 * Bearer JWT authentication (HS256 only). The verified claims become the request's `Actor`;
 * every failure is a 401 carrying `WWW-Authenticate: Bearer` (added by the error handler).
 */

import type { RequestHandler, Response } from 'express';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { UnauthenticatedError, type Actor } from '@wf/engine';
import type { Logger } from '@wf/runtime';
import { logOf } from './request-context';
import { idSchema } from './schemas';

const BEARER = /^Bearer +(\S+) *$/i;

const claimsSchema = z.object({
  sub: z.string().min(1),
  tenant: idSchema,
  roles: z.array(z.string()).default([]),
});

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
    const actor = verifyToken(secret, match[1]);
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

export function verifyToken(secret: string, token: string): Actor {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secret, { algorithms: ['HS256'] });
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new UnauthenticatedError('Token expired', 'TOKEN_EXPIRED');
    throw new UnauthenticatedError('Invalid token', 'INVALID_TOKEN');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    const fields = [...new Set(claims.error.issues.map((i) => String(i.path[0] ?? 'payload')))].join(', ');
    throw new UnauthenticatedError(`Invalid token claims: ${fields}`, 'INVALID_TOKEN');
  }
  return Object.freeze({
    tenantId: claims.data.tenant.toLowerCase(),
    userId: claims.data.sub,
    roles: Object.freeze([...claims.data.roles]),
  });
}

export interface SignTokenInput {
  tenantId: string;
  userId: string;
  roles: readonly string[];
  /** lifetime; omitted means the token has no `exp` and never expires */
  expiresInSeconds?: number;
}

/** An HS256 token with the claims `authenticate` reads: `sub`, `tenant`, `roles` (and `exp`). */
export function signToken(secret: string, input: SignTokenInput): string {
  return jwt.sign({ tenant: input.tenantId, roles: [...input.roles] }, secret, {
    algorithm: 'HS256',
    subject: input.userId,
    ...(input.expiresInSeconds === undefined ? {} : { expiresIn: input.expiresInSeconds }),
  });
}
