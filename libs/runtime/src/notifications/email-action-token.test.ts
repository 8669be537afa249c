import { EmailActionKeys, type EmailActionClaims } from './email-action-token';

const NOW = new Date('2030-01-01T12:00:00Z');
const keys = new EmailActionKeys('test-secret');

function claims(over: Partial<EmailActionClaims> = {}): EmailActionClaims {
  return {
    tenantId: '0a000000-0000-4000-8000-00000000000a',
    taskId: '11111111-1111-4111-8111-111111111111',
    userId: 'alice',
    action: 'approve',
    roles: ['manager'],
    jti: '22222222-2222-4222-8222-222222222222',
    expiresAt: new Date(NOW.getTime() + 72 * 3_600_000),
    addressHash: keys.addressHash('alice@example.com'),
    ...over,
  };
}

/** The token with its payload re-encoded after `edit`, the signature left as it was. */
function withPayload(token: string, edit: (payload: Record<string, unknown>) => void): string {
  const [version, payload, signature] = token.split('.');
  const decoded = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  edit(decoded);
  return `${version}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${signature}`;
}

describe('email action tokens', () => {
  it('give back what they were signed with, for their own action, until they expire', () => {
    const token = keys.sign(claims());
    const checked = keys.verify(token, 'approve', NOW);
    expect(checked).toEqual({ ok: true, claims: { ...claims(), expiresAt: new Date(Math.floor(claims().expiresAt.getTime() / 1000) * 1000) } });
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuse a tampered token as invalid: another user, task, action, roles or expiry, a changed signature', () => {
    const token = keys.sign(claims());
    const edits: ((p: Record<string, unknown>) => void)[] = [
      (p) => (p.u = 'mallory'),
      (p) => (p.k = '33333333-3333-4333-8333-333333333333'),
      (p) => (p.a = 'reject'),
      (p) => (p.r = ['admin']),
      (p) => (p.e = (p.e as number) + 3600),
    ];
    for (const edit of edits) {
      expect(keys.verify(withPayload(token, edit), 'approve', NOW)).toEqual({ ok: false, reason: 'invalid' });
      expect(keys.verify(withPayload(token, edit), 'reject', NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
    const flipped = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect(keys.verify(flipped, 'approve', NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuse a token signed under another secret, or with the bearer tokens\' key, and garbage', () => {
    const other = new EmailActionKeys('another-secret').sign(claims());
    expect(keys.verify(other, 'approve', NOW)).toEqual({ ok: false, reason: 'invalid' });
    for (const garbage of ['', 'v1', 'v1..', 'v2.e30.AAAA', `${keys.sign(claims())}.extra`, 'x'.repeat(9000)]) {
      expect(keys.verify(garbage, 'approve', NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('take the development tenant, whose id is a GUID but no RFC 4122 UUID', () => {
    const token = keys.sign(claims({ tenantId: '00000000-0000-0000-0000-000000000001' }));
    expect(keys.verify(token, 'approve', NOW)).toMatchObject({ ok: true, claims: { tenantId: '00000000-0000-0000-0000-000000000001' } });
  });

  it('refuse a well-signed payload of the wrong shape', () => {
    // a token from a future version with a field this one does not know
    const signed = keys.sign(claims());
    expect(keys.verify(withPayload(signed, (p) => (p.x = 1)), 'approve', NOW).ok).toBe(false);
  });

  it('refuse an approve token used as a reject link, and the reverse', () => {
    expect(keys.verify(keys.sign(claims()), 'reject', NOW)).toEqual({ ok: false, reason: 'wrong_action' });
    expect(keys.verify(keys.sign(claims({ action: 'reject' })), 'approve', NOW)).toEqual({ ok: false, reason: 'wrong_action' });
    expect(keys.verify(keys.sign(claims()), 'delegate', NOW)).toEqual({ ok: false, reason: 'wrong_action' });
  });

  it('expire at their expiry, to the second', () => {
    const expiresAt = new Date(NOW.getTime() + 60_000);
    const token = keys.sign(claims({ expiresAt }));
    expect(keys.verify(token, 'approve', new Date(expiresAt.getTime() - 1000)).ok).toBe(true);
    expect(keys.verify(token, 'approve', expiresAt)).toEqual({ ok: false, reason: 'expired' });
    expect(keys.verify(token, 'approve', new Date(expiresAt.getTime() + 3_600_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('say an expired token that was also tampered with is invalid, not expired', () => {
    const token = withPayload(keys.sign(claims({ expiresAt: new Date(NOW.getTime() - 1000) })), (p) => (p.u = 'mallory'));
    expect(keys.verify(token, 'approve', NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('bind the address it was mailed to, whatever its case, and nothing else', () => {
    const c = claims();
    expect(keys.addressMatches(c, 'alice@example.com')).toBe(true);
    expect(keys.addressMatches(c, '  Alice@Example.COM ')).toBe(true);
    expect(keys.addressMatches(c, 'bob@example.com')).toBe(false);
    expect(keys.addressMatches(c, '')).toBe(false);
    // the token holds a keyed hash, not the address
    expect(Buffer.from(keys.sign(c).split('.')[1] ?? '', 'base64url').toString('utf8')).not.toContain('example.com');
  });
});
