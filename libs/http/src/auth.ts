/**
 * Authentication of /api and /graphql. A caller is one of:
 * - a bearer HS256 token signed with AUTH_JWT_SECRET (the token CLI's, the tools');
 * - a bearer RS256 token of the OpenID provider (AUTH_OIDC_ISSUER), checked against its JWKS;
 * - the web app's `wf_session` cookie. A cookie is sent by the browser whoever made the page, so
 *   a cookie-authenticated request that changes something (POST, PUT, PATCH, DELETE) must also
 *   carry the session's `X-CSRF-Token` (403 `CSRF_TOKEN_INVALID`). A bearer needs none: no
 *   browser attaches it by itself.
 * The verified claims become the request's `Actor`; every 401 carries `WWW-Authenticate: Bearer`
 * (added by the error handler).
 */

import type { Request, RequestHandler, Response } from 'express';
import cookieParser from 'cookie-parser';
import { decodeProtectedHeader } from 'jose';
import { UnauthenticatedError, type Actor } from '@wf/engine';
import { verifyAccessToken, type Logger } from '@wf/runtime';
import { logOf } from './request-context';
import { SAFE_METHODS, sessionOf, type WebAuth } from './web-auth';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Verify the caller and put its `Actor` on `res.locals.actor` (read it with `actorOf`). Without
 * `webAuth` only HS256 bearer tokens are accepted.
 */
export function authenticate(secret: string, logger: Logger, webAuth?: WebAuth): RequestHandler {
  const parseCookies = cookieParser();
  return async (req, res, next) => {
    const header = req.get('authorization');
    let actor: Actor;
    if (header !== undefined && header.trim() !== '') {
      actor = await bearerActor(header, secret, webAuth);
    } else {
      const session = webAuth ? await withCookies(parseCookies, req, res).then(() => sessionOf(webAuth, req)) : null;
      if (!webAuth || !session) throw new UnauthenticatedError('Missing bearer token');
      if (!SAFE_METHODS.has(req.method)) webAuth.csrf.check(req, session.sessionId);
      actor = session.actor;
      // read by streams that must end with their credential (as a bearer's `exp` is)
      res.locals.sessionExpiresAt = session.expiresAt;
    }
    res.locals.actor = actor;
    res.locals.log = logOf(res, logger).child({ tenantId: actor.tenantId, userId: actor.userId });
    next();
  };
}

async function bearerActor(header: string, secret: string, webAuth: WebAuth | undefined): Promise<Actor> {
  const match = BEARER.exec(header);
  if (!match?.[1]) {
    throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
  }
  const token = match[1];
  // the provider signs with its private key; our own tokens are HS256 (and verifyAccessToken refuses any other algorithm)
  if (webAuth?.oidc && algorithmOf(token) === 'RS256') return webAuth.oidc.verifyBearer(token);
  return verifyAccessToken(secret, token);
}

function algorithmOf(token: string): unknown {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

function withCookies(parse: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    void parse(req, res, (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
  });
}

/** The verified caller. Only valid behind `authenticate`; a missing actor is a wiring bug. */
export function actorOf(res: Response): Actor {
  const actor: unknown = res.locals.actor;
  if (typeof actor !== 'object' || actor === null) {
    throw new Error('actorOf: no actor on this request (is the route mounted behind authenticate?)');
  }
  return actor as Actor;
}
