/**
 * Callback URLs of waiting receive nodes, for systems that cannot send our bearer tokens: the
 * token names the tenant, the execution and its current nonce, signed with HMAC-SHA256 under a
 * key derived from AUTH_JWT_SECRET for this use alone. Rotating the nonce (a new token) makes the
 * old one useless; using one stores a message under the nonce, so it works once.
 */

import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { CallbackRef } from '@wf/engine';

const VERSION = 'c1';
const KEY_LABEL = 'workflow-engine/callback/v1';
const MAX_TOKEN_LENGTH = 512;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class CallbackKeys {
  private readonly key: Buffer;

  constructor(jwtSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', jwtSecret, Buffer.alloc(0), KEY_LABEL, 32));
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }

  sign(ref: CallbackRef): string {
    const body = `${VERSION}.${ref.tenantId}.${ref.executionId}.${ref.nonce}`;
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The reference a token carries, or null when it is malformed or not ours. */
  verify(token: string): CallbackRef | null {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
    const parts = token.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) return null;
    const [version, tenantId, executionId, nonce, signature] = parts as [string, string, string, string, string];
    if (!UUID.test(tenantId) || !UUID.test(executionId) || !UUID.test(nonce)) return null;
    const expected = this.mac(`${version}.${tenantId}.${executionId}.${nonce}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { tenantId, executionId, nonce };
  }
}
