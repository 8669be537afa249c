/**
 * Access tokens: HS256 JWTs carrying `sub`, `tenant` and `roles`. Signing and verifying live
 * together so the API, the token CLI and the tools mint exactly what the API accepts.
 */

import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { UnauthenticatedError, type Actor } from '@wf/engine';

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

/** The caller a valid token names; every failure is an `UnauthenticatedError`. */
export function verifyAccessToken(secret: string, token: string): Actor {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, keyFor(secret), { algorithms: ['HS256'] });
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

/** An HS256 token with the claims `verifyAccessToken` reads: `sub`, `tenant`, `roles` (and `exp`). */
export function signToken(secret: string, input: SignTokenInput): string {
  return jwt.sign({ tenant: input.tenantId, roles: [...input.roles] }, keyFor(secret), {
    algorithm: 'HS256',
    subject: input.userId,
    ...(input.expiresInSeconds === undefined ? {} : { expiresIn: input.expiresInSeconds }),
  });
}
