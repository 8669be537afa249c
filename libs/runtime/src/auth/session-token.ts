/**
 * The web app's session: an HS256 JWT in the `wf_session` cookie, signed with AUTH_JWT_SECRET
 * like the bearer tokens but with its own `typ` and `aud`, so that neither is ever accepted as
 * the other (a stolen cookie is not an API token, and a bearer token pasted into a cookie skips
 * no CSRF check). Its random `sid` is what the CSRF token is bound to.
 */

import { randomBytes } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { UnauthenticatedError, type Actor } from '@wf/engine';

/** The `aud` of every session token; `verifyAccessToken` refuses tokens that carry it. */
export const SESSION_AUDIENCE = 'workflow-engine:web-session';
/** The `typ` header of every session token (RFC 8725 explicit typing). */
const SESSION_TYP = 'wf-session+jwt';

export type SignInMethod = 'dev' | 'oidc';

export interface WebSession {
  readonly actor: Actor;
  readonly method: SignInMethod;
  /** random per sign-in: the CSRF token is bound to it */
  readonly sessionId: string;
  readonly expiresAt: Date;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  tenant: z.guid(),
  roles: z.array(z.string()),
  method: z.enum(['dev', 'oidc']),
  sid: z.string().min(16),
  exp: z.number(),
});

const encoder = new TextEncoder();
const keyOf = (secret: string) => encoder.encode(secret);

/** A new session for `actor`, lasting `hours`, and its token. */
export async function signSessionToken(secret: string, input: { actor: Actor; method: SignInMethod; hours: number; now?: Date }): Promise<{ token: string; session: WebSession }> {
  const now = input.now ?? new Date();
  const exp = Math.floor(now.getTime() / 1000 + input.hours * 3600);
  const session: WebSession = { actor: input.actor, method: input.method, sessionId: randomBytes(18).toString('base64url'), expiresAt: new Date(exp * 1000) };
  const token = await new SignJWT({ tenant: input.actor.tenantId, roles: [...input.actor.roles], method: input.method, sid: session.sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: SESSION_TYP })
    .setSubject(input.actor.userId)
    .setAudience(SESSION_AUDIENCE)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(exp)
    .sign(keyOf(secret));
  return { token, session };
}

/**
 * The session `token` carries; an `UnauthenticatedError` when it is not one of ours (bad
 * signature, a bearer token, wrong claims: `INVALID_SESSION`) or has run out (`SESSION_EXPIRED`).
 */
export async function verifySessionToken(secret: string, token: string): Promise<WebSession> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], audience: SESSION_AUDIENCE, typ: SESSION_TYP, requiredClaims: ['exp'] }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new UnauthenticatedError('Session expired: sign in again', 'SESSION_EXPIRED');
    throw new UnauthenticatedError('Invalid session: sign in again', 'INVALID_SESSION');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new UnauthenticatedError('Invalid session: sign in again', 'INVALID_SESSION');
  const { sub, tenant, roles, method, sid, exp } = claims.data;
  return {
    actor: Object.freeze({ tenantId: tenant.toLowerCase(), userId: sub, roles: Object.freeze([...roles]) }),
    method,
    sessionId: sid,
    expiresAt: new Date(exp * 1000),
  };
}
