/**
 * The approve and reject links of approval mails carry a token: one tenant, task, user and action,
 * the roles the user acts with, a unique id (single use is recorded under it), an expiry, and a
 * keyed hash of the address the mail went to. `v1.<payload>.<signature>`, base64url, signed with
 * HMAC-SHA256 under a key derived from AUTH_JWT_SECRET for this use alone: a bearer token is
 * never an email token, nor the reverse, and neither key can be learnt from the other.
 *
 * The payload is readable (base64, not encrypted): it holds ids, never the address itself.
 */

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const EMAIL_ACTIONS = ['approve', 'reject'] as const;
export type EmailAction = (typeof EMAIL_ACTIONS)[number];

export interface EmailActionClaims {
  readonly tenantId: string;
  readonly taskId: string;
  readonly userId: string;
  readonly action: EmailAction;
  /** the roles the user acts with (a role task's role for a `notify.users` recipient), never admin */
  readonly roles: readonly string[];
  /** the link's unique id: using it is recorded under this */
  readonly jti: string;
  readonly expiresAt: Date;
  /** keyed hash of the address the link was mailed to (`addressHash`) */
  readonly addressHash: string;
}

/** Why a token is refused: `invalid` covers malformed, tampered and signed with another key. */
type TokenRefusal = 'invalid' | 'expired' | 'wrong_action';
type TokenCheck = { readonly ok: true; readonly claims: EmailActionClaims } | { readonly ok: false; readonly reason: TokenRefusal };

const VERSION = 'v1';
/** Longer than any token this module makes; longer input is refused before any work. */
const MAX_TOKEN_LENGTH = 8192;
const KEY_LABEL = 'workflow-engine/email-action/v1';

// ids as the engine takes them: a tenant is any GUID (the development tenant is ...0001)
const payloadSchema = z.strictObject({
  t: z.guid(),
  k: z.guid(),
  u: z.string().min(1),
  a: z.enum(EMAIL_ACTIONS),
  r: z.array(z.string().min(1)).max(20),
  j: z.guid(),
  e: z.number().int().positive(),
  h: z.string().min(1).max(100),
});

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class EmailActionKeys {
  private readonly key: Buffer;

  constructor(jwtSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', jwtSecret, Buffer.alloc(0), KEY_LABEL, 32));
  }

  private mac(label: string, data: string): Buffer {
    return createHmac('sha256', this.key).update(label).update('\0').update(data).digest();
  }

  /** The hash a token binds its address with: case and surrounding spaces do not count. */
  addressHash(address: string): string {
    return b64(this.mac('address', address.trim().toLowerCase()).subarray(0, 16));
  }

  sign(claims: EmailActionClaims): string {
    const payload = b64(
      JSON.stringify({
        t: claims.tenantId,
        k: claims.taskId,
        u: claims.userId,
        a: claims.action,
        r: claims.roles,
        j: claims.jti,
        e: Math.floor(claims.expiresAt.getTime() / 1000),
        h: claims.addressHash,
      }),
    );
    return `${VERSION}.${payload}.${b64(this.mac('token', `${VERSION}.${payload}`))}`;
  }

  /**
   * The token's claims when its signature holds, it is for `action` (the link's path says which)
   * and it has not expired at `now`. Nothing but a good signature is read: a tampered token is
   * `invalid` whatever it claims, never `expired`.
   */
  verify(token: string, action: string, now: Date): TokenCheck {
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'invalid' };
    const [version, payload, signature, ...rest] = token.split('.');
    if (version !== VERSION || !payload || !signature || rest.length > 0) return { ok: false, reason: 'invalid' };
    const expected = this.mac('token', `${version}.${payload}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    let parsed;
    try {
      parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    if (!parsed.success) return { ok: false, reason: 'invalid' };
    const p = parsed.data;
    if (p.a !== action) return { ok: false, reason: 'wrong_action' };
    const expiresAt = new Date(p.e * 1000);
    if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { tenantId: p.t, taskId: p.k, userId: p.u, action: p.a, roles: p.r, jti: p.j, expiresAt, addressHash: p.h } };
  }

  /** Whether `address` is the one the token was mailed to. */
  addressMatches(claims: EmailActionClaims, address: string): boolean {
    const given = Buffer.from(this.addressHash(address));
    const bound = Buffer.from(claims.addressHash);
    return given.length === bound.length && timingSafeEqual(given, bound);
  }
}
