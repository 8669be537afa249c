import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { EngineError } from '@wf/engine';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, signToken, verifyAccessToken } from './access-token';

const SECRET = 'access-token-test-secret';
const TENANT = '00000000-0000-0000-0000-000000000001';

/** An HS256 token of any payload, even one jsonwebtoken's sign would refuse. */
function handSigned(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`;
}

/** The error verifyAccessToken throws for `token`. */
function refusal(token: string): EngineError {
  try {
    verifyAccessToken(SECRET, token);
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the token to be refused');
}

describe('signToken', () => {
  it('always writes exp: an hour unless told otherwise', () => {
    const before = Math.floor(Date.now() / 1000);
    const claims = jwt.decode(signToken(SECRET, { tenantId: TENANT, userId: 'ann', roles: ['clerk'] })) as jwt.JwtPayload;
    expect(DEFAULT_TOKEN_LIFETIME_SECONDS).toBe(3600);
    expect(claims.exp).toBeGreaterThanOrEqual(before + 3600);
    expect(claims.exp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
    expect(claims).toMatchObject({ sub: 'ann', tenant: TENANT, roles: ['clerk'] });
  });

  it('uses the lifetime given', () => {
    const claims = jwt.decode(signToken(SECRET, { tenantId: TENANT, userId: 'ann', roles: [], expiresInSeconds: 30 * 24 * 3600 })) as jwt.JwtPayload;
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(30 * 24 * 3600);
  });
});

describe('verifyAccessToken', () => {
  it('accepts what signToken mints', () => {
    expect(verifyAccessToken(SECRET, signToken(SECRET, { tenantId: TENANT.toUpperCase(), userId: 'ann', roles: ['a'] }))).toEqual({
      tenantId: TENANT,
      userId: 'ann',
      roles: ['a'],
    });
  });

  it('refuses a token without exp with TOKEN_EXPIRY_REQUIRED', () => {
    const err = refusal(jwt.sign({ sub: 'ann', tenant: TENANT, roles: [] }, SECRET, { algorithm: 'HS256' }));
    expect(err.code).toBe('TOKEN_EXPIRY_REQUIRED');
    expect(err.message).toBe('Token has no expiry: tokens must carry an "exp" claim');
  });

  it('refuses an exp that is not a number, an expired token, and wrong claims by their own codes', () => {
    expect(refusal(handSigned({ sub: 'ann', tenant: TENANT, exp: 'tomorrow' })).code).toBe('INVALID_TOKEN');
    expect(refusal(handSigned({ sub: 'ann', tenant: TENANT, exp: null })).code).toBe('INVALID_TOKEN');
    expect(refusal(signToken(SECRET, { tenantId: TENANT, userId: 'ann', roles: [], expiresInSeconds: -10 })).code).toBe('TOKEN_EXPIRED');
    // claims are judged before the expiry: a token wrong in both says what is wrong with its claims
    const noTenant = refusal(jwt.sign({ sub: 'ann', tenant: 'acme' }, SECRET, { algorithm: 'HS256' }));
    expect({ code: noTenant.code, message: noTenant.message }).toEqual({ code: 'INVALID_TOKEN', message: 'Invalid token claims: tenant' });
  });
});
