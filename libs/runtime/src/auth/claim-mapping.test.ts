import { claimAt, describeClaimProblem, mapClaims } from './claim-mapping';

const TENANT = '0a000000-0000-4000-8000-00000000000a';
const PATHS = { tenant: 'tenant', roles: 'roles', user: 'sub' };

describe('claimAt', () => {
  it('reads a plain name, a dotted path, and a claim whose name is a URL with dots', () => {
    const claims = { tenant: 'a', org: { tenant: 'b', deep: { roles: ['r'] } }, 'https://acme.example/tenant': 'c', 'org.tenant': 'd' };
    expect(claimAt(claims, 'tenant')).toBe('a');
    expect(claimAt(claims, 'org.deep.roles')).toEqual(['r']);
    expect(claimAt(claims, 'https://acme.example/tenant')).toBe('c');
    // a key of its own wins over the path it looks like
    expect(claimAt(claims, 'org.tenant')).toBe('d');
    expect(claimAt({ 'https://acme.example/claims': { tenant: 'e' } }, 'https://acme.example/claims.tenant')).toBe('e');
  });

  it('finds nothing past a value that is not an object', () => {
    expect(claimAt({ org: 'x' }, 'org.tenant')).toBeUndefined();
    expect(claimAt({ org: ['x'] }, 'org.0')).toBeUndefined();
    expect(claimAt(null, 'tenant')).toBeUndefined();
    expect(claimAt({}, 'tenant')).toBeUndefined();
  });
});

describe('mapClaims', () => {
  it('maps tenant (lower-cased), user and roles', () => {
    expect(mapClaims({ sub: 'ann', tenant: TENANT.toUpperCase(), roles: ['manager', 'cfo', 'manager'] }, PATHS)).toEqual({
      ok: true,
      actor: { tenantId: TENANT, userId: 'ann', roles: ['manager', 'cfo'] },
    });
  });

  it("reads Keycloak's realm_access.roles, a namespaced tenant and another user claim", () => {
    const claims = { sub: 'f:1234', preferred_username: 'ann', 'https://acme.example/tenant': TENANT, realm_access: { roles: ['approver'] } };
    expect(mapClaims(claims, { tenant: 'https://acme.example/tenant', roles: 'realm_access.roles', user: 'preferred_username' })).toEqual({
      ok: true,
      actor: { tenantId: TENANT, userId: 'ann', roles: ['approver'] },
    });
  });

  it('takes no roles claim as no roles, and a space- or comma-separated string as a list', () => {
    expect(mapClaims({ sub: 'ann', tenant: TENANT }, PATHS)).toMatchObject({ ok: true, actor: { roles: [] } });
    expect(mapClaims({ sub: 'ann', tenant: TENANT, roles: 'a b,c' }, PATHS)).toMatchObject({ ok: true, actor: { roles: ['a', 'b', 'c'] } });
  });

  it('names the claim that is missing or wrong', () => {
    const noTenant = mapClaims({ sub: 'ann' }, PATHS);
    expect(noTenant).toEqual({ ok: false, claim: 'tenant', problem: 'missing' });
    if (!noTenant.ok) expect(describeClaimProblem(noTenant)).toBe('claim "tenant" is missing');
    expect(mapClaims({ sub: 'ann', tenant: 'acme' }, PATHS)).toEqual({ ok: false, claim: 'tenant', problem: 'not a UUID' });
    expect(mapClaims({ tenant: TENANT }, PATHS)).toEqual({ ok: false, claim: 'sub', problem: 'missing' });
    expect(mapClaims({ sub: 42, tenant: TENANT }, PATHS)).toEqual({ ok: false, claim: 'sub', problem: 'not a string' });
    expect(mapClaims({ sub: 'ann', tenant: TENANT, roles: [1] }, PATHS)).toEqual({ ok: false, claim: 'roles', problem: 'not a list of strings' });
  });
});
