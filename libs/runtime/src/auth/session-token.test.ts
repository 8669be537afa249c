import { SignJWT } from 'jose';
import { EngineError } from '@wf/engine';
import { signToken, verifyAccessToken } from './access-token';
import { signSessionToken, verifySessionToken } from './session-token';

const SECRET = 'session-token-test-secret';
const TENANT = '0a000000-0000-4000-8000-00000000000a';
const actor = { tenantId: TENANT, userId: 'ann', roles: ['manager'] };

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof EngineError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('session tokens', () => {
  it('round-trip the actor, the method, a random session id and the expiry', async () => {
    const now = new Date();
    const a = await signSessionToken(SECRET, { actor, method: 'oidc', hours: 8, now });
    const b = await signSessionToken(SECRET, { actor, method: 'oidc', hours: 8, now });
    expect(a.session.sessionId).not.toBe(b.session.sessionId);
    expect(a.session.expiresAt.getTime()).toBe(Math.floor(now.getTime() / 1000 + 8 * 3600) * 1000);
    expect(await verifySessionToken(SECRET, a.token)).toEqual(a.session);
  });

  it('are refused once expired, or under another secret', async () => {
    const expired = await signSessionToken(SECRET, { actor, method: 'dev', hours: 1, now: new Date(Date.now() - 2 * 3600_000) });
    expect(await refusal(verifySessionToken(SECRET, expired.token))).toBe('SESSION_EXPIRED');
    const other = await signSessionToken('another-secret', { actor, method: 'dev', hours: 1 });
    expect(await refusal(verifySessionToken(SECRET, other.token))).toBe('INVALID_SESSION');
  });

  it('are not bearer tokens, and bearer tokens are not sessions', async () => {
    const { token } = await signSessionToken(SECRET, { actor, method: 'dev', hours: 1 });
    expect(() => verifyAccessToken(SECRET, token)).toThrow('a web session is not a bearer token');
    expect(await refusal(verifySessionToken(SECRET, signToken(SECRET, actor)))).toBe('INVALID_SESSION');
    // the session's audience without its typ header is no session either
    const untyped = await new SignJWT({ tenant: TENANT, roles: [], method: 'dev', sid: 'x'.repeat(24) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ann')
      .setAudience('workflow-engine:web-session')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect(await refusal(verifySessionToken(SECRET, untyped))).toBe('INVALID_SESSION');
  });
});
