/**
 * Access tokens: HS256 JWTs carrying `sub`, `tenant`, `roles` and `exp`. Signing and verifying
 * live together so the API, the token CLI and the tools mint exactly what the API accepts. A
 * token without `exp` is refused: a leaked token that never expires is valid until the secret
 * is rotated, so every token must say when it ends.
 */

import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { UnauthenticatedError, type Actor } from '@wf/engine';
import { SESSION_AUDIENCE } from './session-token';

const claimsSchema = z.object({
  sub: z.string().min(1),
  tenant: z.guid({ error: 'must be a UUID' }),
  roles: z.array(z.string()).default([]),
});

// jsonwebtoken turns a string secret into a key on every call, first by trying (and failing)
// to parse it as a public key; that costs about a millisecond per request. Build it once.
const keys = new Map<string, KeyObject>();
function keyFor(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

/** Lifetime `signToken` gives a token when the caller names none: one hour. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

/**
 * The caller a valid token names; every failure is an `UnauthenticatedError`: `INVALID_TOKEN`
 * (bad signature, algorithm or claims), `TOKEN_EXPIRED`, or `TOKEN_EXPIRY_REQUIRED` (no `exp`).
 */
export function verifyAccessToken(secret: string, token: string): Actor {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, keyFor(secret), { algorithms: ['HS256'] });
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new UnauthenticatedError('Token expired', 'TOKEN_EXPIRED');
    throw new UnauthenticatedError('Invalid token', 'INVALID_TOKEN');
  }
  // a web session (same secret, its own audience) is not a bearer token: its cookie is CSRF-checked, a bearer is not
  if (typeof payload === 'object' && [payload.aud].flat().includes(SESSION_AUDIENCE)) {
    throw new UnauthenticatedError('Invalid token: a web session is not a bearer token', 'INVALID_TOKEN');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    const fields = [...new Set(claims.error.issues.map((i) => String(i.path[0] ?? 'payload')))].join(', ');
    throw new UnauthenticatedError(`Invalid token claims: ${fields}`, 'INVALID_TOKEN');
  }
  // jsonwebtoken checks `exp` only when it is there (and refuses a non-numeric one)
  if (typeof payload !== 'object' || typeof payload.exp !== 'number') {
    throw new UnauthenticatedError('Token has no expiry: tokens must carry an "exp" claim', 'TOKEN_EXPIRY_REQUIRED');
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
  /** lifetime in seconds, written as `exp`; default `DEFAULT_TOKEN_LIFETIME_SECONDS` (one hour) */
  expiresInSeconds?: number;
}

/** An HS256 token with the claims `verifyAccessToken` reads: `sub`, `tenant`, `roles` and always `exp`. */
export function signToken(secret: string, input: SignTokenInput): string {
  return jwt.sign({ tenant: input.tenantId, roles: [...input.roles] }, keyFor(secret), {
    algorithm: 'HS256',
    subject: input.userId,
    expiresIn: input.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS,
  });
}

// The rest of authentication, exported with this module (the package index exports this file):
// web sessions, the OpenID provider's tokens, their claim mapping and the development people.
export * from './session-token';
export * from './oidc-token';
export * from './claim-mapping';
export * from './dev-people';
