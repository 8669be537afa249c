/**
 * CSRF protection of cookie-authenticated requests: csrf-csrf's signed double submit. The token
 * (an HMAC over the session id and a random value) is set in the `wf_csrf` cookie and handed to
 * the app in the session JSON; a request that changes something must send it back in
 * `X-CSRF-Token`. Bound to the session id, a token of one session is worthless in another, and a
 * cross-site page can neither read it nor set the header without a CORS preflight.
 */

import { createHmac } from 'node:crypto';
import type { Request, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { CSRF_COOKIE } from './cookies';
import { CsrfTokenInvalidError } from './errors';

export interface CsrfGuard {
  /** the token for `sessionId`: the cookie's when it is still valid for it, else a new one (and the cookie) */
  tokenFor(req: Request, res: Response, sessionId: string): string;
  /** throws `CsrfTokenInvalidError` unless the request carries `sessionId`'s token in header and cookie */
  check(req: Request, sessionId: string): void;
}

/** Methods that change nothing: no token needed. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfGuard(jwtSecret: string, secure: boolean): CsrfGuard {
  // its own key, derived from the one secret, so a CSRF HMAC can never double as a token signature
  const secret = createHmac('sha256', jwtSecret).update('workflow-engine csrf v1').digest('hex');
  // csrf-csrf asks the request for its session id; the caller says which session it checks
  const sessionIds = new WeakMap<Request, string>();
  const csrf = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => sessionIds.get(req) ?? '',
    cookieName: CSRF_COOKIE,
    cookieOptions: { httpOnly: true, sameSite: 'strict', secure, path: '/' },
    getCsrfTokenFromRequest: (req) => req.get('x-csrf-token'),
  });
  return {
    tokenFor(req, res, sessionId) {
      sessionIds.set(req, sessionId);
      return csrf.generateCsrfToken(req, res);
    },
    check(req, sessionId) {
      sessionIds.set(req, sessionId);
      if (!csrf.validateRequest(req)) throw new CsrfTokenInvalidError();
    },
  };
}
